"""derive_var_anrind: LOW / NORMAL / HIGH with inclusive limits."""

import pandas as pd
from adam_helpers import assert_keyed_equal

from aclf_cdisc.adam.derivations import derive_var_anrind


def test_01_limits_are_normal_one_sided_ranges_and_missing():
    exp = pd.DataFrame({
        "ID": [1, 2, 3, 4, 5, 6, 7, 8],
        "AVAL": [34.0, 35.0, 50.0, 55.0, 56.0, None, 10.0, 99.0],
        "ANRLO": [35.0, 35.0, 35.0, 35.0, 35.0, 35.0, None, 40.0],
        "ANRHI": [55.0, 55.0, 55.0, 55.0, 55.0, 55.0, 20.0, None],
        "ANRIND": ["LOW", "NORMAL", "NORMAL", "NORMAL", "HIGH", None, "NORMAL", "NORMAL"],
    })
    assert_keyed_equal(derive_var_anrind(exp.drop(columns="ANRIND")), exp, ["ID"])


def test_02_no_range_gives_missing():
    out = derive_var_anrind(pd.DataFrame({"AVAL": [1.0], "ANRLO": [None], "ANRHI": [None]}))
    assert out["ANRIND"].tolist() == [None]
