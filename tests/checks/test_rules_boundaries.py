"""ACLF-EPOCH-01, ACLF-EX-01 and ACLF-LB-02: a failing and a passing example each (hand-made rows)."""

from __future__ import annotations

import pandas as pd
from rule_helpers import dataset, found, spec, var

from aclf_cdisc.checks.catalogue import rule_of
from aclf_cdisc.checks.rules import aclf_epoch01_before_element, aclf_ex01_not_in_ec, aclf_lb02_mixed_unit_systems
from aclf_cdisc.compact import compact_frame

SE = pd.DataFrame({
    "USUBJID": ["S-1", "S-1", "S-1"],
    "EPOCH": ["SCREENING", "TREATMENT 1", "FOLLOW-UP"],
    "SESTDTC": ["2024-01-01", "2024-01-08T11:50", "2024-01-29"],
    "SEENDTC": ["2024-01-08T11:50", "2024-01-29", "2024-12-01"],
})
SPEC = spec(dataset("SE", var("USUBJID")), dataset("LB", var("USUBJID")), dataset("AE", var("USUBJID")),
            dataset("EX", var("USUBJID")), dataset("EC", var("USUBJID")))


def test_epoch01_flags_a_pre_dose_lab_in_the_treatment_epoch():
    lb = pd.DataFrame({"USUBJID": ["S-1", "S-1"], "LBDTC": ["2024-01-08T07:30", "2024-01-08T07:30"],
                       "EPOCH": ["TREATMENT 1", "SCREENING"]})
    assert found(aclf_epoch01_before_element, {"SE": SE, "LB": lb}, SPEC) == [
        ("ACLF-EPOCH-01", "LB", "LBDTC", "2024-01-08T07:30")]


def test_epoch01_passes_post_dose_same_day_date_only_and_partial_records():
    lb = pd.DataFrame({"USUBJID": ["S-1", "S-1", "S-1"], "LBDTC": ["2024-01-08T11:50", "2024-01-08", "2024-01"],
                       "EPOCH": ["TREATMENT 1", "TREATMENT 1", "TREATMENT 1"]})
    ae = pd.DataFrame({"USUBJID": ["S-1"], "AESTDTC": ["2024-01-29"], "EPOCH": ["FOLLOW-UP"]})
    assert found(aclf_epoch01_before_element, {"SE": SE, "LB": lb, "AE": ae}, SPEC) == []
    early_day = pd.DataFrame({"USUBJID": ["S-1"], "AESTDTC": ["2024-01-28"], "EPOCH": ["FOLLOW-UP"]})
    assert found(aclf_epoch01_before_element, {"SE": SE, "AE": early_day}, SPEC) == [
        ("ACLF-EPOCH-01", "AE", "AESTDTC", "2024-01-28")]


def test_epoch01_on_many_subjects_and_epochs_names_the_rows_the_messages_and_the_starts():
    # three subjects, each entering its epochs on other days; a subject without SE records and an
    # epoch a subject never entered are not judged; compacted columns read as the records
    se = pd.DataFrame({
        "USUBJID": ["S-1", "S-1", "S-2", "S-2", "S-2", "S-3"],
        "EPOCH": ["SCREENING", "TREATMENT 1", "SCREENING", "TREATMENT 1", "TREATMENT 1", "SCREENING"],
        "SESTDTC": ["2024-01-01", "2024-01-08T11:50", "2024-02-01", "2024-02-09", "2024-02-08T09:00", "2024-03-01"]})
    lb = pd.DataFrame({
        "USUBJID": ["S-2", "S-1", "S-2", "S-3", "S-4", "S-3", "S-1", "S-2"],
        "EPOCH": ["TREATMENT 1", "TREATMENT 1", "TREATMENT 1", "TREATMENT 1", "SCREENING", "SCREENING",
                  "SCREENING", None],
        "LBDTC": ["2024-02-08T08:59", "2024-01-08", "2024-02-08T09:00", "2024-01-01", "2020-01-01", "2024-02-29",
                  "2023-12-31T23:59", "2020-01-01"]})
    expected = [  # row: S-2 before its first TREATMENT 1 element (the 08 Feb one), S-3 and S-1 before screening
        (1, "LBDTC is before the subject's first TREATMENT 1 element starts (2024-02-08 09:00:00)"),
        (6, "LBDTC is before the subject's first SCREENING element starts (2024-03-01 00:00:00)"),
        (7, "LBDTC is before the subject's first SCREENING element starts (2024-01-01 00:00:00)")]
    for frame in (lb, compact_frame(lb)):
        issues = rule_of(aclf_epoch01_before_element).run({"SE": se, "LB": frame}, SPEC)
        assert [(i.row, i.message) for i in issues] == expected
        assert [i.value for i in issues] == ["2024-02-08T08:59", "2024-02-29", "2023-12-31T23:59"]


EC = pd.DataFrame({"USUBJID": ["S-1", "S-1"], "ECLNKID": ["Week 0", "Week 1"], "ECOCCUR": ["Y", "N"]})


def test_ex01_flags_an_exposure_collected_as_not_given():
    ex = pd.DataFrame({"USUBJID": ["S-1", "S-1"], "EXLNKID": ["Week 0", "Week 1"]})
    assert found(aclf_ex01_not_in_ec, {"EX": ex, "EC": EC}, SPEC) == [("ACLF-EX-01", "EX", "EXLNKID", "Week 1")]


def test_ex01_passes_exposures_collected_as_given_and_builds_without_ec():
    ex = pd.DataFrame({"USUBJID": ["S-1"], "EXLNKID": ["Week 0"]})
    assert found(aclf_ex01_not_in_ec, {"EX": ex, "EC": EC}, SPEC) == []
    assert found(aclf_ex01_not_in_ec, {"EX": ex}, SPEC) == []
    by_date = pd.DataFrame({"USUBJID": ["S-1"], "EXSTDTC": ["2024-01-08T11:50"]})
    ec = pd.DataFrame({"USUBJID": ["S-1"], "ECSTDTC": ["2024-01-08T11:50"]})
    assert found(aclf_ex01_not_in_ec, {"EX": by_date, "EC": ec}, SPEC) == []


def _study_units(system):
    import dataclasses

    from rule_helpers import STUDY
    study = dataclasses.replace(STUDY, conventions={"lab_unit_system": system} if system else {})
    return dataclasses.replace(spec(dataset("LB", var("USUBJID"))), study=study)


LB_UNITS = pd.DataFrame({"USUBJID": "S-1", "LBTESTCD": ["BILI", "BILI", "CREAT", "ALB", "ALT", "INR"],
                         "LBSTRESU": ["mg/dL", "mg/dL", "mg/dL", "g/L", "U/L", "RATIO"]})


def test_lb02_flags_mixed_unit_systems_in_stresu():
    # the study states SI: each conventional unit of a test is one finding, on its first record
    assert found(aclf_lb02_mixed_unit_systems, {"LB": LB_UNITS}, _study_units("SI")) == [
        ("ACLF-LB-02", "LB", "LBSTRESU", "mg/dL"), ("ACLF-LB-02", "LB", "LBSTRESU", "mg/dL")]
    rows = [i.row for i in rule_of(aclf_lb02_mixed_unit_systems).run({"LB": LB_UNITS}, _study_units("SI"))]
    assert rows == [1, 3]
    # no stated system: the majority (3 conventional records against 1 SI) decides, g/L is flagged
    assert found(aclf_lb02_mixed_unit_systems, {"LB": LB_UNITS}, _study_units(None)) == [
        ("ACLF-LB-02", "LB", "LBSTRESU", "g/L")]


def test_lb02_passes_one_system_and_units_both_systems_use():
    si = LB_UNITS.assign(LBSTRESU=["umol/L", "umol/L", "umol/L", "g/L", "U/L", "RATIO"])
    assert found(aclf_lb02_mixed_unit_systems, {"LB": si}, _study_units("SI")) == []
    assert found(aclf_lb02_mixed_unit_systems, {"LB": si}, _study_units(None)) == []
    conventional = LB_UNITS.assign(LBSTRESU=["mg/dL", "mg/dL", "mg/dL", "g/dL", "U/L", None])
    assert found(aclf_lb02_mixed_unit_systems, {"LB": conventional}, _study_units(None)) == []
