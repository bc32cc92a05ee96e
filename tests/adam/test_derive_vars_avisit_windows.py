"""derive_vars_avisit_windows: visits by study-day window, closest to target, ties to the later day."""

import pandas as pd
import pytest
from adam_helpers import assert_keyed_equal

from aclf_cdisc.adam.derivations import derive_vars_avisit_windows
from aclf_cdisc.errors import DerivationError

WINDOWS = pd.DataFrame({
    "AVISIT": ["SCREENING", "WEEK 0", "WEEK 1", "WEEK 2"],
    "AVISITN": [-1, 0, 1, 2],
    "TARGET": [-1, 1, 8, 15],
    "LOW": [-7, 1, 5, 12],
    "HIGH": [-1, 4, 11, 18],
})
KEYS = ["USUBJID", "PARAMCD", "LBSEQ"]


def expected():
    rows = [
        # USUBJID, PARAMCD, LBSEQ, ADY, AVAL, AVISIT, AVISITN, ANL01FL
        ("01", "BILI", 1, -3, 9.0, "SCREENING", -1, "Y"),
        ("01", "BILI", 2, 1, 8.5, "WEEK 0", 0, "Y"),
        # days 7 and 9 are both 1 day from target 8: the later (day 9) is analysed
        ("01", "BILI", 3, 7, 7.0, "WEEK 1", 1, None),
        ("01", "BILI", 4, 9, 6.5, "WEEK 1", 1, "Y"),
        # day 14 is closer to 15 than day 12; day 16 too, tie with 14 -> later day 16
        ("01", "BILI", 5, 12, 6.0, "WEEK 2", 2, None),
        ("01", "BILI", 6, 14, 5.5, "WEEK 2", 2, None),
        ("01", "BILI", 7, 16, 5.0, "WEEK 2", 2, "Y"),
        # outside every window
        ("01", "BILI", 8, 30, 4.0, None, None, None),
        # closest record has no value: next closest is analysed
        ("02", "BILI", 1, 8, None, "WEEK 1", 1, None),
        ("02", "BILI", 2, 10, 3.0, "WEEK 1", 1, "Y"),
    ]
    frame = pd.DataFrame(rows, columns=["USUBJID", "PARAMCD", "LBSEQ", "ADY", "AVAL", "AVISIT", "AVISITN",
                                        "ANL01FL"])
    frame.insert(0, "STUDYID", "S")
    return frame


def test_01_windows_closest_to_target_ties_to_later_day():
    exp = expected()
    out = derive_vars_avisit_windows(exp.drop(columns=["AVISIT", "AVISITN", "ANL01FL"]), WINDOWS)
    assert_keyed_equal(out, exp, KEYS)


def test_02_shuffled_input_gives_identical_output():
    exp = expected()
    inp = exp.drop(columns=["AVISIT", "AVISITN", "ANL01FL"]).sample(frac=1, random_state=11)
    assert_keyed_equal(derive_vars_avisit_windows(inp, WINDOWS), exp, KEYS)


def test_03_same_day_duplicates_use_tie_order_else_raise():
    inp = expected().drop(columns=["AVISIT", "AVISITN", "ANL01FL"])
    inp.loc[inp["LBSEQ"] == 3, "ADY"] = 9  # LBSEQ 3 and 4 both on day 9
    out = derive_vars_avisit_windows(inp, WINDOWS, tie_order=("LBSEQ",)).set_index(KEYS)
    assert out.loc[("01", "BILI", 4), "ANL01FL"] == "Y"
    assert out.loc[("01", "BILI", 3), "ANL01FL"] is None
    with pytest.raises(DerivationError) as err:
        derive_vars_avisit_windows(inp, WINDOWS)
    assert err.value.issues[0].rule == "adam.window-ambiguous"


def test_04_overlapping_windows_raise():
    bad = WINDOWS.copy()
    bad.loc[2, "LOW"] = 4
    with pytest.raises(DerivationError) as err:
        derive_vars_avisit_windows(expected().drop(columns=["AVISIT", "AVISITN", "ANL01FL"]), bad)
    assert [(i.rule, i.row) for i in err.value.issues] == [("adam.window-overlap", "AVISIT=WEEK 1")]
