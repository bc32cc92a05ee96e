"""compute_dy: SDTMIG 3.4 4.4.4 study day, no day 0, empty for partial dates."""

import pandas as pd

from aclf_cdisc.sdtm.study_day import compute_dy


def test_01_day_one_is_the_reference_date_and_there_is_no_day_zero():
    dtc = pd.Series(["2024-03-05", "2024-03-04", "2024-03-06T10:30", "2024-02-05"])
    ref = pd.Series(["2024-03-05T09:00"] * 4)
    assert compute_dy(dtc, ref).tolist() == [1, -1, 2, -29]


def test_02_partial_or_missing_dates_give_no_study_day():
    dtc = pd.Series(["2024-03", "2024", None, "2024-03-05"])
    ref = pd.Series(["2024-03-01", "2024-03-01", "2024-03-01", None])
    assert compute_dy(dtc, ref).isna().all()


def test_03_leap_day_counts():
    assert compute_dy(pd.Series(["2024-03-01"]), pd.Series(["2024-02-28"])).tolist() == [3]
