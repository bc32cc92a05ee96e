"""The raw form schema: the one place raw values are judged, turned into located raw.* Issues."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from aclf_cdisc.raw.parse import is_integer, is_number, parse_raw_date, parse_raw_time
from aclf_cdisc.spec.model import RawColumn, RawForm
from aclf_cdisc.spec.schemas import RAW_RULES, raw_form_issues, raw_form_schema, validate_frame

FORM = RawForm(name="vs", label="Vital Signs", keys=("SUBJID",), columns=(
    RawColumn("SUBJID", "text", required=True),
    RawColumn("VSDAT", "date", required=True),
    RawColumn("VSTIM", "time"),
    RawColumn("POSITION", "text", allowed=("Sitting", "Supine")),
    RawColumn("PULSE", "integer"),
    RawColumn("TEMP", "float"),
    RawColumn("GRADE", "integer", allowed=("0", "1", "2")),
))

DATE_TEXTS = ["05 MAR 2024", "31 FEB 2024", "29 FEB 2023", "29 FEB 2024", "31 APR 2024", "00 JAN 2024",
              "UN JAN 2024", "un unk 1970", "UNK UNK 2024", "05 UNK 2024", "5 mar 2024", "2024-03-05",
              "05 MAR 24", "05 MAR 0000", "05  MAR  2024", "32 JAN 2024", "05 MARCH 2024"]
TIME_TEXTS = ["09:30", "9:30", "23:59", "24:00", "25:00", "12:60", "0930", "12:5", "12:30:00"]
NUMBER_TEXTS = ["12", "-3", "+4", "1.5", ".5", "1e3", "1E-2", "nan", "inf", "1_000", "1,5", "12 bpm", "0x1F"]


def _parses(parser, text: str) -> bool:
    try:
        parser(text)
    except ValueError:
        return False
    return True


def _failing(frame: pd.DataFrame, check: str) -> set[tuple[int, str, object]]:
    issues = validate_frame(frame, raw_form_schema(FORM, strict=False), dataset="vs")
    return {(i.row, i.column, i.value) for i in issues if i.rule == f"schema.{check}"}


def _frame(**columns: list) -> pd.DataFrame:
    n = max(len(v) for v in columns.values())
    base = {c.name: [None] * n for c in FORM.columns}
    base["SUBJID"] = [f"S{i}" for i in range(n)]
    base["VSDAT"] = ["05 MAR 2024"] * n
    base.update(columns)
    return pd.DataFrame(base, dtype=object)


def test_01_date_check_is_parse_raw_date() -> None:
    frame = _frame(VSDAT=DATE_TEXTS)
    bad = {v for _r, _c, v in _failing(frame, "raw_date")}
    assert bad == {t for t in DATE_TEXTS if not _parses(parse_raw_date, t)}
    assert {"31 FEB 2024", "29 FEB 2023", "31 APR 2024", "05 UNK 2024"} <= bad
    assert "29 FEB 2024" not in bad and "un unk 1970" not in bad


@given(st.text(alphabet="0123456789 UNKJAFEBMRPYLGSOCTVD", max_size=12))
def test_02_date_check_agrees_with_the_parser_on_any_text(text: str) -> None:
    frame = _frame(VSDAT=[text])
    failed = bool(_failing(frame, "raw_date"))
    assert failed == (text.strip() != "" and not _parses(parse_raw_date, text.strip()))


def test_03_time_and_number_checks_are_the_raw_parsers() -> None:
    frame = _frame(VSTIM=TIME_TEXTS)
    assert {v for _r, _c, v in _failing(frame, "raw_time")} == {t for t in TIME_TEXTS
                                                                 if not _parses(parse_raw_time, t)}
    frame = _frame(PULSE=NUMBER_TEXTS, TEMP=NUMBER_TEXTS)
    failing = _failing(frame, "is_number")
    assert {v for _r, c, v in failing if c == "PULSE"} == {t for t in NUMBER_TEXTS if not is_integer(t)}
    assert {v for _r, c, v in failing if c == "TEMP"} == {t for t in NUMBER_TEXTS if not is_number(t)}
    assert {"nan", "inf", "1_000"} <= {v for _r, c, v in failing if c == "TEMP"}


def test_04_allowed_is_case_insensitive_after_trimming() -> None:
    frame = _frame(POSITION=["Sitting", " sItTiNg  ", "SUPINE", "Standing", "sit"])
    assert _failing(frame, "allowed") == {(4, "POSITION", "Standing"), (5, "POSITION", "sit")}


def test_05_issues_name_file_form_row_column_value_expected() -> None:
    frame = _frame(VSDAT=["05 MAR 2024", None, "31 FEB 2024", "05 MAR 2024"],
                   VSTIM=["09:30", "25:00", None, None], POSITION=[None, "Standing", None, None],
                   PULSE=["72", None, "72.5", None], TEMP=[None, None, None, "37,2"])
    frame["__row"] = [11, 12, 13, 14]
    got = [(i.rule, i.file, i.dataset, i.row, i.column, i.value, i.expected, i.message)
           for i in raw_form_issues(frame, FORM, file="vs.csv")]
    assert got == [
        ("raw.value-missing", "vs.csv", "vs", 12, "VSDAT", None, "a value", "vs.VSDAT: required value is missing"),
        ("raw.date-invalid", "vs.csv", "vs", 13, "VSDAT", "31 FEB 2024", "DD MON YYYY (UN/UNK for unknown day/month)",
         "vs.VSDAT: value is not DD MON YYYY (UN/UNK for unknown day/month)"),
        ("raw.time-invalid", "vs.csv", "vs", 12, "VSTIM", "25:00", "HH:MM", "vs.VSTIM: value is not HH:MM"),
        ("raw.value-not-allowed", "vs.csv", "vs", 12, "POSITION", "Standing", "Sitting | Supine",
         "vs.POSITION: value is not one of the allowed values"),
        ("raw.number-invalid", "vs.csv", "vs", 13, "PULSE", "72.5", "an integer", "vs.PULSE: value is not an integer"),
        ("raw.number-invalid", "vs.csv", "vs", 14, "TEMP", "37,2", "a number", "vs.TEMP: value is not a number"),
    ]


def test_06_same_cells_as_validate_frame_one_issue_per_cell() -> None:
    frame = _frame(SUBJID=["S1", "", None, "S4", "S5", "S6"],
                   VSDAT=["UN JAN 2024", "05 MAR 2024", "05 MAR 2024", "31 FEB 2024", "05 MAR 2024", "05 MAR 2024"],
                   GRADE=["0", "x", "2", "1.0", " 1 ", None], POSITION=["supine", None, None, None, None, "Lying"])
    via_validate_frame = {(i.row, i.column, i.value if i.value != "" else None)
                          for i in validate_frame(frame, raw_form_schema(FORM, strict=False), dataset="vs")}
    issues = raw_form_issues(frame, FORM, file="vs.csv")
    assert {(i.row, i.column, i.value if i.value != "" else None) for i in issues} == via_validate_frame
    assert len({(i.row, i.column) for i in issues}) == len(issues)
    # a value outside `allowed` is reported once, as not allowed, though it is not an integer either
    assert {(i.row, i.rule) for i in issues if i.column == "GRADE"} == {
        (2, "raw.value-not-allowed"), (4, "raw.value-not-allowed")}
    assert {(i.row, i.rule) for i in issues if i.column == "SUBJID"} == {
        (2, "raw.value-missing"), (3, "raw.value-missing")}


def test_07_rule_of_every_check_the_schema_builds() -> None:
    schema = raw_form_schema(FORM)
    names = {str(check.name) for column in schema.columns.values() for check in column.checks}
    assert names <= set(RAW_RULES) and "not_nullable" in RAW_RULES
    assert {n: (c.nullable, c.metadata["type"]) for n, c in schema.columns.items()}["VSDAT"] == (False, "date")


def test_08_a_repeated_bad_value_is_reported_on_every_record() -> None:
    n = 50_000
    frame = _frame(VSDAT=np.where(np.arange(n) % 1000 == 7, "31 FEB 2024", "05 MAR 2024").tolist(),
                   TEMP=["37.0"] * n)
    issues = raw_form_issues(frame, FORM, file="vs.csv")
    assert [i.row for i in issues] == list(range(8, n + 1, 1000))
    assert {(i.rule, i.value) for i in issues} == {("raw.date-invalid", "31 FEB 2024")}


def test_09_columns_absent_and_empty_frames() -> None:
    frame = pd.DataFrame({"SUBJID": ["S1", None], "PULSE": ["x", "60"]})  # VSDAT absent: not checked
    assert [(i.rule, i.row, i.column) for i in raw_form_issues(frame, FORM)] == [
        ("raw.value-missing", 2, "SUBJID"), ("raw.number-invalid", 1, "PULSE")]
    assert raw_form_issues(pd.DataFrame({c.name: [] for c in FORM.columns}, dtype=object), FORM) == []
    every = raw_form_issues(pd.DataFrame({"SUBJID": [None, None, None]}, dtype=object), FORM)
    assert [(i.rule, i.row) for i in every] == [("raw.value-missing", r) for r in (1, 2, 3)]


@pytest.mark.parametrize("strict", [True, False])
def test_10_strict_is_about_other_columns(strict: bool) -> None:
    frame = _frame(SUBJID=["S1"]).assign(__row=[1])
    rules = {i.rule for i in validate_frame(frame, raw_form_schema(FORM, strict=strict), dataset="vs")}
    assert rules == ({"schema.column_in_schema"} if strict else set())
