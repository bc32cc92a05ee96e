"""ACLF-EPOCH-01 and ACLF-EX-01: a failing and a passing example each (hand-made rows)."""

from __future__ import annotations

import pandas as pd
from rule_helpers import dataset, found, spec, var

from aclf_cdisc.checks.rules import aclf_epoch01_before_element, aclf_ex01_not_in_ec

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
