"""Controlled terminology rules: CT2001 (non-extensible, error) and CT2002 (extensible, warning)."""

import pandas as pd
from rule_helpers import codelist, dataset, found, spec, var

from aclf_cdisc.checks.catalogue import rule_of
from aclf_cdisc.checks.rules import ct2001_codelist_non_extensible, ct2002_codelist_extensible

CT_SPEC = spec(
    dataset("DM", var("SEX", codelist="CL.SEX"), var("RACE", codelist="CL.RACE"), var("AGE", "integer", 8)),
    dataset("ADSL", var("ITTFLN", "integer", 8, codelist="CL.NYN"), standard="ADaM"),
    codelists=[codelist("CL.SEX", "F", "M", "U", name="Sex"),
               codelist("CL.RACE", "ASIAN", "WHITE", extensible=True, name="Race"),
               codelist("CL.NYN", "0", "1", data_type="integer")],
)


def test_ct2001_value_in_non_extensible_codelist():
    ok = pd.DataFrame({"SEX": ["F", "M", None], "RACE": ["ASIAN", "WHITE", ""]})
    assert found(ct2001_codelist_non_extensible, {"DM": ok, "ADSL": pd.DataFrame({"ITTFLN": [0, 1.0]})},
                 CT_SPEC) == []
    bad = pd.DataFrame({"SEX": ["F", "Female", "Female", "m"], "RACE": ["ASIAN", "OTHER", "OTHER", "WHITE"]})
    got = rule_of(ct2001_codelist_non_extensible).run({"DM": bad, "ADSL": pd.DataFrame({"ITTFLN": [2.0]})}, CT_SPEC)
    assert [(i.rule, i.dataset, i.column, i.value, i.row, i.severity) for i in got] == [
        ("CT2001", "ADSL", "ITTFLN", 2.0, 1, "error"),
        ("CT2001", "DM", "SEX", "Female", 2, "error"),
        ("CT2001", "DM", "SEX", "m", 4, "error")]
    assert "2 records" in got[1].message and "'Sex'" in got[1].message


def test_ct2002_value_in_extensible_codelist_warns():
    assert found(ct2002_codelist_extensible, {"DM": pd.DataFrame({"RACE": ["WHITE"]})}, CT_SPEC) == []
    got = rule_of(ct2002_codelist_extensible).run({"DM": pd.DataFrame({"SEX": ["X"], "RACE": ["OTHER"]})}, CT_SPEC)
    assert [(i.rule, i.dataset, i.column, i.value, i.severity) for i in got] == [
        ("CT2002", "DM", "RACE", "OTHER", "warning")]
