"""Read a raw EDC export folder and check each form against its layout (``specs/raw``).

    export = read_export(Path("edc"), spec)     # raises InputError listing every problem
    export.forms["ae"]                          # DataFrame: declared columns as text + __file, __row
    export.blinded                              # True when the IRT files are absent

Reading: ``<form>.csv`` (UTF-8, header row), ``<form>.sas7bdat`` or ``<form>.xpt`` with the same
columns; every value is read as text, trimmed of surrounding spaces, and blank becomes missing
(``pd.NA``); case is kept as typed. Files that are not a declared form (README.md,
scenarios.csv) are ignored. Each record carries ``__file`` (the file name) and ``__row`` (its
1-based record number in that file, header not counted: CSV line = ``__row + 1``).

Checks, all collected before raising: a required column missing (error), a declared optional
column missing (warning; added as all-missing), an undeclared column (warning; dropped), a
required value missing, a value outside the column's ``allowed`` list (case-insensitive after
trimming), a date that is not ``DD MON YYYY`` with UN/UNK parts, a time that is not ``HH:MM``,
a number that does not parse (integer/float columns). Missing irt_rand and irt_kits make the
export blinded; any other missing form is an error.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from aclf_cdisc.errors import InputError, Issue
from aclf_cdisc.raw.layout import as_raw_forms
from aclf_cdisc.raw.parse import is_integer, is_number, parse_raw_date, parse_raw_time
from aclf_cdisc.spec.model import RawColumn, RawForm, Spec

FILE_COL, ROW_COL = "__file", "__row"
SUFFIXES = (".csv", ".sas7bdat", ".xpt")


@dataclass
class RawExport:
    """The forms of one export, checked. ``issues`` holds the non-fatal findings (warnings)."""

    forms: dict[str, pd.DataFrame]
    files: dict[str, Path]
    blinded: bool
    issues: list[Issue] = field(default_factory=list)

    def __getitem__(self, form: str) -> pd.DataFrame:
        return self.forms[form]


def _to_text(series: pd.Series) -> pd.Series:
    """Numbers/dates from SAS files -> the text an EDC export would carry."""
    if pd.api.types.is_datetime64_any_dtype(series):
        return series.dt.strftime("%d %b %Y").str.upper()
    if pd.api.types.is_float_dtype(series):
        whole = series.notna() & (series == np.floor(series.fillna(0)))
        text = series.astype(str)
        text[whole] = series[whole].astype("int64").astype(str)
        return text.where(series.notna(), "")
    return series.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))


def read_form_file(path: Path) -> pd.DataFrame:
    """One form file as text columns (untrimmed, '' for blank), no checks."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8")
    import pyreadstat

    reader = pyreadstat.read_sas7bdat if suffix == ".sas7bdat" else pyreadstat.read_xport
    frame, _meta = reader(str(path))
    return pd.DataFrame({c: _to_text(frame[c]) for c in frame.columns})


def _find(folder: Path, form: str) -> list[Path]:
    found = []
    for suffix in SUFFIXES:
        for name in (f"{form}{suffix}", f"{form.upper()}{suffix}"):
            p = folder / name
            if p.is_file() and p not in found:
                found.append(p)
    return found


def _column_issues(frame: pd.DataFrame, col: RawColumn, form: str, file: str) -> list[Issue]:
    issues: list[Issue] = []
    values = frame[col.name]
    present = values.notna()
    rows = frame[ROW_COL]

    def report(mask: pd.Series, rule: str, message: str, expected: str | None) -> None:
        for row, value in zip(rows[mask].tolist(), values[mask].tolist(), strict=True):
            issues.append(Issue(rule=rule, message=f"{form}.{col.name}: {message}", file=file, dataset=form,
                                row=int(row), column=col.name, value=value, expected=expected))

    if col.required:
        report(~present, "raw.value-missing", "required value is missing", "a value")
    if not present.any():
        return issues
    uniq = pd.unique(values[present])
    bad: set[str] = set()
    if col.allowed:
        allowed = {a.strip().upper() for a in col.allowed}
        bad = {v for v in uniq if v.upper() not in allowed}
        if bad:
            report(values.isin(bad), "raw.value-not-allowed", "value is not one of the allowed values",
                   " | ".join(col.allowed))
            return issues
    checker = {"date": _bad_date, "time": _bad_time, "integer": lambda v: not is_integer(v),
               "float": lambda v: not is_number(v)}.get(col.data_type)
    if checker is not None:
        bad = {v for v in uniq if checker(v)}
        if bad:
            expected = {"date": "DD MON YYYY (UN/UNK for unknown day/month)", "time": "HH:MM",
                        "integer": "an integer", "float": "a number"}[col.data_type]
            rule = {"date": "raw.date-invalid", "time": "raw.time-invalid"}.get(col.data_type,
                                                                                "raw.number-invalid")
            report(values.isin(bad), rule, f"value is not {expected}", expected)
    return issues


def _bad_date(text: str) -> bool:
    try:
        parse_raw_date(text)
    except ValueError:
        return True
    return False


def _bad_time(text: str) -> bool:
    try:
        parse_raw_time(text)
    except ValueError:
        return True
    return False


def check_form(frame: pd.DataFrame, form: RawForm, file: str) -> tuple[pd.DataFrame, list[Issue]]:
    """Trim, blank -> NA, check against the layout; return (frame in layout order + __file/__row, issues)."""
    issues: list[Issue] = []
    frame = frame.copy()
    frame.columns = [str(c).strip() for c in frame.columns]
    declared = {c.name for c in form.columns}
    by_upper = {c.upper(): c for c in frame.columns}
    for col in form.columns:  # accept a column whose name differs only in case
        if col.name not in frame.columns and col.name.upper() in by_upper:
            frame = frame.rename(columns={by_upper[col.name.upper()]: col.name})
    for extra in [c for c in frame.columns if c not in declared]:
        issues.append(Issue(rule="raw.column-unexpected", severity="warning", file=file, dataset=form.name,
                            column=extra, message=f"{form.name} has a column {extra} its layout does not declare",
                            expected="a column of specs/raw/" + form.name + ".yaml"))
    n = len(frame)
    out = pd.DataFrame(index=range(n))
    for col in form.columns:
        if col.name not in frame.columns:
            issues.append(Issue(
                rule="raw.column-missing", severity="error" if col.required else "warning", file=file,
                dataset=form.name, column=col.name, message=f"{form.name} has no column {col.name}",
                expected=f"column {col.name} ({'required' if col.required else 'optional'})"))
            out[col.name] = pd.Series(pd.NA, index=range(n), dtype="object")
            continue
        text = frame[col.name].reset_index(drop=True).astype("object")
        text = text.where(text.notna(), "").astype(str).str.strip()
        out[col.name] = text.where(text != "", pd.NA).astype("object")
    out[FILE_COL] = file
    out[ROW_COL] = np.arange(1, n + 1)
    for col in form.columns:
        if col.name in frame.columns:
            issues.extend(_column_issues(out, col, form.name, file))
    return out, issues


def read_export(path: Path, spec: Spec | Mapping[str, RawForm] | None = None) -> RawExport:
    """Read and check every declared form in folder ``path``; raise InputError on any error."""
    folder = Path(path)
    layouts = as_raw_forms(spec)
    if not folder.is_dir():
        raise InputError(Issue(rule="raw.folder-not-found", message=f"export folder {folder} does not exist",
                               file=str(folder)))
    issues: list[Issue] = []
    forms: dict[str, pd.DataFrame] = {}
    files: dict[str, Path] = {}
    blinded_missing = []
    for name in sorted(layouts):
        layout = layouts[name]
        found = _find(folder, name)
        if not found:
            if layout.blinded:
                blinded_missing.append(name)
                continue
            issues.append(Issue(rule="raw.form-missing", message=f"form {name} is missing from the export",
                                file=f"{name}.csv", dataset=name,
                                expected=f"{name}.csv, {name}.sas7bdat or {name}.xpt"))
            continue
        if len(found) > 1:
            issues.append(Issue(rule="raw.form-ambiguous", dataset=name, file=", ".join(p.name for p in found),
                                message=f"form {name} is present in more than one file", expected="one file"))
            continue
        file = found[0]
        try:
            frame = read_form_file(file)
        except Exception as exc:
            issues.append(Issue(rule="raw.file-unreadable", message=f"cannot read {file.name}: {exc}",
                                file=file.name, dataset=name))
            continue
        checked, found_issues = check_form(frame, layout, file.name)
        issues.extend(found_issues)
        forms[name] = checked
        files[name] = file
    blinded_forms = sorted(n for n, f in layouts.items() if f.blinded)
    blinded = bool(blinded_forms) and len(blinded_missing) == len(blinded_forms)
    if blinded_missing and not blinded:
        for name in blinded_missing:
            issues.append(Issue(rule="raw.form-missing", dataset=name, file=f"{name}.csv",
                                message=f"form {name} is missing while other IRT files are present",
                                expected="all IRT files, or none (a blinded export)"))
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        raise InputError(errors, f"the raw export in {folder} breaks its layout: {len(errors)} problem(s)")
    return RawExport(forms=forms, files=files, blinded=blinded, issues=issues)
