"""derive_var_epoch: EPOCH from the subject's SE intervals."""

import pandas as pd

from aclf_cdisc.sdtm.epoch import derive_var_epoch as _derive_var_epoch


def derive_var_epoch(data, dtc_var, se):
    return _derive_var_epoch(data, dtc_var, se, observation_without_time="before")


SE = pd.DataFrame(
    {
        "USUBJID": ["A", "A", "A", "B"],
        "SESTDTC": ["2024-01-01", "2024-01-08", "2024-02-01", "2024-03-01"],
        "SEENDTC": ["2024-01-08", "2024-02-01", "2024-03-01", None],
        "TAETORD": [1, 2, 3, 1],
        "EPOCH": ["SCREENING", "TREATMENT", "FOLLOW-UP", "SCREENING"],
    }
)


def test_01_element_holds_start_and_the_next_element_wins_the_shared_day():
    data = pd.DataFrame({"USUBJID": ["A", "A", "A"], "LBDTC": ["2024-01-07", "2024-01-08T10:00", "2024-01-31"]})
    out = derive_var_epoch(data, "LBDTC", SE)
    assert out["EPOCH"].tolist() == ["SCREENING", "TREATMENT", "TREATMENT"]


def test_02_last_element_includes_its_end_date_and_nothing_after():
    data = pd.DataFrame({"USUBJID": ["A", "A"], "LBDTC": ["2024-03-01", "2024-03-02"]})
    out = derive_var_epoch(data, "LBDTC", SE)
    assert out["EPOCH"].tolist()[0] == "FOLLOW-UP"
    assert pd.isna(out["EPOCH"].iloc[1])


def test_03_open_last_element_partial_dates_and_unknown_subjects():
    data = pd.DataFrame({"USUBJID": ["B", "A", "C"], "X": ["2030-01-01", "2024-02", "2024-01-10"]})
    out = derive_var_epoch(data, "X", SE)
    assert out["EPOCH"].iloc[0] == "SCREENING"
    assert out["EPOCH"].iloc[1:].isna().all()


def test_04_input_order_kept_and_input_not_mutated():
    data = pd.DataFrame({"USUBJID": ["A", "B", "A"], "X": ["2024-02-10", "2024-03-05", "2024-01-02"]})
    before = data.copy()
    out = derive_var_epoch(data, "X", SE)
    assert out["EPOCH"].tolist() == ["FOLLOW-UP", "SCREENING", "SCREENING"]
    pd.testing.assert_frame_equal(data, before)


def test_05_empty_inputs_give_an_empty_epoch_column():
    empty = pd.DataFrame({"USUBJID": pd.Series(dtype=object), "X": pd.Series(dtype=object)})
    out = derive_var_epoch(empty, "X", SE)
    assert list(out.columns) == ["USUBJID", "X", "EPOCH"] and out.empty
    out = derive_var_epoch(pd.DataFrame({"USUBJID": ["A"], "X": ["2024-01-02"]}), "X", SE.iloc[0:0])
    assert out["EPOCH"].isna().all()


# -- boundaries with times (issue 12): element 2 starts at the infusion, 2024-01-08 10:00 ---------------
TIMED = pd.DataFrame({
    "USUBJID": ["A", "A", "A"],
    "SESTDTC": ["2024-01-01", "2024-01-08T10:00", "2024-01-22"],
    "SEENDTC": ["2024-01-08T10:00", "2024-01-22", "2024-02-01"],
    "TAETORD": [1, 2, 3],
    "EPOCH": ["SCREENING", "TREATMENT 1", "FOLLOW-UP"],
})


def _epochs(dtcs, rule):
    data = pd.DataFrame({"USUBJID": ["A"] * len(dtcs), "X": dtcs})
    return _derive_var_epoch(data, "X", TIMED, observation_without_time=rule)["EPOCH"].tolist()


def test_06_same_day_earlier_time_is_the_element_ending_that_day():
    assert _epochs(["2024-01-08T07:15", "2024-01-08T09:59"], "before") == ["SCREENING", "SCREENING"]
    assert _epochs(["2024-01-08T07:15"], "after") == ["SCREENING"]  # both timed: the rule is not used


def test_07_same_day_at_or_after_the_start_time_is_the_new_element():
    assert _epochs(["2024-01-08T10:00", "2024-01-08T15:30"], "before") == ["TREATMENT 1", "TREATMENT 1"]


def test_08_date_only_on_a_timed_start_day_follows_the_class_rule():
    assert _epochs(["2024-01-08"], "before") == ["SCREENING"]      # findings: assessed before dosing
    assert _epochs(["2024-01-08"], "after") == ["TREATMENT 1"]     # events: may follow the infusion


def test_09_date_only_start_begins_at_the_start_of_its_day():
    # FU starts 2024-01-22 without a time: timed and date-only records that day are FOLLOW-UP
    assert _epochs(["2024-01-22T00:00", "2024-01-22", "2024-01-21T23:59"], "before") == [
        "FOLLOW-UP", "FOLLOW-UP", "TREATMENT 1"]
    data = pd.DataFrame({"USUBJID": ["A"], "X": ["2024-01-22"]})
    out = _derive_var_epoch(data, "X", TIMED, observation_without_time="before",
                            element_start_without_time="end_of_day")
    assert out["EPOCH"].tolist() == ["TREATMENT 1"]


def test_10_missing_and_partial_observations_have_no_epoch():
    assert [pd.isna(v) for v in _epochs([None, "2024-01", "2024"], "before")] == [True, True, True]


def test_11_boundary_rule_is_read_from_the_spec_per_class(spec):
    from aclf_cdisc.sdtm.epoch import boundary_rule
    assert boundary_rule(spec.study.conventions, "FINDINGS") == ("before", "start_of_day")
    assert boundary_rule(spec.study.conventions, "EVENTS") == ("after", "start_of_day")


def test_09_a_date_only_event_on_the_day_before_a_date_only_start_keeps_its_element():
    # "after" places a date-only event at the last nanosecond of its day, one nanosecond before the
    # next element's date-only start; an observation outside every element (2023-12-01) used to turn
    # the join's columns into floats, which cannot tell the two apart, and lost the first one's EPOCH
    from aclf_cdisc.sdtm.epoch import element_of
    elements = pd.DataFrame({"USUBJID": "A", "STDTC": ["2024-01-01T10:00", "2024-01-22"],
                             "ENDTC": ["2024-01-22", "2024-02-01"], "ORDER": [1, 2]}, index=["E1", "E2"])
    observations = pd.DataFrame({"USUBJID": "A", "DTC": ["2024-01-21", "2023-12-01", "2024-01-22", "2024-02-01"]})
    assert element_of(observations, elements, observation_without_time="after").tolist() == ["E1", pd.NA, "E2", "E2"]


def test_12_a_subjects_epoch_does_not_depend_on_other_subjects_records():
    """A date-only observation the day before a date-only element start sits 1 ns before it; an
    unmatched record of another subject once turned the bounds into float64 and lost that ns."""
    from aclf_cdisc.sdtm.epoch import element_of

    elements = pd.DataFrame({"USUBJID": ["A", "A", "B"],
                             "STDTC": ["2024-08-21T13:30", "2024-09-04", "2024-01-10"],
                             "ENDTC": ["2024-09-04", "2025-06-26", "2024-02-01"], "ORDER": [4, 5, 1]},
                            index=["A4", "A5", "B1"])
    alone = pd.DataFrame({"USUBJID": ["A"], "DTC": ["2024-09-03"]})
    both = pd.DataFrame({"USUBJID": ["A", "B"], "DTC": ["2024-09-03", "2024-01-02"]})  # B's: before B's elements
    assert element_of(alone, elements, observation_without_time="after").tolist() == ["A4"]
    assert element_of(both, elements, observation_without_time="after").tolist() == ["A4", pd.NA]
