"""The rules added with the catalogue: one passing and one failing few-row table each, asserted on
(rule, dataset, column, value) or on the record they name."""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from rule_helpers import dataset, found, spec, var

from aclf_cdisc.checks.catalogue import rule_of
from aclf_cdisc.checks.rule import Context
from aclf_cdisc.checks.rules import (
    aclf_ad01_paramcd_param,
    aclf_ad02_chg_aval_base,
    aclf_adsl00_adsl_missing,
    aclf_dm01_death_consistency,
    aclf_dm02_rfxstdtc_ex,
    aclf_lb01_range_on_categorical,
    aclf_ts02_interventional_parameters,
    aclf_xpt01_v5_limits,
    dd0101_define_missing,
    sd0063_label_mismatch,
    sd0065_visit_not_in_sv,
    sd0071_arm_not_in_ta,
    sd0090_aesdth_aeout,
    sd1015_epoch_not_in_ta,
    sd1017_visitnum_not_in_tv,
    sd1020_dm_missing,
    sd1086_dy_incorrect,
    sd1090_stdy_incorrect,
    sd1094_endy_incorrect,
    sd1212_stresn_stresc,
    sd1339_epoch_missing,
    sd1448_stresn_not_numeric,
    sd2280_ts_sdtigver,
)
from aclf_cdisc.transport.meta import XptDataset, XptVariable

DM = pd.DataFrame({"USUBJID": ["A", "B"], "RFSTDTC": ["2023-10-03", "2023-10-10T09:00"]})


def rows(module, datasets, spec_=None, context=None):
    return [i.row for i in rule_of(module).run(datasets, spec_ or spec(), context)]


def test_sd1020_and_aclf_adsl00_gates_fire_only_for_their_standard():
    assert found(sd1020_dm_missing, {"DM": DM}) == []
    assert found(sd1020_dm_missing, {"AE": DM}) == [("SD1020", "DM", None, None)]
    assert found(sd1020_dm_missing, {"ADSL": DM}) == []
    assert found(aclf_adsl00_adsl_missing, {"ADAE": DM}) == [("ACLF-ADSL-00", "ADSL", None, None)]
    assert found(aclf_adsl00_adsl_missing, {"ADAE": DM, "ADSL": DM}) == []
    assert found(aclf_adsl00_adsl_missing, {"DM": DM}) == []


@pytest.mark.parametrize(("value", "expected"), [
    ("3.4", []), ("SDTMIG v3.4", []), ("3.1.2", []),
    ("3.5", [("SD2280", "TS", "TSVAL", "3.5")]), ("", [("SD2280", "TS", "TSPARMCD", None)]),
])
def test_sd2280_sdtigver_present_and_published(value, expected):
    ts = pd.DataFrame({"TSPARMCD": ["SSTDTC", "SDTIGVER"], "TSVAL": ["2023-09-30", value]})
    assert found(sd2280_ts_sdtigver, {"TS": ts}) == expected


def test_dd0101_define_missing_only_when_a_folder_is_validated(tmp_path):
    rule = rule_of(dd0101_define_missing)
    assert [i.rule for i in rule.run({"DM": DM}, spec(), Context(define_expected=True))] == ["DD0101"]
    assert rule.run({"DM": DM}, spec(), Context(define=tmp_path / "define.xml", define_expected=True)) == []
    assert rule.run({"DM": DM}, spec(), Context()) == []  # the build writes define.xml after the checks


def test_sd0063_label_against_the_sdtmig():
    good = spec(dataset("AE", var("AETERM"), var("AESEV")))
    good = spec(dataset("AE", *[v.__class__(**{**v.__dict__, "label": lab}) for v, lab in
                                zip(good.datasets["AE"].variables, ["Reported Term for the Adverse Event",
                                                                    "Severity/Intensity"], strict=True)]))
    frame = pd.DataFrame({"AETERM": ["X"], "AESEV": ["MILD"]})
    assert found(sd0063_label_mismatch, {"AE": frame}, good) == []
    bad = spec(dataset("AE", var("AETERM"), var("XXSPONS")))  # rule_helpers labels a variable with its name
    assert found(sd0063_label_mismatch, {"AE": pd.DataFrame({"AETERM": ["X"], "XXSPONS": [1]})}, bad) == [
        ("SD0063", "AE", "AETERM", "AETERM")]


def test_sd1212_and_sd1448_stresn_against_stresc():
    ok = pd.DataFrame({"RSSTRESC": ["1", "GRADE 1", "2.50", None], "RSSTRESN": [1.0, np.nan, 2.5, np.nan]})
    assert found(sd1212_stresn_stresc, {"RS": ok}) == []
    assert found(sd1448_stresn_not_numeric, {"RS": ok}) == []
    bad = pd.DataFrame({"RSSTRESC": ["1", "GRADE 1", "2"], "RSSTRESN": [2.0, 1.0, 2.0]})
    assert found(sd1212_stresn_stresc, {"RS": bad}) == [("SD1212", "RS", "RSSTRESN", 2.0)]
    assert rows(sd1448_stresn_not_numeric, {"RS": bad}) == [2]


def test_study_day_rules_sd1086_sd1090_sd1094():
    # RFSTDTC 2023-10-03: 10-03 is day 1, 10-02 day -1, 10-05 day 3; partial dates are not compared
    ae = pd.DataFrame({"USUBJID": ["A", "A", "A", "B"],
                       "AESTDTC": ["2023-10-03", "2023-10-02", "2023-10", "2023-10-12"],
                       "AESTDY": [1.0, -1.0, 5.0, 3.0], "AEENDTC": ["2023-10-05T08:00", None, None, None],
                       "AEENDY": [3.0, np.nan, np.nan, np.nan]})
    assert found(sd1090_stdy_incorrect, {"DM": DM, "AE": ae}) == []
    assert found(sd1094_endy_incorrect, {"DM": DM, "AE": ae}) == []
    bad = ae.assign(AESTDY=[0.0, -2.0, 5.0, 3.0], AEENDY=[2.0, np.nan, np.nan, np.nan])
    assert rows(sd1090_stdy_incorrect, {"DM": DM, "AE": bad}) == [1, 2]
    assert found(sd1094_endy_incorrect, {"DM": DM, "AE": bad}) == [("SD1094", "AE", "AEENDY", 2.0)]
    lb = pd.DataFrame({"USUBJID": ["B", "B"], "LBDTC": ["2023-10-09", "2023-10-10"], "LBDY": [-1.0, 2.0]})
    assert rows(sd1086_dy_incorrect, {"DM": DM, "LB": lb}) == [2]
    assert found(sd1086_dy_incorrect, {"LB": lb}) == []  # no DM, no reference date


def test_sd1339_epoch_missing_except_on_partial_dates():
    ae = pd.DataFrame({"USUBJID": ["A"] * 3, "AESTDTC": ["2023-10-03", "2023-10", "2023-10-04"],
                       "EPOCH": ["TREATMENT", None, None]})
    assert rows(sd1339_epoch_missing, {"AE": ae}) == [3]
    assert found(sd1339_epoch_missing, {"AE": ae.iloc[:2]}) == []


TA = pd.DataFrame({"ARMCD": ["P", "P", "M3P", "M3P", "M3P"], "ARM": ["Placebo", "Placebo", "M x3, P", "M x3, P",
                                                                      "M x3, P"],
                   "TAETORD": [1, 2, 1, 2, 3], "EPOCH": ["SCREENING", "TREATMENT", "SCREENING", "TREATMENT",
                                                         "TREATMENT 2"],
                   "TABRANCH": ["Randomized to P", None, "Randomized to M", "Re-randomized to P", None]})


def test_sd1015_epoch_in_ta():
    se = pd.DataFrame({"USUBJID": ["A", "A"], "EPOCH": ["SCREENING", "FOLLOW-UP"]})
    assert found(sd1015_epoch_not_in_ta, {"TA": TA, "SE": se.iloc[:1]}) == []
    assert found(sd1015_epoch_not_in_ta, {"TA": TA, "SE": se}) == [("SD1015", "SE", "EPOCH", "FOLLOW-UP")]


def test_sd0071_arm_in_ta_with_the_multi_stage_exemption():
    dm = pd.DataFrame({"USUBJID": ["A", "B", "C", "D"], "ARMCD": ["P", "M3", "SCRNFAIL", "X"],
                       "ARM": ["Placebo", "M x3", "Screen Failure", "Other"],
                       "ACTARMCD": ["P", "M3", None, "NOTTRT"], "ACTARM": ["Placebo", "M x3", None, "Not Treated"]})
    # M3 is the stage-1 part of the two-stage arm M3P: exempt (SDTMIG 3.4 DM assumption 4)
    assert found(sd0071_arm_not_in_ta, {"DM": dm.iloc[:3], "TA": TA}) == []
    assert found(sd0071_arm_not_in_ta, {"DM": dm, "TA": TA}) == [("SD0071", "DM", "ARMCD", "X / Other")]
    single = TA.assign(TABRANCH=["Randomized to P", None, "Randomized to M", None, None])  # not multi-stage
    assert [i.value for i in rule_of(sd0071_arm_not_in_ta).run({"DM": dm.iloc[:2], "TA": single}, spec())] == [
        "M3 / M x3", "M3 / M x3"]


def test_sd0065_visits_in_sv_and_sd1017_planned_visits_in_tv():
    sv = pd.DataFrame({"USUBJID": ["A", "A", "A"], "VISITNUM": [1.0, 2.0, 2.01], "SVUPDES": [None, None, "Unsched"]})
    tv = pd.DataFrame({"VISITNUM": [1.0, 2.0]})
    lb = pd.DataFrame({"USUBJID": ["A", "A", "A"], "VISITNUM": [1.0, 3.0, 3.0], "LBSTAT": [None, "NOT DONE", None]})
    assert found(sd0065_visit_not_in_sv, {"SV": sv, "LB": lb.iloc[:2]}) == []
    assert rows(sd0065_visit_not_in_sv, {"SV": sv, "LB": lb}) == [3]
    assert found(sd1017_visitnum_not_in_tv, {"SV": sv, "TV": tv}) == []
    assert found(sd1017_visitnum_not_in_tv, {"SV": sv.assign(SVUPDES=None), "TV": tv}) == [
        ("SD1017", "SV", "VISITNUM", 2.01)]
    assert found(sd1017_visitnum_not_in_tv, {"SV": sv.drop(columns="SVUPDES"), "TV": tv}) == []  # cannot tell


def test_sd0090_aesdth_and_aeout_agree():
    ae = pd.DataFrame({"AEOUT": ["FATAL", "RECOVERED/RESOLVED"], "AESDTH": ["Y", "N"]})
    assert found(sd0090_aesdth_aeout, {"AE": ae}) == []
    assert rows(sd0090_aesdth_aeout, {"AE": ae.assign(AESDTH=["N", "Y"])}) == [1, 2]


def test_aclf_dm01_death_across_dm_ds_ae():
    dm = pd.DataFrame({"USUBJID": ["A", "B"], "DTHFL": ["Y", None], "DTHDTC": ["2024-01-05", None]})
    ds = pd.DataFrame({"USUBJID": ["A", "B"], "DSDECOD": ["DEATH", "COMPLETED"]})
    ae = pd.DataFrame({"USUBJID": ["A"], "AEOUT": ["FATAL"], "AESDTH": ["Y"]})
    assert found(aclf_dm01_death_consistency, {"DM": dm, "DS": ds, "AE": ae}) == []
    got = found(aclf_dm01_death_consistency, {"DM": dm.assign(DTHFL=[None, None]), "DS": ds, "AE": ae})
    assert got == [("ACLF-DM-01", "DM", "DTHFL", "A"), ("ACLF-DM-01", "DM", "DTHFL", "A"),
                   ("ACLF-DM-01", "DM", "DTHDTC", "A")]


def test_aclf_dm02_rfxstdtc_rfxendtc_from_ex():
    ex = pd.DataFrame({"USUBJID": ["A", "A"], "EXSTDTC": ["2023-10-03T09:00", "2023-10-10"],
                       "EXENDTC": ["2023-10-03", None]})
    dm = pd.DataFrame({"USUBJID": ["A", "B"], "RFXSTDTC": ["2023-10-03T09:00", None], "RFXENDTC": ["2023-10-10", None]})
    assert found(aclf_dm02_rfxstdtc_ex, {"DM": dm, "EX": ex}) == []
    got = found(aclf_dm02_rfxstdtc_ex, {"DM": dm.assign(RFXENDTC=["2023-10-03", None]), "EX": ex})
    assert got == [("ACLF-DM-02", "DM", "RFXENDTC", "2023-10-03")]


def test_aclf_lb01_ranges_only_on_continuous_results():
    lb = pd.DataFrame({"LBORRES": ["5.2", "<5", ">= 200", "POSITIVE"], "LBORNRLO": ["3", "3", "3", None],
                       "LBSTNRHI": [10.0, 10.0, 10.0, np.nan]})
    assert found(aclf_lb01_range_on_categorical, {"LB": lb}) == []
    bad = lb.assign(LBORNRLO=["3", "3", "3", "NEGATIVE"])
    assert found(aclf_lb01_range_on_categorical, {"LB": bad}) == [("ACLF-LB-01", "LB", "LBORNRLO", "NEGATIVE")]


def test_aclf_xpt01_v5_limits_from_file_headers():
    meta = XptDataset(name="AE", label="Adverse Events",
                      variables=(XptVariable("AETERM", "Reported Term", "char", 200),))
    rule = rule_of(aclf_xpt01_v5_limits)
    assert rule.run({"AE": pd.DataFrame({"AETERM": ["x"]})}, spec(), Context(file_metadata={"AE": meta})) == []
    long = XptDataset(name="AE", label="A" * 41, variables=(XptVariable("AETERM", "L" * 41, "char", 201),))
    got = [(i.column, i.value) for i in rule.run({"AE": pd.DataFrame({"AETERM": ["x"]})}, spec(),
                                                 Context(file_metadata={"AE": long}))]
    assert got == [(None, "A" * 41), ("AETERM", "L" * 41), ("AETERM", 201)]


def test_aclf_xpt01_numbers_the_xpt_writer_would_refuse_are_found_in_the_build():
    # IBM doubles hold magnitudes in [16**-65, 16**63): 7.2e75 is 16**63, just out; 1e-80 below 16**-65
    ec = dataset("EC", var("ECDOSE", "float"), var("ECSEQ", "integer"), var("ECTRT"))
    frame = pd.DataFrame({"ECDOSE": [100.0, 1e200, np.nan, -np.inf, 7.237005577332262e75, 1e-80, 0.0],
                          "ECSEQ": [1, 2, 3, 4, 5, 6, 7], "ECTRT": ["1e400"] * 7})
    rule = rule_of(aclf_xpt01_v5_limits)
    got = [(i.row, i.column, i.value) for i in rule.run({"EC": frame}, spec(ec), Context())]
    assert got == [(2, "ECDOSE", 1e200), (4, "ECDOSE", -np.inf), (5, "ECDOSE", 7.237005577332262e75),
                   (6, "ECDOSE", 1e-80)]
    assert rule.run({"EC": frame.assign(ECDOSE=[100.0, 7.2e75, np.nan, -5.4e-79, 1.0, 2.0, 0.0])},
                    spec(ec), Context()) == []


@given(st.lists(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from(
    [0.0, -0.0, 16.0**63, -16.0**63, np.nextafter(16.0**63, 0), 16.0**-65, np.nextafter(16.0**-65, 0), 5e-324])),
    max_size=30))
def test_aclf_xpt01_numbers_are_judged_as_the_xpt_writer_judges_them(values):
    from aclf_cdisc.transport.ibm import ibm_range_mask

    array = np.array(values, dtype=np.float64)
    expected = [(int(p) + 1, float(array[p])) for p in np.flatnonzero(np.isinf(array) | ibm_range_mask(array))]
    assert aclf_xpt01_v5_limits.numbers_xpt_cannot_hold(pd.Series(array)) == expected


def test_aclf_ad01_paramcd_param_one_to_one():
    ok = pd.DataFrame({"PARAMCD": ["MELD", "MELD", "CLIF"], "PARAM": ["MELD Score", "MELD Score", "CLIF-C ACLF"]})
    assert found(aclf_ad01_paramcd_param, {"ADLB": ok}) == []
    bad = ok.assign(PARAM=["MELD Score", "MELD", "MELD"])
    assert sorted(found(aclf_ad01_paramcd_param, {"ADLB": bad})) == [
        ("ACLF-AD-01", "ADLB", "PARAM", "MELD"), ("ACLF-AD-01", "ADLB", "PARAMCD", "MELD")]


def test_aclf_ad02_chg_is_aval_minus_base():
    ok = pd.DataFrame({"AVAL": [20.0, 18.5, 17.0], "BASE": [20.0, 20.0, np.nan], "CHG": [np.nan, -1.5, np.nan]})
    assert found(aclf_ad02_chg_aval_base, {"ADLB": ok}) == []
    bad = ok.assign(CHG=[0.0, 1.5, 2.0])
    assert found(aclf_ad02_chg_aval_base, {"ADLB": bad}) == [("ACLF-AD-02", "ADLB", "CHG", 1.5),
                                                            ("ACLF-AD-02", "ADLB", "CHG", 2.0)]


def test_every_catalogued_rule_has_a_test_in_this_folder():
    tests = "\n".join(p.read_text(encoding="utf-8") for p in Path(__file__).parent.glob("test_*.py"))
    from aclf_cdisc.checks.catalogue import RULES

    assert [r.module for r in RULES if r.module not in tests] == []


def test_aclf_ts02_interventional_parameters_answered():
    ts = pd.DataFrame({"TSPARMCD": ["STYPE", "INTMODEL", "INTTYPE", "PCLAS"],
                       "TSVAL": ["INTERVENTIONAL", "PARALLEL", "BIOLOGIC", None], "TSVALNF": [None, None, None, "UNK"]})
    assert found(aclf_ts02_interventional_parameters, {"TS": ts}) == []
    assert found(aclf_ts02_interventional_parameters, {"TS": ts.drop(columns="TSVALNF").iloc[:3]}) == [
        ("ACLF-TS-02", "TS", "TSPARMCD", "PCLAS")]
    observational = ts.assign(TSVAL=["OBSERVATIONAL", None, None, None], TSVALNF=None)
    assert found(aclf_ts02_interventional_parameters, {"TS": observational}) == []
