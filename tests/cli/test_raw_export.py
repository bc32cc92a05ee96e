"""A raw export that is malformed is named where it was read, the raw file, record, column and value,
before anything is written: a number too large for a double (``1e400``), or one that becomes so once
converted to the standard unit (not later, as infinity refused by the XPT writer in a staging
folder), and a CSV record with a field too many or too few (not as every column shifted)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .helpers import debris, one_error_line, previous_package, run_cli, tree


def _export_with(small_raw: Path, folder: Path, form: str, row: int, column: str, value: str) -> Path:
    """A copy of ``small_raw`` whose record ``row`` (1-based) of ``form`` has ``value`` in ``column``."""
    shutil.copytree(small_raw, folder)
    path = folder / f"{form}.csv"
    lines = path.read_text().split("\n")
    at = lines[0].split(",").index(column)
    cells = lines[row].split(",")
    cells[at] = value
    lines[row] = ",".join(cells)
    path.write_text("\n".join(lines))
    return folder


def _first_record(small_raw: Path, form: str, text: str) -> int:
    """The 1-based record of ``form`` whose line holds ``text`` first."""
    return next(i for i, line in enumerate((small_raw / f"{form}.csv").read_text().split("\n")) if text in line)


@pytest.mark.parametrize(("form", "column", "value", "where", "line"), [
    ("ex", "EXVOL", "1e400", "Week 0",
     "[error] raw.number-invalid: ex.EXVOL: value is not a number (file=ex.csv, dataset=ex, row={row}, "
     "column=EXVOL); value='1e400'; expected a number"),
    ("ae", "AESPID", "9" * 400, "NCT05985863",
     "[error] raw.number-invalid: ae.AESPID: value is not an integer (file=ae.csv, dataset=ae, row={row}, "
     "column=AESPID); value='" + "9" * 199 + "... (402 characters); expected an integer"),
    ("lb", "LBORRES", "1e308", "Total Bilirubin,19.74,mg/dL",
     "[error] sdtm.lab-number-not-finite: LBORRES 1e308 mg/dL is too large for a number once converted to "
     "umol/L (x 17.1); correct the value in the export (file=lb.csv, dataset=LB, row={row}, column=LBORRES); "
     "value='1e308'; expected a number whose value in the standard unit is finite"),
    ("lb", "LBORNRHI", "1e308", "Total Bilirubin,19.74,mg/dL",
     "[error] sdtm.lab-number-not-finite: LBORNRHI 1e308 mg/dL is too large for a number once converted to "
     "umol/L (x 17.1); correct the value in the export (file=lb.csv, dataset=LB, row={row}, column=LBORNRHI); "
     "value='1e308'; expected a number whose value in the standard unit is finite"),
])
def test_01_a_number_too_large_is_named_in_the_raw_export(small_raw: Path, tmp_path: Path, form: str, column: str,
                                                          value: str, where: str, line: str) -> None:
    row = _first_record(small_raw, form, where)
    raw = _export_with(small_raw, tmp_path / "raw", form, row, column, value)
    out = tmp_path / "out"
    before = previous_package(out)
    result = run_cli("build", "--raw", raw, "--out", out)
    assert result.returncode == 1
    assert one_error_line(result.stderr) == "aclf-cdisc build: " + line.format(row=row)
    assert tree(out) == before
    assert debris(out) == []


def _reshape(small_raw: Path, folder: Path, record: int, change: str) -> Path:
    """A copy of ``small_raw`` whose dm.csv record ``record`` (1-based; -1 the last) has a field
    more (``change`` "more") or its last field less ("fewer")."""
    shutil.copytree(small_raw, folder)
    path = folder / "dm.csv"
    lines = path.read_text().rstrip("\n").split("\n")
    at = record if record > 0 else len(lines) - 1
    lines[at] = lines[at] + ",extra" if change == "more" else lines[at].rsplit(",", 1)[0]
    path.write_text("\n".join(lines) + "\n")
    return folder


@pytest.mark.parametrize(("record", "change", "fields"), [(1, "more", 10), (3, "more", 10), (-1, "more", 10),
                                                          (1, "fewer", 8), (-1, "fewer", 8)])
def test_02_a_record_with_a_field_too_many_or_too_few_is_named(small_raw: Path, tmp_path: Path, record: int,
                                                               change: str, fields: int) -> None:
    raw = _reshape(small_raw, tmp_path / "raw", record, change)
    row = record if record > 0 else len((raw / "dm.csv").read_text().rstrip("\n").split("\n")) - 1
    out = tmp_path / "out"
    before = previous_package(out)
    result = run_cli("build", "--raw", raw, "--out", out)
    assert result.returncode == 1
    assert one_error_line(result.stderr) == (
        f"aclf-cdisc build: [error] raw.record-field-count: record {row} of dm.csv has {fields} fields where the "
        "header has 9: a separator too many or too few shifts its values into other columns; correct the record "
        f"(quote a value that holds a comma) (file=dm.csv, dataset=dm, row={row}); value={fields}; expected 9 "
        "fields, one per header column")
    assert tree(out) == before
    assert debris(out) == []


def _without_subjects(small_raw: Path, folder: Path, form_format: str) -> Path:
    """An export whose dm form holds no record: dm.csv cut to its header, or an ODM file whose
    ClinicalData holds no SubjectData."""
    if form_format == "csv":
        shutil.copytree(small_raw, folder)
        path = folder / "dm.csv"
        path.write_text(path.read_text().split("\n", 1)[0] + "\n")
        return folder
    assert run_cli("simulate", "--subjects", "1", "--format", "odm", "--out", folder).returncode == 0
    path = folder / "odm.xml"
    text = path.read_text(encoding="utf-8")
    start, end = text.index("<SubjectData"), text.rindex("</SubjectData>") + len("</SubjectData>")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    return folder


@pytest.mark.parametrize(("form_format", "file"), [("csv", "dm.csv"), ("odm", "odm.xml")])
def test_03_an_export_without_subjects_is_one_error_not_a_crash(small_raw: Path, tmp_path: Path, form_format: str,
                                                                file: str) -> None:
    raw = _without_subjects(small_raw, tmp_path / "raw", form_format)
    out = tmp_path / "out"
    before = previous_package(out)
    result = run_cli("build", "--raw", raw, "--out", out)
    assert result.returncode == 1
    assert one_error_line(result.stderr) == (
        "aclf-cdisc build: [error] sdtm.no-subjects: the dm form holds no record: the export has no subject to "
        f"build datasets for (file={file}, dataset=DM); expected one dm record per subject screened")
    assert tree(out) == before
    assert debris(out) == []


@pytest.mark.parametrize("value", ["inf", "NaN", "-Infinity", "1_5"])
def test_04_a_numeric_result_python_reads_but_no_one_else_does_is_named(small_raw: Path, tmp_path: Path,
                                                                        value: str) -> None:
    """LBORRES where the value level says numeric: "inf", "NaN" or "1_5" were taken for numbers
    (Python's float reads them) and published as the lab result; they are errors at the record."""
    row = _first_record(small_raw, "lb", "Total Bilirubin")
    raw = _export_with(small_raw, tmp_path / "raw", "lb", row, "LBORRES", value)
    out = tmp_path / "out"
    before = previous_package(out)
    result = run_cli("build", "--raw", raw, "--out", out)
    assert result.returncode == 1
    line = one_error_line(result.stderr)
    assert line.startswith(f"aclf-cdisc build: [error] schema.value_level.numeric: LBORRES: value '{value}' fails "
                           "value_level[LBORRES|WC.LB.LBTESTCD.BILI].numeric")
    assert line.endswith(f"(file=lb.csv, dataset=LB, row={row}, column=LBORRES); value='{value}'; expected a number "
                         "(or empty) where LBTESTCD EQ BILI")
    assert tree(out) == before
    assert debris(out) == []
