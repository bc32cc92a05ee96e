"""Each conformance rule: one passing and one failing few-row table, asserted on (rule, dataset, column, value)."""

from dataclasses import replace

import pandas as pd
import pytest

from aclf_cdisc.checks.catalogue import rule_of
from aclf_cdisc.checks.rules import (
    ad0019_population_flag_empty,
    ad0320_adsl_label,
    sd0005_duplicate_seq,
    sd0038_study_day_zero,
    sd0064_subject_not_in_dm,
    sd0083_duplicate_usubjid_dm,
    sd1115_ts_missing,
    sd2232_ts_sstdtc_missing,
    sd2247_ts_sstdtc_invalid,
)
from aclf_cdisc.spec.model import Dataset, Spec, Study


def _dataset(name, standard="SDTM", label="x"):
    return Dataset(name=name, label=label, standard=standard, class_="X", structure="x",
                   purpose="Tabulation", keys=(), sort_order=(), variables=())


STUDY = Study(studyid="S", title="t", protocol="p", sponsor="s", registry_id="r", ct_versions={},
              meddra_version="27.1", arms=(), elements=(), trial_arms=(), epochs=(), visits=(),
              trial_summary=(), inclusion_exclusion=())
SPEC = Spec(study=STUDY, datasets={"DM": _dataset("DM"), "TS": _dataset("TS"),
                                   "ADSL": _dataset("ADSL", "ADaM", "Subject-Level Analysis Dataset")},
            codelists={}, methods={}, comments={}, documents={})


def found(rule_module, datasets, spec=SPEC):
    return [(i.rule, i.dataset, i.column, i.value) for i in rule_of(rule_module).run(datasets, spec)]


def test_sd0005_duplicate_seq():
    ok = pd.DataFrame({"USUBJID": ["A", "A", "B"], "AESEQ": [1.0, 2.0, 1.0]})
    assert found(sd0005_duplicate_seq, {"AE": ok}) == []
    bad = pd.DataFrame({"USUBJID": ["A", "A", "B"], "AESEQ": [1.0, 1.0, 1.0]})
    assert found(sd0005_duplicate_seq, {"AE": bad}) == [("SD0005", "AE", "AESEQ", "A AESEQ=1.0")] * 2


def test_sd0038_study_day_zero():
    assert found(sd0038_study_day_zero, {"LB": pd.DataFrame({"LBDY": [-1.0, 1.0, None]})}) == []
    assert found(sd0038_study_day_zero, {"AE": pd.DataFrame({"AESTDY": [1.0, 0.0]})}) == [("SD0038", "AE", "AESTDY", 0)]


def test_sd0064_subject_not_in_dm():
    dm = pd.DataFrame({"USUBJID": ["A", "B"]})
    assert found(sd0064_subject_not_in_dm, {"DM": dm, "AE": pd.DataFrame({"USUBJID": ["A"]})}) == []
    got = found(sd0064_subject_not_in_dm, {"DM": dm, "AE": pd.DataFrame({"USUBJID": ["A", "Z", "Z"]})})
    assert got == [("SD0064", "AE", "USUBJID", "Z")]
    # RELREC's dataset-level records name no subject: missing in memory, blank read back from XPT
    relrec = pd.DataFrame({"USUBJID": [None, "", "  "], "RDOMAIN": ["EC", "EX", "EX"]})
    assert found(sd0064_subject_not_in_dm, {"DM": dm, "RELREC": relrec}) == []


def test_sd0083_duplicate_usubjid():
    assert found(sd0083_duplicate_usubjid_dm, {"DM": pd.DataFrame({"USUBJID": ["A", "B"]})}) == []
    got = found(sd0083_duplicate_usubjid_dm, {"DM": pd.DataFrame({"USUBJID": ["A", "A"]})})
    assert got == [("SD0083", "DM", "USUBJID", "A")] * 2


@pytest.mark.parametrize(
    ("tsval", "expected"),
    [("2023-09-30", []), ("2023-09", [("SD2247", "TS", "TSVAL", "2023-09")]),
     ("2023-02-30", [("SD2247", "TS", "TSVAL", "2023-02-30")])],
)
def test_sd2247_sstdtc_complete_date(tsval, expected):
    ts = pd.DataFrame({"TSPARMCD": ["TITLE", "SSTDTC"], "TSVAL": ["x", tsval]})
    assert found(sd2247_ts_sstdtc_invalid, {"TS": ts}) == expected
    assert found(sd2232_ts_sstdtc_missing, {"TS": ts}) == []


def test_sd1115_missing_ts_and_sd2232_missing_sstdtc():
    dm = pd.DataFrame({"USUBJID": ["A"]})
    assert found(sd1115_ts_missing, {"DM": dm}) == [("SD1115", "TS", None, None)]
    assert found(sd1115_ts_missing, {}) == []  # nothing SDTM in the run
    ts = pd.DataFrame({"TSPARMCD": ["TITLE", "SSTDTC"], "TSVAL": ["x", ""]})
    assert found(sd1115_ts_missing, {"DM": dm, "TS": ts}) == []
    assert found(sd2232_ts_sstdtc_missing, {"TS": ts}) == [("SD2232", "TS", "TSPARMCD", None)]
    assert found(sd2232_ts_sstdtc_missing, {"TS": ts.iloc[:1]}) == [("SD2232", "TS", "TSPARMCD", None)]


def test_ad0019_population_flags():
    assert found(ad0019_population_flag_empty, {"ADSL": pd.DataFrame({"ITTFL": ["Y", "N"]})}) == []
    got = found(ad0019_population_flag_empty, {"ADSL": pd.DataFrame({"ITTFL": ["Y", None], "SAFFL": ["", "Y"]})})
    assert got == [("AD0019", "ADSL", "ITTFL", None), ("AD0019", "ADSL", "SAFFL", "")]


def test_ad0320_adsl_label():
    assert found(ad0320_adsl_label, {}) == []
    wrong = replace(SPEC, datasets={"ADSL": _dataset("ADSL", "ADaM", "Subject Level")})
    assert found(ad0320_adsl_label, {}, wrong) == [("AD0320", "ADSL", None, "Subject Level")]


def test_aclf_ts01_sstdtc_not_after_first_consent():
    from aclf_cdisc.checks.rules import aclf_ts01_sstdtc_after_consent as rule

    ts = pd.DataFrame({"TSPARMCD": ["SSTDTC"], "TSVAL": ["2023-09-30"]})
    dm = pd.DataFrame({"USUBJID": ["S-1", "S-2"], "RFICDTC": ["2023-10-02", "2023-09-30T08:00"]})
    assert found(rule, {"TS": ts, "DM": dm}) == []
    early = dm.assign(RFICDTC=["2023-10-02", "2023-09-29"])
    assert found(rule, {"TS": ts, "DM": early}) == [("ACLF-TS-01", "TS", "TSVAL", "2023-09-30")]
