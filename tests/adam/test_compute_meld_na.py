"""compute_meld_na: OPTN 2016 MELD-Na per study.md, arithmetic written out."""

import math

import pandas as pd
from conventions_helpers import MELD_CONV, MELD_NA_CONV

from aclf_cdisc.adam.derivations import compute_meld, compute_meld_na


def test_01_worked_example_meld_25_sodium_130():
    # 137 - 130 = 7: 25 + 1.32*7 - 0.033*25*7 = 25 + 9.24 - 5.775 = 28.465 -> 28
    assert compute_meld_na(25, 130, meld_na=MELD_NA_CONV) == 28.0


def test_02_sodium_below_125_bounded_to_125():
    # Na 120 -> 125, 137 - 125 = 12: 25 + 15.84 - 9.9 = 30.94 -> 31
    assert compute_meld_na(25, 120, meld_na=MELD_NA_CONV) == 31.0


def test_03_sodium_above_137_bounded_to_137_adds_nothing():
    # Na 140 -> 137: 30 + 0 - 0 = 30
    assert compute_meld_na(30, 140, meld_na=MELD_NA_CONV) == 30.0


def test_04_meld_11_or_less_is_returned_unchanged_even_without_sodium():
    # MELD 11 is not > 11: no sodium term (with it, 11 + 15.84 - 4.356 = 22.48 would result)
    assert compute_meld_na(11, 125, meld_na=MELD_NA_CONV) == 11.0
    assert compute_meld_na(11, None, meld_na=MELD_NA_CONV) == 11.0


def test_05_meld_12_just_above_threshold():
    # 137 - 136 = 1: 12 + 1.32 - 0.396 = 12.924 -> 13
    assert compute_meld_na(12, 136, meld_na=MELD_NA_CONV) == 13.0


def test_06_capped_at_40():
    # 38, Na 125: 38 + 15.84 - 15.048 = 38.792 -> 39 (under the cap);
    # 40, Na 125: 40 + 15.84 - 15.84 = 40
    assert compute_meld_na(38, 125, meld_na=MELD_NA_CONV) == 39.0
    assert compute_meld_na(40, 125, meld_na=MELD_NA_CONV) == 40.0


def test_07_missing_sodium_when_needed_or_missing_meld_gives_missing():
    assert math.isnan(compute_meld_na(25, None, meld_na=MELD_NA_CONV))
    assert math.isnan(compute_meld_na(None, 130, meld_na=MELD_NA_CONV))


def test_08_chained_with_compute_meld_on_series():
    # Cr 1.2, TBIL 8.5, INR 2.1 -> MELD 25 (see test_compute_meld) -> Na 130 -> 28
    meld = compute_meld(pd.Series([1.2]), pd.Series([8.5]), pd.Series([2.1]), meld=MELD_CONV)
    pd.testing.assert_series_equal(compute_meld_na(meld, pd.Series([130.0]), meld_na=MELD_NA_CONV), pd.Series([28.0]))
