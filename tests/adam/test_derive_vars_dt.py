"""derive_vars_dt: ISO 8601 text to ADaM dates with imputation flags."""

import pandas as pd
import pytest
from adam_helpers import assert_keyed_equal, dates

from aclf_cdisc.adam.derivations import derive_vars_dt
from aclf_cdisc.errors import DerivationError


def frame(dtc, dt=None, dtf=None, trtsdt=None):
    out = pd.DataFrame({"USUBJID": [str(i) for i in range(len(dtc))], "AESTDTC": dtc})
    if trtsdt is not None:
        out["TRTSDT"] = dates(*trtsdt)
    if dt is not None:
        out["ASTDT"] = dates(*dt)
        out["ASTDTF"] = dtf
    return out


def test_01_complete_dates_and_time_part_no_imputation():
    exp = frame(["2023-10-05", "2023-10-05T08:30", None, ""],
                dt=["2023-10-05", "2023-10-05", None, None], dtf=[None, None, None, None])
    assert_keyed_equal(derive_vars_dt(exp[["USUBJID", "AESTDTC"]], "AST", "AESTDTC"), exp, ["USUBJID"])


def test_02_first_imputation_up_to_month():
    exp = frame(["2023-10", "2023", "2023---05", "2024-02"],
                dt=["2023-10-01", "2023-01-01", "2023-01-01", "2024-02-01"], dtf=["D", "M", "M", "D"])
    out = derive_vars_dt(exp[["USUBJID", "AESTDTC"]], "AST", "AESTDTC", highest_imputation="M")
    assert_keyed_equal(out, exp, ["USUBJID"])


def test_03_highest_imputation_d_leaves_year_only_missing():
    exp = frame(["2023-10", "2023"], dt=["2023-10-01", None], dtf=["D", None])
    out = derive_vars_dt(exp[["USUBJID", "AESTDTC"]], "AST", "AESTDTC", highest_imputation="D")
    assert_keyed_equal(out, exp, ["USUBJID"])


def test_04_last_and_mid_imputation():
    # last: 2024-02 -> 29 Feb (leap year); 2023 -> 31 Dec. mid: day 15; month and day -> 06-30
    base = frame(["2024-02", "2023"])
    last = derive_vars_dt(base, "AST", "AESTDTC", highest_imputation="M", date_imputation="last")
    mid = derive_vars_dt(base, "AST", "AESTDTC", highest_imputation="M", date_imputation="mid")
    assert last["ASTDT"].tolist() == list(dates("2024-02-29", "2023-12-31"))
    assert mid["ASTDT"].tolist() == list(dates("2024-02-15", "2023-06-30"))


def test_05_min_dates_never_impute_before_trtsdt_in_the_same_month():
    # 2023-10 with TRTSDT 2023-10-12 -> 2023-10-12 (TRTSDT lies in October);
    # 2023-10 with TRTSDT 2023-09-28 -> 2023-10-01 (TRTSDT outside the month, no effect);
    # 2023-10-03 complete: kept even though before TRTSDT
    exp = frame(["2023-10", "2023-10", "2023-10-03"], dt=["2023-10-12", "2023-10-01", "2023-10-03"],
                dtf=["D", "D", None], trtsdt=["2023-10-12", "2023-09-28", "2023-10-12"])
    out = derive_vars_dt(exp.drop(columns=["ASTDT", "ASTDTF"]), "AST", "AESTDTC",
                         highest_imputation="M", min_dates=["TRTSDT"])
    assert_keyed_equal(out, exp, ["USUBJID"])


def test_06_max_dates_cap_a_last_imputation():
    # AE end 2023-11 imputed last (11-30) but the subject died 2023-11-20 -> 2023-11-20
    inp = pd.DataFrame({"USUBJID": ["1"], "AEENDTC": ["2023-11"], "DTHDT": dates("2023-11-20")})
    out = derive_vars_dt(inp, "AEN", "AEENDTC", highest_imputation="M", date_imputation="last",
                         max_dates=["DTHDT"])
    assert (out.loc[0, "AENDT"], out.loc[0, "AENDTF"]) == (pd.Timestamp("2023-11-20"), "D")


def test_07_invalid_text_raises_naming_record_column_value():
    with pytest.raises(DerivationError) as err:
        derive_vars_dt(frame(["2023-10-05", "2023-02-30", "05/10/2023"]), "AST", "AESTDTC")
    assert [(i.rule, i.row, i.column, i.value) for i in err.value.issues] == [
        ("adam.dtc-invalid", "USUBJID=1", "AESTDTC", "2023-02-30"),
        ("adam.dtc-invalid", "USUBJID=2", "AESTDTC", "05/10/2023")]


def test_08_refuses_to_overwrite_and_keeps_input():
    inp = frame(["2023-10-05"], dt=["2023-10-05"], dtf=[None])
    with pytest.raises(DerivationError) as err:
        derive_vars_dt(inp, "AST", "AESTDTC")
    assert {i.column for i in err.value.issues} == {"ASTDT", "ASTDTF"}
