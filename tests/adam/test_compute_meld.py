"""compute_meld: UNOS MELD per study.md, arithmetic written out."""

import math

import numpy as np
import pandas as pd
import pytest
from conventions_helpers import MELD_CONV

from aclf_cdisc.adam.derivations import compute_meld
from aclf_cdisc.adam.derivations._common import round_half_up


def test_01_worked_example_cr_1_2_tbil_8_5_inr_2_1():
    # ln 1.2 = 0.1823, ln 8.5 = 2.1401, ln 2.1 = 0.7419
    # 0.957*0.1823 = 0.1745; 0.378*2.1401 = 0.8089; 1.120*0.7419 = 0.8310
    # 10 * (0.1745 + 0.8089 + 0.8310 + 0.643) = 24.574 -> 25
    assert math.log(1.2) == pytest.approx(0.1823, abs=1e-4)
    assert compute_meld(1.2, 8.5, 2.1, meld=MELD_CONV) == 25.0


def test_02_values_below_one_are_set_to_one_and_floor_is_6():
    # all three floored to 1.0: ln 1 = 0 -> 10 * 0.643 = 6.43 -> 6
    assert compute_meld(0.8, 0.5, 0.9, meld=MELD_CONV) == 6.0


def test_03_creatinine_capped_at_4_and_result_capped_at_40():
    # Cr 5.6 -> 4.0: 0.957*1.3863 = 1.3267; TBIL 20: 0.378*2.9957 = 1.1324;
    # INR 3.0: 1.120*1.0986 = 1.2304; 10 * (1.3267 + 1.1324 + 1.2304 + 0.643) = 43.33 -> 40
    assert compute_meld(5.6, 20.0, 3.0, meld=MELD_CONV) == 40.0


def test_04_dialysis_twice_sets_creatinine_to_4():
    # Cr 1.0 but dialysed: Cr = 4.0 -> 0.957*1.3863 = 1.3267; TBIL 5: 0.378*1.6094 = 0.6084;
    # INR 1.5: 1.120*0.4055 = 0.4541; 10 * (1.3267 + 0.6084 + 0.4541 + 0.643) = 30.32 -> 30
    # without dialysis: 10 * (0 + 0.6084 + 0.4541 + 0.643) = 17.05 -> 17
    assert compute_meld(1.0, 5.0, 1.5, meld=MELD_CONV) == 17.0
    assert compute_meld(1.0, 5.0, 1.5, dialysis_twice_past_week=True, meld=MELD_CONV) == 30.0
    assert compute_meld(np.nan, 5.0, 1.5, dialysis_twice_past_week=True, meld=MELD_CONV) == 30.0


def test_05_just_below_a_half_rounds_down():
    # Cr 1.5: 0.957*0.4055 = 0.3880; TBIL 12: 0.378*2.4849 = 0.9393; INR 2.5: 1.120*0.9163 = 1.0262
    # 10 * (0.3880 + 0.9393 + 1.0262 + 0.643) = 29.966 -> 30
    assert compute_meld(1.5, 12.0, 2.5, meld=MELD_CONV) == 30.0


def test_06_rounding_is_half_up_not_bankers():
    # Python's round(22.5) == 22 (banker's); the study rounds halves up.
    assert round(22.5) == 22
    assert round_half_up([22.5, 24.5, 24.4999999999, 6.43]).tolist() == [23.0, 25.0, 25.0, 6.0]


def test_07_missing_component_gives_missing():
    assert math.isnan(compute_meld(1.2, None, 2.1, meld=MELD_CONV))


def test_08_series_in_series_out_with_index():
    cr = pd.Series([1.2, 0.8], index=[10, 11])
    out = compute_meld(cr, pd.Series([8.5, 0.5], index=[10, 11]), pd.Series([2.1, 0.9], index=[10, 11]), meld=MELD_CONV)
    pd.testing.assert_series_equal(out, pd.Series([25.0, 6.0], index=[10, 11]))
