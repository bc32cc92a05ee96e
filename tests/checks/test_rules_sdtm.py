"""SDTM rules: one passing and one failing few-row table each, asserted on (rule, dataset, column, value)."""

import pandas as pd
import pytest
from rule_helpers import dataset, found, spec, var

from aclf_cdisc.checks.catalogue import rule_of
from aclf_cdisc.checks.rules import (
    sd0002_null_required,
    sd0003_iso8601,
    sd0013_start_after_end,
    sd0056_required_variable_missing,
    sd0057_expected_variable_missing,
    sd0070_no_exposure,
    sd0087_rfstdtc_missing,
    sd1082_length_too_long,
    sd1117_duplicate_records,
)

AE_SPEC = spec(dataset("AE", var("USUBJID", core="Req"), var("AESEQ", "integer", 8, core="Req"),
                       var("AETERM", length=20, core="Req"), var("AESTDTC", "partialDatetime", core="Exp"),
                       var("AEENDTC", "partialDatetime", core="Exp"), var("AESEV", length=8)))


def test_sd0002_null_in_required_variable():
    ok = pd.DataFrame({"USUBJID": ["A"], "AESEQ": [1.0], "AETERM": ["HEADACHE"]})
    assert found(sd0002_null_required, {"AE": ok}, AE_SPEC) == []
    bad = pd.DataFrame({"USUBJID": ["A", "A", "B"], "AESEQ": [1.0, None, 1.0], "AETERM": ["X", "X", " "]})
    assert found(sd0002_null_required, {"AE": bad}, AE_SPEC) == [
        ("SD0002", "AE", "AESEQ", None), ("SD0002", "AE", "AETERM", None)]
    assert [i.row for i in rule_of(sd0002_null_required).run({"AE": bad}, AE_SPEC)] == [2, 3]


@pytest.mark.parametrize("value", ["2023", "2023-09", "2023-09-30", "2023-09-30T10:15", "2023-09-30T10:15:30",
                                   "2023---30", "2024-02-29", "2023-09-30/2023-10-02", None, ""])
def test_sd0003_valid_iso8601_passes(value):
    dm = pd.DataFrame({"USUBJID": ["A"], "RFSTDTC": [value], "BRTHDTC": ["1970"]})
    assert found(sd0003_iso8601, {"DM": dm}) == []


@pytest.mark.parametrize("value", ["2023-9-30", "30SEP2023", "2023-02-30", "2023-13", "2023-09-30T25:00",
                                   "2023-09-", "2023-09-30 10:15", "UNK-09-30"])
def test_sd0003_invalid_iso8601_fails(value):
    ae = pd.DataFrame({"USUBJID": ["A", "A"], "AESTDTC": ["2023-09-01", value]})
    assert found(sd0003_iso8601, {"AE": ae}) == [("SD0003", "AE", "AESTDTC", value)]


def test_sd0003_skips_adam_datasets():
    assert found(sd0003_iso8601, {"ADAE": pd.DataFrame({"AESTDTC": ["junk"]})}) == []


def test_sd0013_start_after_end_at_shared_precision():
    ok = pd.DataFrame({"AESTDTC": ["2023-09-01", "2023-09", "2023-09-15T10:00", None, "2023-09-15"],
                       "AEENDTC": ["2023-09-01", "2023-09-01", "2023-09-15", "2023-01-01", "2023-09"]})
    assert found(sd0013_start_after_end, {"AE": ok}) == []
    bad = pd.DataFrame({"AESTDTC": ["2023-10", "2023-09-15T10:00", "2023-09-02"],
                        "AEENDTC": ["2023-09-15", "2023-09-15T09:59", "2023-09-01"]})
    assert found(sd0013_start_after_end, {"AE": bad}) == [
        ("SD0013", "AE", "AESTDTC", "2023-10"), ("SD0013", "AE", "AESTDTC", "2023-09-15T10:00"),
        ("SD0013", "AE", "AESTDTC", "2023-09-02")]


def test_sd0013_reference_dates_in_dm():
    dm = pd.DataFrame({"RFSTDTC": ["2023-09-02"], "RFENDTC": ["2023-09-01"]})
    assert found(sd0013_start_after_end, {"DM": dm}) == [("SD0013", "DM", "RFSTDTC", "2023-09-02")]


def test_sd0056_sd0057_required_and_expected_variables_present():
    full = pd.DataFrame(columns=["USUBJID", "AESEQ", "AETERM", "AESTDTC", "AEENDTC"])
    assert found(sd0056_required_variable_missing, {"AE": full}, AE_SPEC) == []
    assert found(sd0057_expected_variable_missing, {"AE": full}, AE_SPEC) == []
    thin = pd.DataFrame(columns=["USUBJID", "AESEQ", "AESTDTC", "AESEV"])
    assert found(sd0056_required_variable_missing, {"AE": thin}, AE_SPEC) == [("SD0056", "AE", "AETERM", None)]
    assert found(sd0057_expected_variable_missing, {"AE": thin}, AE_SPEC) == [("SD0057", "AE", "AEENDTC", None)]
    assert rule_of(sd0057_expected_variable_missing).severity == "warning"


DM = pd.DataFrame({
    "USUBJID": ["A", "B", "C", "D", "E"],
    "ARMCD": ["TRT", "SCRNFAIL", "TRT", "TRT", None],
    "ACTARMCD": ["TRT", "SCRNFAIL", "NOTTRT", "TRT", None],
    "RFSTDTC": ["2023-09-01", None, "2023-09-03", "2023-09-04", None],
})


def test_sd0070_exposure_for_treated_subjects():
    ex = pd.DataFrame({"USUBJID": ["A", "D"]})
    assert found(sd0070_no_exposure, {"DM": DM, "EX": ex}) == []
    mixed_case = DM.assign(ARMCD=DM["ARMCD"].str.title(), ACTARMCD=["TRT", "Scrnfail", "NotTrt", "TRT", None])
    assert found(sd0070_no_exposure, {"DM": mixed_case, "EX": ex}) == []
    assert found(sd0070_no_exposure, {"DM": DM, "EX": ex.iloc[:1]}) == [("SD0070", "DM", "USUBJID", "D")]


def test_sd0087_rfstdtc_for_randomized_subjects():
    assert found(sd0087_rfstdtc_missing, {"DM": DM}) == []
    assert found(sd0087_rfstdtc_missing, {"DM": DM.assign(ARMCD=["TRT", "Scrnfail", "TRT", "TRT", None])}) == []
    bad = DM.assign(RFSTDTC=["2023-09-01", None, "", "2023-09-04", None])
    assert found(sd0087_rfstdtc_missing, {"DM": bad}) == [("SD0087", "DM", "RFSTDTC", None)]
    assert [i.row for i in rule_of(sd0087_rfstdtc_missing).run({"DM": bad}, spec())] == [3]


def test_sd1082_declared_length_above_longest_value():
    ok = pd.DataFrame({"USUBJID": ["A"], "AESEQ": [1.0], "AETERM": ["A" * 20], "AESEV": ["MODERATE"]})
    assert found(sd1082_length_too_long, {"AE": ok}, AE_SPEC) == []
    short = ok.assign(AETERM=["HEADACHE"], AESEV=["MILD"])
    assert found(sd1082_length_too_long, {"AE": short}, AE_SPEC) == [
        ("SD1082", "AE", "AETERM", 20), ("SD1082", "AE", "AESEV", 8)]
    all_null = ok.assign(AESEV=[None])  # left to the "missing for all records" checks, as Pinnacle 21 does
    assert found(sd1082_length_too_long, {"AE": all_null}, AE_SPEC) == []


def test_sd1082_counts_bytes_and_takes_written_lengths():
    frame = pd.DataFrame({"LBORRESU": ["µmol/L", "g/L"]})  # 7 bytes in UTF-8
    rule = rule_of(sd1082_length_too_long)
    assert sd1082_length_too_long.length_issues(rule, "LB", frame, {"LBORRESU": 7}) == []
    assert sd1082_length_too_long.length_issues(rule, "LB", frame, {"LBORRESU": None}) == []
    [issue] = sd1082_length_too_long.length_issues(rule, "LB", frame, {"LBORRESU": 40})
    assert (issue.column, issue.value, issue.expected) == ("LBORRESU", 40, "length 7")


def test_sd1117_duplicate_records_ignore_seq():
    ok = pd.DataFrame({"USUBJID": ["A", "A"], "AESEQ": [1.0, 2.0], "AETERM": ["X", "Y"]})
    assert found(sd1117_duplicate_records, {"AE": ok}) == []
    bad = pd.DataFrame({"USUBJID": ["A", "A", "A"], "AESEQ": [1.0, 2.0, 3.0], "AETERM": ["X", "Y", "X"],
                        "AEENDTC": [None, None, float("nan")]})
    assert found(sd1117_duplicate_records, {"AE": bad}) == [("SD1117", "AE", None, "same as record 1")]
