"""derive_vars_dy: study days with no day 0."""

import pandas as pd
from adam_helpers import assert_keyed_equal, dates

from aclf_cdisc.adam.derivations import derive_vars_dy


def test_01_day_before_is_minus_1_reference_is_day_1():
    exp = pd.DataFrame({"USUBJID": ["1"] * 5,
                        "ADT": dates("2023-10-03", "2023-10-09", "2023-10-10", "2023-10-17", None),
                        "TRTSDT": dates(*["2023-10-10"] * 5),
                        "ADY": pd.array([-7, -1, 1, 8, None], dtype="Int64")})
    assert_keyed_equal(derive_vars_dy(exp.drop(columns="ADY")), exp, ["ADT"])


def test_02_several_dates_and_missing_reference():
    inp = pd.DataFrame({"ASTDT": dates("2023-10-12", "2023-10-12"), "AENDT": dates("2023-10-08", None),
                        "TRTSDT": dates("2023-10-10", None)})
    out = derive_vars_dy(inp, source_vars=["ASTDT", "AENDT"])
    assert out["ASTDY"].tolist() == [3, pd.NA]
    assert out["AENDY"].tolist() == [-2, pd.NA]


def test_03_mapping_names_the_new_variable():
    inp = pd.DataFrame({"LBDT": dates("2023-10-10"), "RANDDT": dates("2023-10-01")})
    out = derive_vars_dy(inp, "RANDDT", {"RANDDY": "LBDT"})
    assert out["RANDDY"].tolist() == [10]
