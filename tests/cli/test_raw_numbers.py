"""A raw number too large for a double (``1e400``), or one that becomes so once converted to the
standard unit, is named where it was read: the raw file, record, column and value, before anything
is written, not later as infinity refused by the XPT writer in a staging folder."""

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
