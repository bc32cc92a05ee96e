"""derive_vars_period: APERIOD/APERIODC/TRTA by the stage a date falls in (study.md)."""

import pandas as pd
from adam_helpers import assert_keyed_equal, dates

from aclf_cdisc.adam.derivations import derive_vars_period

ADSL = pd.DataFrame({
    "STUDYID": "S", "USUBJID": ["01", "02"],
    # 01: MSC stage 1 10-10..10-24, re-randomized, stage 2 11-07..11-14
    # 02: placebo stage 1 only, 10-10..10-24
    "TR01SDT": dates("2023-10-10", "2023-10-10"), "TR01EDT": dates("2023-10-24", "2023-10-24"),
    "TR02SDT": dates("2023-11-07", None), "TR02EDT": dates("2023-11-14", None),
    "TRT01A": ["HUC-MSC", "PLACEBO"], "TRT02A": ["PLACEBO", None],
})
LABELS = {1: "STAGE 1", 2: "STAGE 2"}


def expected():
    rows = [
        ("01", 1, "2023-10-09", None, None, None),                 # before first infusion
        ("01", 2, "2023-10-10", 1, "STAGE 1", "HUC-MSC"),
        ("01", 3, "2023-11-06", 1, "STAGE 1", "HUC-MSC"),          # interval to week 4: stage 1
        ("01", 4, "2023-11-07", 2, "STAGE 2", "PLACEBO"),
        ("01", 5, "2023-12-12", 2, "STAGE 2", "PLACEBO"),          # 11-14 + 28 = 12-12, last day
        ("01", 6, "2023-12-13", None, None, None),
        ("02", 1, "2023-11-21", 1, "STAGE 1", "PLACEBO"),          # 10-24 + 28 = 11-21, last day
        ("02", 2, "2023-11-22", None, None, None),
        ("02", 3, None, None, None, None),
    ]
    frame = pd.DataFrame(rows, columns=["USUBJID", "AESEQ", "ASTDT", "APERIOD", "APERIODC", "TRTA"])
    frame["ASTDT"] = dates(*frame["ASTDT"])
    frame["APERIOD"] = pd.array(frame["APERIOD"], dtype="Int64")
    frame.insert(0, "STUDYID", "S")
    return frame


def test_01_period_by_date_next_start_minus_one_or_end_plus_window():
    exp = expected()
    out = derive_vars_period(exp.drop(columns=["APERIOD", "APERIODC", "TRTA"]), ADSL, date="ASTDT",
                             end_window=28, period_labels=LABELS, observation_without_time="after")
    assert_keyed_equal(out, exp, ["USUBJID", "AESEQ"])


def test_02_shuffled_input_gives_identical_output():
    exp = expected()
    inp = exp.drop(columns=["APERIOD", "APERIODC", "TRTA"]).sample(frac=1, random_state=2)
    out = derive_vars_period(inp, ADSL.sample(frac=1, random_state=2), date="ASTDT", end_window=28,
                             period_labels=LABELS, observation_without_time="after")
    assert_keyed_equal(out, exp, ["USUBJID", "AESEQ"])


def test_03_default_labels_and_no_window():
    inp = expected().drop(columns=["APERIOD", "APERIODC", "TRTA"])
    out = derive_vars_period(inp, ADSL, date="ASTDT", observation_without_time="after").set_index(["USUBJID", "AESEQ"])
    assert out.loc[("01", 2), "APERIODC"] == "PERIOD 01"
    assert out.loc[("02", 1), "APERIOD"] is pd.NA  # 11-21 is after TR01EDT 10-24 without a window


def test_04_full_datetimes_decide_and_date_only_on_the_start_day_is_earlier():
    """Stage-2 infusion 2023-11-07 13:35: a 09:00 sample that day is stage 1 (pre-dose), a 14:00
    one stage 2; a date-only record on 11-07 is stage 1 under the default rule "before", as is a
    date-only record on the first-infusion day (before period 1: no period)."""
    adsl = ADSL.assign(TR01SDTM=pd.to_datetime(["2023-10-10T10:00", "2023-10-10T11:00"]),
                       TR02SDTM=pd.to_datetime(["2023-11-07T13:35", None]))
    rec = pd.DataFrame({"STUDYID": "S", "USUBJID": ["01"] * 5, "SEQ": [1, 2, 3, 4, 5],
                        "LBDTC": ["2023-11-07T09:00", "2023-11-07T14:00", "2023-11-07", "2023-10-10",
                                  "2023-10-10T10:00"]})
    rec["ADT"] = pd.to_datetime(rec["LBDTC"].str.slice(0, 10))
    out = derive_vars_period(rec, adsl, date="ADT", dtc="LBDTC", end_window=28, period_labels=LABELS)
    assert out["APERIOD"].tolist() == [1, 2, 1, pd.NA, 1]
    assert out["TRTA"].tolist() == ["HUC-MSC", "PLACEBO", "HUC-MSC", None, "HUC-MSC"]
