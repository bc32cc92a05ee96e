"""The reader judges values only through the pandera schema of the layout (raw_form_schema)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from aclf_cdisc.errors import InputError
from aclf_cdisc.raw import ROW_COL, check_form, read_export
from aclf_cdisc.raw.layout import load_raw_forms
from aclf_cdisc.sample import edc_dir
from aclf_cdisc.spec import schemas
from aclf_cdisc.spec.model import RawColumn, RawForm

FORM = RawForm(name="vs", label="Vital Signs", columns=(
    RawColumn("SUBJID", "text", required=True),
    RawColumn("VSDAT", "date", required=True),
    RawColumn("VSTIM", "time"),
    RawColumn("POSITION", "text", allowed=("Sitting", "Supine")),
    RawColumn("PULSE", "integer"),
    RawColumn("GRADE", "integer", required=True, allowed=("0", "1", "2")),
))

RAW = pd.DataFrame({
    "subjid": ["001", " 002 ", "", "004", "005", "006"],  # the column name's case differs: accepted
    "VSDAT": ["05 MAR 2024", "29 FEB 2023", "un unk 1970", " ", "31 APR 2024", "01 JAN 2024"],
    "VSTIM": ["09:30", "", "24:00", "7:05", "", "12:60"],
    "POSITION": [" supine ", "SITTING", "standing", "", "Sitting", "Lying"],
    "PULSE": ["72", "72.0", "", "seventy", " 60 ", "1e2"],
    "GRADE": ["0", "3", " 2 ", "", "x", "1"],
})


def _fields(issues) -> list[tuple]:
    return [(i.rule, i.severity, i.file, i.dataset, i.row, i.column, i.value, i.expected, i.message) for i in issues]


def test_01_check_form_issues_are_the_schema_issues() -> None:
    checked, issues = check_form(RAW, FORM, "vs.csv")
    assert _fields(issues) == _fields(schemas.raw_form_issues(checked, FORM, file="vs.csv", row_column=ROW_COL))
    got = {(i.rule, i.row, i.column, i.value) for i in issues}
    assert got == {
        ("raw.value-missing", 3, "SUBJID", None),
        ("raw.date-invalid", 2, "VSDAT", "29 FEB 2023"),
        ("raw.value-missing", 4, "VSDAT", None),
        ("raw.date-invalid", 5, "VSDAT", "31 APR 2024"),
        ("raw.time-invalid", 3, "VSTIM", "24:00"),
        ("raw.time-invalid", 6, "VSTIM", "12:60"),
        ("raw.value-not-allowed", 3, "POSITION", "standing"),
        ("raw.value-not-allowed", 6, "POSITION", "Lying"),
        ("raw.number-invalid", 2, "PULSE", "72.0"),
        ("raw.number-invalid", 4, "PULSE", "seventy"),
        ("raw.number-invalid", 6, "PULSE", "1e2"),
        ("raw.value-not-allowed", 2, "GRADE", "3"),
        ("raw.value-missing", 4, "GRADE", None),
        ("raw.value-not-allowed", 5, "GRADE", "x"),  # once, not also as a bad integer
    }
    assert all((i.file, i.dataset, i.severity) == ("vs.csv", "vs", "error") for i in issues)
    assert checked["VSTIM"].iloc[3] == "7:05" and checked["POSITION"].iloc[0] == "supine"


def test_02_the_reader_has_no_value_checks_of_its_own(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[tuple[str, tuple[str, ...]]] = []
    original = schemas.raw_form_schema

    def without_checks(form: RawForm, *, strict: bool = True):
        built.append((form.name, tuple(c.name for c in form.columns)))
        schema = original(form, strict=strict)
        return schema.update_columns({name: {"checks": [], "nullable": True} for name in schema.columns})

    monkeypatch.setattr(schemas, "raw_form_schema", without_checks)
    checked, issues = check_form(RAW, FORM, "vs.csv")
    assert issues == [] and len(checked) == len(RAW)
    assert built == [("vs", tuple(c.name for c in FORM.columns))]


def test_03_the_schema_sees_only_the_columns_in_the_file() -> None:
    raw = RAW.drop(columns=["VSDAT", "VSTIM"]).assign(NOTE="x")
    _checked, issues = check_form(raw, FORM, "vs.csv")
    structural = [(i.rule, i.severity, i.column) for i in issues if i.row is None]
    assert structural == [("raw.column-unexpected", "warning", "NOTE"), ("raw.column-missing", "error", "VSDAT"),
                          ("raw.column-missing", "warning", "VSTIM")]
    assert not {i.column for i in issues if i.row is not None} & {"VSDAT", "VSTIM", "NOTE"}


@pytest.fixture
def export_dir(tmp_path: Path) -> Path:
    out = tmp_path / "edc"
    shutil.copytree(edc_dir(), out)
    return out


def test_04_read_export_reports_impossible_dates_and_allowed_integers(export_dir: Path) -> None:
    forms = load_raw_forms()
    cla = export_dir / "cla.csv"
    df = pd.read_csv(cla, dtype=str, keep_default_na=False)
    date_col = next(c.name for c in forms["cla"].columns if c.data_type == "date")
    df.loc[3, date_col] = "29 FEB 2023"
    df.loc[5, "HEGRADE"] = "5"  # integer with allowed 0-4: not allowed, once
    cla.write_text(df.to_csv(index=False, lineterminator="\n"), encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_export(export_dir, forms)
    assert [(i.rule, i.file, i.row, i.column, i.value) for i in info.value.issues] == [
        ("raw.date-invalid", "cla.csv", 4, date_col, "29 FEB 2023"),
        ("raw.value-not-allowed", "cla.csv", 6, "HEGRADE", "5"),
    ]


def test_05_blank_is_missing_and_trimmed_values_keep_their_case() -> None:
    checked, _issues = check_form(RAW, FORM, "vs.csv")
    assert checked["SUBJID"].isna().tolist() == [False, False, True, False, False, False]
    assert checked["SUBJID"].iloc[1] == "002" and checked["POSITION"].iloc[1] == "SITTING"
    assert checked[ROW_COL].tolist() == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize("distinct", [126, 127, 128, 32_766, 32_767, 32_768])
def test_the_reader_s_small_codes_find_what_the_whole_frame_schema_finds(distinct: int) -> None:
    # the reader keeps each column's codes in the smallest integer type that holds them (and
    # missing as one more code): at the edges of int8 and int16 the findings name the same records
    pulses = [str(60 + n) for n in range(distinct - 2)] + ["seventy", "1e2"]
    raw = pd.DataFrame({"SUBJID": [f"{n:05d}" for n in range(len(pulses) + 1)],
                        "VSDAT": ["05 MAR 2024"] * (len(pulses) + 1), "VSTIM": [""] * (len(pulses) + 1),
                        "POSITION": ["Sitting"] * (len(pulses) + 1),
                        "PULSE": [*pulses[::-1], ""], "GRADE": ["1"] * (len(pulses) + 1)})
    checked, issues = check_form(raw, FORM, "vs.csv")
    assert _fields(issues) == _fields(schemas.raw_form_issues(checked, FORM, file="vs.csv", row_column=ROW_COL))
    assert {(i.row, i.value) for i in issues if i.column == "PULSE"} == {(1, "1e2"), (2, "seventy")}
