"""apply_mappings: the spec's copy / ct / const / iso_datetime / derive rules, problems as Issues."""

import pandas as pd
import pytest

from aclf_cdisc.sdtm.mapping import apply_mappings
from aclf_cdisc.spec.model import Codelist, Dataset, Mapping, Origin, Spec, Study, Term, Variable

COLLECTED = Origin(type="Collected", source="Investigator")


def _var(name, data_type="text", mapping=None, codelist=None):
    return Variable(name=name, label=name, data_type=data_type, length=None, core="Exp", origin=COLLECTED,
                    codelist=codelist, mapping=mapping)


AE = Dataset(
    name="AE", label="Adverse Events", standard="SDTM", class_="EVENTS", structure="x", purpose="Tabulation",
    keys=(), sort_order=(),
    variables=(
        _var("DOMAIN", mapping=Mapping(rule="const", value="AE")),
        _var("AETERM", mapping=Mapping(rule="copy", source="ae.AETERM")),
        _var("AESEV", mapping=Mapping(rule="ct", source="ae.AESEV"), codelist="CL.AESEV"),
        _var("AESTDTC", mapping=Mapping(rule="iso_datetime", source="ae.AESTDAT", time="ae.AESTTIM")),
        _var("AETERMLEN", "integer", mapping=Mapping(rule="derive", function="term_length")),
        _var("AESPID", "integer", mapping=Mapping(rule="copy", source="ae.AESPID")),
    ),
)
SPEC = Spec(
    study=Study(studyid="S", title="t", protocol="p", sponsor="s", registry_id="r", ct_versions={},
                meddra_version="27.1", arms=(), elements=(), trial_arms=(), epochs=(), visits=(), trial_summary=(),
                inclusion_exclusion=()),
    datasets={"AE": AE},
    codelists={"CL.AESEV": Codelist("CL.AESEV", "Severity", "text",
                                    (Term("MILD", "Mild"), Term("MODERATE"), Term("SEVERE")))},
    methods={}, comments={}, documents={},
)
DERIVATIONS = {"term_length": lambda frame, ctx: frame["AETERM"].str.len()}


def _raw(**columns):
    frame = pd.DataFrame({f"ae.{k}": v for k, v in columns.items()})
    frame["__file"] = "ae.csv"
    frame["__row"] = range(1, len(frame) + 1)
    return frame


def test_01_each_rule_fills_its_variable():
    raw = _raw(AETERM=[" Nausea ", "Rash"], AESEV=["mild", "Severe "], AESTDAT=["05 MAR 2024", "UN MAR 2024"],
               AESTTIM=["14:30", "09:00"], AESPID=["1", "2"])
    out, issues = apply_mappings(raw, AE, SPEC, DERIVATIONS)
    assert issues == []
    assert out["DOMAIN"].tolist() == ["AE", "AE"]
    assert out["AETERM"].tolist() == ["Nausea", "Rash"]
    assert out["AESEV"].tolist() == ["MILD", "SEVERE"]
    # time attaches to complete dates only; partial dates are truncated, never padded
    assert out["AESTDTC"].tolist() == ["2024-03-05T14:30", "2024-03"]
    assert out["AETERMLEN"].tolist() == [6, 4]
    assert out["AESPID"].tolist() == [1.0, 2.0]


def test_02_problems_name_file_row_variable_and_value():
    raw = _raw(AETERM=["A", "B", "C"], AESEV=["MILD", "Grade 5", "MILD"], AESTDAT=["05 MAR 2024", "31 FEB 2024", None],
               AESTTIM=[None, None, "25:00"], AESPID=["1", "x", "3"])
    _, issues = apply_mappings(raw, AE, SPEC, DERIVATIONS)
    got = sorted((i.rule, i.file, i.row, i.column, i.value) for i in issues)
    assert got == [
        ("sdtm.ct-unmapped", "ae.csv", 2, "AESEV", "Grade 5"),
        ("sdtm.date-invalid", "ae.csv", 2, "AESTDTC", "31 FEB 2024"),
        ("sdtm.not-a-number", "ae.csv", 2, "AESPID", "x"),
        ("sdtm.time-invalid", "ae.csv", 3, "AESTDTC", "25:00"),
    ]


def test_03_unknown_derivation_is_a_clear_error():
    raw = _raw(AETERM=["A"], AESEV=["MILD"], AESTDAT=[None], AESTTIM=[None], AESPID=["1"])
    with pytest.raises(KeyError, match="derivation 'term_length' is not implemented"):
        apply_mappings(raw, AE, SPEC, {})
