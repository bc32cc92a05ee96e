"""ADaM and cross-dataset rules: one passing and one failing few-row table each."""

import pandas as pd
from rule_helpers import dataset, found, spec, var

from aclf_cdisc.checks.catalogue import rule_of
from aclf_cdisc.checks.rules import (
    aclf_adsl01_dm_values,
    aclf_tte01_cnsr_value,
    aclf_tte02_adt_before_startdt,
    aclf_tte03_aval_days,
    ad0047_required_variable_missing,
    ad0245_cnsr_without_startdt,
    ad0246_cnsr_without_adt,
    ad0247_cnsr_record_incomplete,
    ad0258_adae_not_in_ae,
)


def dates(*values):
    return pd.Series(pd.to_datetime(list(values))).astype("datetime64[ns]")


ADSL_COLUMNS = ["STUDYID", "USUBJID", "SUBJID", "SITEID", "AGE", "AGEU", "SEX", "RACE", "ARM", "TRT01P"]
BDS_COLUMNS = ["STUDYID", "USUBJID", "PARAMCD", "PARAM", "AVAL"]


def test_ad0047_required_adam_variables():
    datasets = {"ADSL": pd.DataFrame(columns=ADSL_COLUMNS), "ADLB": pd.DataFrame(columns=BDS_COLUMNS),
                "ADTTE": pd.DataFrame(columns=[*BDS_COLUMNS, "CNSR"])}
    assert found(ad0047_required_variable_missing, datasets) == []
    bad = {"ADSL": pd.DataFrame(columns=[c for c in ADSL_COLUMNS if c != "TRT01P"]),
           "ADLB": pd.DataFrame(columns=["STUDYID", "USUBJID", "PARAMCD", "PARAM", "AVALC"]),
           "ADTTE": pd.DataFrame(columns=BDS_COLUMNS[:-1])}
    assert found(ad0047_required_variable_missing, bad) == [
        ("AD0047", "ADSL", "TRT01P", None), ("AD0047", "ADTTE", "CNSR", None), ("AD0047", "ADTTE", "AVAL", None)]


def test_ad0047_kind_comes_from_the_spec():
    tte = spec(dataset("ADEFF", standard="ADaM", class_="BASIC DATA STRUCTURE", subclass="TIME-TO-EVENT"))
    got = found(ad0047_required_variable_missing, {"ADEFF": pd.DataFrame(columns=BDS_COLUMNS)}, tte)
    assert got == [("AD0047", "ADEFF", "CNSR", None)]


def tte(**changes):
    frame = pd.DataFrame({"USUBJID": ["A", "B"], "PARAMCD": ["TFS", "TFS"], "CNSR": [0.0, 1.0],
                          "STARTDT": dates("2023-09-01", "2023-09-01"), "ADT": dates("2023-09-01", "2023-09-30"),
                          "AVAL": [1.0, 30.0]})
    return frame.assign(**changes)


def test_ad0245_ad0246_tte_date_variables_present():
    for module in (ad0245_cnsr_without_startdt, ad0246_cnsr_without_adt):
        assert found(module, {"ADTTE": tte()}) == []
        assert found(module, {"ADLB": pd.DataFrame({"AVAL": [1.0]})}) == []
    assert found(ad0245_cnsr_without_startdt, {"ADTTE": tte().drop(columns="STARTDT")}) == [
        ("AD0245", "ADTTE", "STARTDT", None)]
    assert found(ad0246_cnsr_without_adt, {"ADTTE": tte().drop(columns="ADT")}) == [
        ("AD0246", "ADTTE", "ADT", None)]
    assert found(ad0246_cnsr_without_adt, {"ADTTE": tte().rename(columns={"ADT": "ADTM"})}) == []


def test_ad0247_populated_cnsr_needs_aval_startdt_adt():
    assert found(ad0247_cnsr_record_incomplete, {"ADTTE": tte()}) == []
    bad = tte(AVAL=[1.0, None], ADT=dates("2023-09-01", None), STARTDT=dates(None, "2023-09-01"))
    got = rule_of(ad0247_cnsr_record_incomplete).run({"ADTTE": bad}, spec())
    assert [(i.rule, i.row, i.column) for i in got] == [("AD0247", 1, "STARTDT"), ("AD0247", 2, "AVAL"),
                                                          ("AD0247", 2, "ADT")]
    no_cnsr = tte(CNSR=[None, None], AVAL=[None, None])
    assert found(ad0247_cnsr_record_incomplete, {"ADTTE": no_cnsr}) == []


def test_aclf_tte01_cnsr_zero_or_positive_integer():
    assert found(aclf_tte01_cnsr_value, {"ADTTE": tte(CNSR=[0, 2])}) == []
    got = found(aclf_tte01_cnsr_value, {"ADTTE": pd.DataFrame({"CNSR": [None, -1.0, 0.5, "Y", 1.0]})})
    assert got == [("ACLF-TTE-01", "ADTTE", "CNSR", v) for v in (None, -1.0, 0.5, "Y")]


def test_aclf_tte02_adt_not_before_startdt():
    assert found(aclf_tte02_adt_before_startdt, {"ADTTE": tte()}) == []
    bad = tte(ADT=dates("2023-08-31", "2023-09-30"))
    assert found(aclf_tte02_adt_before_startdt, {"ADTTE": bad}) == [
        ("ACLF-TTE-02", "ADTTE", "ADT", "2023-08-31")]


def test_aclf_tte03_aval_is_adt_minus_startdt_plus_one():
    assert found(aclf_tte03_aval_days, {"ADTTE": tte()}) == []
    sas_days = tte(STARTDT=[23254.0, 23254.0], ADT=[23254.0, 23283.0])  # transport form: SAS day numbers
    assert found(aclf_tte03_aval_days, {"ADTTE": sas_days}) == []
    assert found(aclf_tte03_aval_days, {"ADTTE": tte(AVAL=[0.0, 30.0])}) == [("ACLF-TTE-03", "ADTTE", "AVAL", 0.0)]
    weeks = tte(AVAL=[1.0, 5.0], AVALU=["DAYS", "WEEKS"])
    assert found(aclf_tte03_aval_days, {"ADTTE": weeks}) == []


def test_ad0258_adae_traceable_to_ae():
    ae = pd.DataFrame({"STUDYID": ["S", "S"], "USUBJID": ["A", "A"], "AESEQ": [1.0, 2.0]})
    adae = pd.DataFrame({"STUDYID": ["S"], "USUBJID": ["A"], "AESEQ": [2]})
    assert found(ad0258_adae_not_in_ae, {"AE": ae, "ADAE": adae}) == []
    bad = pd.DataFrame({"STUDYID": ["S", "S"], "USUBJID": ["A", "B"], "AESEQ": [3.0, 1.0]})
    assert found(ad0258_adae_not_in_ae, {"AE": ae, "ADAE": bad}) == [
        ("AD0258", "ADAE", "AESEQ", 3.0), ("AD0258", "ADAE", "AESEQ", 1.0)]


DM = pd.DataFrame({"USUBJID": ["A", "B"], "AGE": [54.0, 61.0], "SEX": ["F", "M"], "ARM": ["X", None]})
ADSL_SPEC = spec(dataset("ADSL", var("USUBJID", predecessor="DM.USUBJID"), var("AGE", "integer", 8,
                                                                                    predecessor="DM.AGE"),
                         var("SEX", predecessor="DM.SEX"), var("ARM"), standard="ADaM"))


def test_aclf_adsl01_values_copied_from_dm_equal_dm():
    adsl = pd.DataFrame({"USUBJID": ["B", "A", "Z"], "AGE": [61, 54, 1], "SEX": ["M", "F", "M"], "ARM": ["", "X", ""]})
    assert found(aclf_adsl01_dm_values, {"DM": DM, "ADSL": adsl}, ADSL_SPEC) == []
    assert found(aclf_adsl01_dm_values, {"DM": DM, "ADSL": adsl}) == []  # no spec: shared names
    bad = adsl.assign(AGE=[62, 54, 1], ARM=["Y", "X", ""])
    assert found(aclf_adsl01_dm_values, {"DM": DM, "ADSL": bad}, ADSL_SPEC) == [("ACLF-ADSL-01", "ADSL", "AGE", 62)]
    assert found(aclf_adsl01_dm_values, {"DM": DM, "ADSL": bad}) == [
        ("ACLF-ADSL-01", "ADSL", "AGE", 62), ("ACLF-ADSL-01", "ADSL", "ARM", "Y")]
