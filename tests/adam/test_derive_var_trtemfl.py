"""derive_var_trtemfl per study.md "TEAE" (first infusion 2023-10-10, last 2023-10-24, window 28 d)."""

import pandas as pd
import pytest
from adam_helpers import assert_keyed_equal, dates

from aclf_cdisc.adam.derivations import derive_var_trtemfl, derive_vars_dt
from aclf_cdisc.errors import DerivationError

KEYS = ["USUBJID", "AESEQ"]
TSD, TED = "2023-10-10", "2023-10-24"  # window ends 2023-10-24 + 28 days = 2023-11-21
WINDOW = 28  # days; a parameter without default (the study's teae_window_days)
INTENSITY = ("MILD", "MODERATE", "SEVERE")  # likewise (the study's severity codelist)


def expected():
    rows = [
        # USUBJID, AESEQ, ASTDT, AENDT, AEGRPID, ASEV, TRTSDT, TRTEDT, TRTEMFL
        # before the first infusion: not emergent (case 3)
        ("01", 1, "2023-10-08", "2023-10-09", None, "MILD", TSD, TED, None),
        # in the window (cases 6), last day of the window included
        ("01", 2, "2023-10-15", None, None, "MILD", TSD, TED, "Y"),
        ("01", 3, "2023-11-21", None, None, "MILD", TSD, TED, "Y"),
        # day after the window: not emergent (case 4)
        ("01", 4, "2023-11-22", None, None, "SEVERE", TSD, TED, None),
        # pre-existing MILD ascites worsened to MODERATE: the worse, later record is emergent (case 5);
        # the return to MILD is not
        ("01", 5, "2023-10-01", "2023-10-11", "G1", "MILD", TSD, TED, None),
        ("01", 6, "2023-10-12", "2023-10-19", "G1", "MODERATE", TSD, TED, "Y"),
        ("01", 7, "2023-10-20", None, "G1", "MILD", TSD, TED, None),
        # pre-existing MODERATE continued at the same intensity: not emergent (case 5)
        ("01", 8, "2023-10-05", "2023-10-10", "G2", "MODERATE", TSD, TED, None),
        ("01", 9, "2023-10-11", None, "G2", "MODERATE", TSD, TED, None),
        # unknown start: emergent (case 2, conservative) unless it ended before TRTSDT
        ("01", 10, None, None, None, "MILD", TSD, TED, "Y"),
        ("01", 11, None, "2023-10-09", None, "MILD", TSD, TED, None),
        # never treated: not emergent (case 1)
        ("02", 1, "2023-10-15", None, None, "MILD", None, None, None),
    ]
    frame = pd.DataFrame(rows, columns=["USUBJID", "AESEQ", "ASTDT", "AENDT", "AEGRPID", "ASEV", "TRTSDT",
                                        "TRTEDT", "TRTEMFL"])
    for col in ("ASTDT", "AENDT", "TRTSDT", "TRTEDT"):
        frame[col] = dates(*frame[col])
    frame.insert(0, "STUDYID", "S")
    return frame


def test_01_before_in_after_window_worsened_and_unknown_start():
    exp = expected()
    out = derive_var_trtemfl(exp.drop(columns="TRTEMFL"), end_window=WINDOW, intensity_order=INTENSITY)
    assert_keyed_equal(out, exp, KEYS)


def test_02_shuffled_input_gives_identical_flags():
    exp = expected()
    shuffled = exp.drop(columns="TRTEMFL").sample(frac=1, random_state=3)
    assert_keyed_equal(derive_var_trtemfl(shuffled, end_window=WINDOW, intensity_order=INTENSITY), exp, KEYS)


def test_03_unknown_start_day_imputed_to_first_infusion_is_emergent():
    # AESTDTC 2023-10 (day unknown) in the month of first infusion: imputed not before TRTSDT
    # -> ASTDT 2023-10-10, ASTDTF "D" -> emergent
    ae = pd.DataFrame({"STUDYID": "S", "USUBJID": ["01"], "AESEQ": [1], "AESTDTC": ["2023-10"],
                       "AENDT": dates(None), "AEGRPID": [None], "ASEV": ["MILD"],
                       "TRTSDT": dates(TSD), "TRTEDT": dates(TED)})
    adae = derive_vars_dt(ae, "AST", "AESTDTC", highest_imputation="M", min_dates=["TRTSDT"])
    out = derive_var_trtemfl(adae, end_window=WINDOW, intensity_order=INTENSITY)
    assert (out.loc[0, "ASTDT"], out.loc[0, "ASTDTF"], out.loc[0, "TRTEMFL"]) == (
        pd.Timestamp(TSD), "D", "Y")


def test_04_window_is_a_parameter():
    exp = expected()
    out = derive_var_trtemfl(exp.drop(columns="TRTEMFL"), end_window=0, intensity_order=INTENSITY).set_index(KEYS)
    assert out.loc[("01", 3), "TRTEMFL"] is None  # 2023-11-21 is after 2023-10-24 + 0


def test_05_unknown_intensity_in_a_worsening_group_raises():
    exp = expected().drop(columns="TRTEMFL")
    exp.loc[exp["AESEQ"] == 6, "ASEV"] = None
    with pytest.raises(DerivationError) as err:
        derive_var_trtemfl(exp, end_window=WINDOW, intensity_order=INTENSITY)
    assert [(i.rule, i.row, i.column) for i in err.value.issues] == [
        ("adam.intensity-unknown", "STUDYID=S, USUBJID=01, AEGRPID=G1", "ASEV")]


def test_06_existing_trtemfl_is_not_overwritten_and_input_not_mutated():
    exp = expected()
    with pytest.raises(DerivationError) as err:
        derive_var_trtemfl(exp, end_window=WINDOW, intensity_order=INTENSITY)
    assert err.value.issues[0].rule == "adam.variable-exists"
    inp = exp.drop(columns="TRTEMFL")
    before = inp.copy()
    derive_var_trtemfl(inp, end_window=WINDOW, intensity_order=INTENSITY)
    pd.testing.assert_frame_equal(inp, before)
