"""pandera schemas generated from the spec: failing values become located Issues."""

from __future__ import annotations

import pandas as pd
import pytest

from aclf_cdisc.spec.model import (
    Codelist,
    Dataset,
    Origin,
    RawColumn,
    RawForm,
    Spec,
    Term,
    ValueLevel,
    Variable,
    WhereClause,
)
from aclf_cdisc.spec.schemas import dataset_schema, raw_form_schema, validate_frame


def _var(name: str, data_type: str = "text", length: int | None = None, core: str = "Perm",
         codelist: str | None = None, display_format: str | None = None) -> Variable:
    return Variable(name=name, label=name.title(), data_type=data_type, length=length, core=core,  # type: ignore[arg-type]
                    origin=Origin(type="Collected", source="Investigator"), codelist=codelist,
                    display_format=display_format)


@pytest.fixture()
def spec() -> Spec:
    lb = Dataset(
        name="LB", label="Laboratory Test Results", standard="SDTM", class_="FINDINGS", structure="x",
        purpose="Tabulation", keys=("USUBJID", "LBSEQ"), sort_order=("USUBJID", "LBSEQ"),
        variables=(
            _var("USUBJID", core="Req"), _var("LBSEQ", "integer", 8, "Req"),
            _var("LBTESTCD", length=8, core="Req", codelist="CL.LBTESTCD"),
            _var("LBSTRESN", "float", 8), _var("LBSTRESU", length=6, codelist="CL.UNIT"),
            _var("LBDTC", "datetime"),
        ),
        value_level=(
            ValueLevel(dataset="LB", variable="LBSTRESN", data_type="float", length=8,
                       where=WhereClause("WC.LB.LBTESTCD.BILI", (("LBTESTCD", "EQ", ("BILI",)),)),
                       origin=Origin(type="Derived"), unit="mg/dL"),
        ),
    )
    adsl = Dataset(
        name="ADSL", label="Subject-Level Analysis Dataset", standard="ADaM",
        class_="SUBJECT LEVEL ANALYSIS DATASET", structure="x", purpose="Analysis", keys=("USUBJID",),
        sort_order=("USUBJID",),
        variables=(_var("USUBJID", core="Req"), _var("TRTSDT", "integer", 8, display_format="DATE9.")),
    )
    codelists = {
        "CL.LBTESTCD": Codelist("CL.LBTESTCD", "Lab", "text", (Term("BILI"), Term("ALB")), extensible=False),
        "CL.UNIT": Codelist("CL.UNIT", "Unit", "text", (Term("mg/dL"), Term("g/L")), extensible=True),
    }
    return Spec(study=None, datasets={"LB": lb, "ADSL": adsl}, codelists=codelists,  # type: ignore[arg-type]
                methods={}, comments={}, documents={})


def _good() -> pd.DataFrame:
    return pd.DataFrame({
        "USUBJID": ["S-001", "S-001", "S-002"], "LBSEQ": [1, 2, 1], "LBTESTCD": ["BILI", "ALB", "BILI"],
        "LBSTRESN": [1.2, 30.0, 5.0], "LBSTRESU": ["mg/dL", "g/L", "mg/dL"],
        "LBDTC": ["2024-01-05", "2024-01", None],
    })


def _found(issues: list) -> set[tuple[str, str, object, object, str]]:
    return {(i.rule, i.severity, i.row, i.column, i.value) for i in issues}


def test_01_schema_mirrors_the_spec(spec: Spec) -> None:
    schema = dataset_schema(spec, "LB")
    assert list(schema.columns) == ["USUBJID", "LBSEQ", "LBTESTCD", "LBSTRESN", "LBSTRESU", "LBDTC"]
    assert schema.strict is True and schema.ordered is True
    assert list(schema.unique) == ["USUBJID", "LBSEQ"]
    assert schema.columns["USUBJID"].nullable is False and schema.columns["LBDTC"].nullable is True
    assert schema.columns["LBSTRESN"].metadata["label"] == "Lbstresn"


def test_02_a_conforming_frame_has_no_issues(spec: Spec) -> None:
    assert validate_frame(_good(), dataset_schema(spec, "LB"), dataset="LB") == []


def test_03_failing_values_become_issues(spec: Spec) -> None:
    frame = _good()
    frame.loc[1, "LBTESTCD"] = "XX"          # not in a non-extensible codelist -> error
    frame.loc[2, "LBSTRESU"] = "umol/L"      # extensible codelist -> warning; value level unit -> error
    frame.loc[0, "LBDTC"] = "05 JAN 2024"    # not ISO 8601
    frame.loc[0, "USUBJID"] = ""             # Req, empty string
    issues = validate_frame(frame, dataset_schema(spec, "LB"), dataset="LB", file="lb.xpt")
    found = _found(issues)
    assert ("schema.isin", "error", "USUBJID=S-001, LBSEQ=2", "LBTESTCD", "XX") in found
    assert ("schema.isin", "warning", "USUBJID=S-002, LBSEQ=1", "LBSTRESU", "umol/L") in found
    assert ("schema.value_level.unit", "error", "USUBJID=S-002, LBSEQ=1", "LBSTRESU", "umol/L") in found
    assert ("schema.iso8601", "error", 1, "LBDTC", "05 JAN 2024") in found   # no USUBJID: row number
    assert ("schema.not_blank", "error", 1, "USUBJID", "") in found
    assert all(i.dataset == "LB" and i.file == "lb.xpt" for i in issues)
    assert len(issues) == 5


def test_04_byte_length_null_type_and_key_uniqueness(spec: Spec) -> None:
    frame = _good()
    frame.loc[1, "LBSTRESU"] = "µmol/L"  # 7 bytes in UTF-8 > length 6
    frame.loc[2, "LBSEQ"] = 1
    frame.loc[2, "USUBJID"] = "S-001"
    frame.loc[0, "LBTESTCD"] = None
    frame["LBSTRESN"] = frame["LBSTRESN"].astype(object)
    frame.loc[1, "LBSTRESN"] = "<0.5"
    rules = {(i.rule, i.column) for i in validate_frame(frame, dataset_schema(spec, "LB"), dataset="LB")}
    assert ("schema.str_byte_length", "LBSTRESU") in rules
    assert ("schema.unique_keys", "USUBJID, LBSEQ") in rules
    assert ("schema.not_nullable", "LBTESTCD") in rules
    assert ("schema.dtype", "LBSTRESN") in rules


def test_05_columns_must_match_the_spec_in_order(spec: Spec) -> None:
    frame = _good()[["LBSEQ", "USUBJID", "LBTESTCD", "LBSTRESN", "LBSTRESU"]].assign(EXTRA=1)
    rules = {(i.rule, i.column) for i in validate_frame(frame, dataset_schema(spec, "LB"), dataset="LB")}
    assert {("schema.column_in_schema", "EXTRA"), ("schema.column_in_dataframe", "LBDTC")} <= rules
    assert any(rule == "schema.column_ordered" for rule, _ in rules)


def test_06_adam_dates_datetime_or_sas_numbers(spec: Spec) -> None:
    frame = pd.DataFrame({"USUBJID": ["S-001"], "TRTSDT": pd.to_datetime(["2024-01-05"])})
    assert validate_frame(frame, dataset_schema(spec, "ADSL"), dataset="ADSL") == []
    as_sas = frame.assign(TRTSDT=[23380.0])
    assert validate_frame(as_sas, dataset_schema(spec, "ADSL", date_mode="sas"), dataset="ADSL") == []
    assert {i.rule for i in validate_frame(as_sas, dataset_schema(spec, "ADSL"), dataset="ADSL")} == {
        "schema.is_datetime"}


def test_07_raw_form_schema() -> None:
    form = RawForm(name="dm", label="Demographics", keys=("SUBJID",), columns=(
        RawColumn("SUBJID", "text", required=True),
        RawColumn("BRTHDAT", "date", required=True),
        RawColumn("SEX", "text", required=True, allowed=("Male", "Female")),
        RawColumn("AGE", "integer"),
        RawColumn("EXSTTIM", "time"),
    ))
    frame = pd.DataFrame({
        "SUBJID": ["001-0001", "001-0002", ""],
        "BRTHDAT": ["UN JAN 1960", "1960-01-01", "un unk 1970"],
        "SEX": [" female ", "F", "MALE"],
        "AGE": ["64", "sixty", None],
        "EXSTTIM": ["09:30", "25:00", ""],
    })
    found = {(i.rule, i.row, i.column, i.value) for i in validate_frame(frame, raw_form_schema(form), dataset="dm")}
    assert found == {
        ("schema.raw_date", 2, "BRTHDAT", "1960-01-01"),
        ("schema.allowed", 2, "SEX", "F"),
        ("schema.is_number", 2, "AGE", "sixty"),
        ("schema.raw_time", 2, "EXSTTIM", "25:00"),
        ("schema.not_blank", 3, "SUBJID", ""),
    }
