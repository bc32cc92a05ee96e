"""derive_var_ablfl: last non-missing value on or before TRTSDT."""

import pandas as pd
import pytest
from adam_helpers import assert_keyed_equal, dates

from aclf_cdisc.adam.derivations import derive_var_ablfl
from aclf_cdisc.errors import DerivationError

KEYS = ["USUBJID", "PARAMCD", "LBSEQ"]


def expected():
    rows = [
        # screening, then day 1 (pre-infusion, on TRTSDT): day 1 is baseline
        ("01", "BILI", 1, "2023-10-05", 9.0, "2023-10-10", None),
        ("01", "BILI", 2, "2023-10-10", 8.5, "2023-10-10", "Y"),
        ("01", "BILI", 3, "2023-10-17", 6.0, "2023-10-10", None),
        # last pre-treatment value missing: the earlier non-missing one is baseline
        ("01", "INR", 4, "2023-10-05", 2.1, "2023-10-10", "Y"),
        ("01", "INR", 5, "2023-10-09", None, "2023-10-10", None),
        # two results on the same day: the higher LBSEQ (later order) wins
        ("02", "BILI", 1, "2023-10-11", 5.0, "2023-10-12", None),
        ("02", "BILI", 2, "2023-10-11", 5.2, "2023-10-12", "Y"),
        # never treated: no baseline
        ("03", "BILI", 1, "2023-10-11", 5.0, None, None),
    ]
    frame = pd.DataFrame(rows, columns=["USUBJID", "PARAMCD", "LBSEQ", "ADT", "AVAL", "TRTSDT", "ABLFL"])
    frame["ADT"] = dates(*frame["ADT"])
    frame["TRTSDT"] = dates(*frame["TRTSDT"])
    frame.insert(0, "STUDYID", "S")
    return frame


def test_01_last_non_missing_on_or_before_reference_ties_by_lbseq():
    exp = expected()
    out = derive_var_ablfl(exp.drop(columns="ABLFL"), order=("ADT", "LBSEQ"))
    assert_keyed_equal(out, exp, KEYS)


def test_02_shuffled_input_gives_identical_flags():
    exp = expected()
    out = derive_var_ablfl(exp.drop(columns="ABLFL").sample(frac=1, random_state=1), order=("ADT", "LBSEQ"))
    assert_keyed_equal(out, exp, KEYS)


def test_03_same_day_tie_without_tiebreak_raises():
    with pytest.raises(DerivationError) as err:
        derive_var_ablfl(expected().drop(columns="ABLFL"))
    assert [(i.rule, i.row) for i in err.value.issues] == [
        ("adam.baseline-ambiguous", "STUDYID=S, USUBJID=02, PARAMCD=BILI")]
