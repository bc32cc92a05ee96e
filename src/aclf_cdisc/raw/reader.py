"""Read a raw EDC export folder and check each form against its layout (``specs/raw``).

    export = read_export(Path("edc"), spec)     # raises InputError listing every problem
    export.forms["ae"]                          # DataFrame: declared columns as text + __file, __row
    export.blinded                              # True when the IRT files are absent

Reading: ``<form>.csv`` (UTF-8, header row), ``<form>.sas7bdat`` or ``<form>.xpt`` with the same
columns, or, for each form without such a file, the folder's one CDISC ODM 1.3 ``.xml`` export
(:mod:`aclf_cdisc.raw.odm`; its records cite the XML file and the line of their ItemGroupData);
every value is read as text, trimmed of surrounding spaces, and blank becomes missing
(``NaN``; an absent optional column is all ``pd.NA``); case is kept as typed. Files that are not
a declared form (README.md, scenarios.csv) are ignored. Each record carries ``__file`` (the file
name) and ``__row`` (its 1-based record number in that file, header not counted: CSV line =
``__row + 1``).

Memory: a CSV file is parsed a chunk of records at a time, each chunk's columns coded into the
distinct values seen so far (:func:`read_coded_csv`); a form is checked on its distinct values and
held compactly from then on (:mod:`aclf_cdisc.raw.held`), and the plausibility checks read it so.
No stage of reading holds an export's text whole: 100,000 subjects (a 0.8 GB lab file) are read
in about 1 GB. ``read_export(..., held=True)`` gives the forms held; by default they are rebuilt
as objects at the end.

Checks, all collected before raising. Structural, here: a required column missing (error), a
declared optional column missing (warning; added as all-missing), an undeclared column (warning;
dropped). Per value, through the pandera schema of the layout
(:func:`aclf_cdisc.spec.schemas.raw_form_schema`, via :func:`~aclf_cdisc.spec.schemas.raw_form_issues`):
a required value missing (``raw.value-missing``), a value outside the column's ``allowed`` list,
case-insensitive after trimming (``raw.value-not-allowed``), a date that ``parse_raw_date`` cannot
read, e.g. not ``DD MON YYYY`` with UN/UNK parts or an impossible day (``raw.date-invalid``), a
time that is not ``HH:MM`` (``raw.time-invalid``), a number that does not parse in an
integer/float column (``raw.number-invalid``); one Issue per failing cell, naming file, form,
record (``__row``), column, value and expected. Missing irt_rand and irt_kits make the export
blinded; any other missing form is an error. A CSV header naming a column twice is reported at
read (``raw.column-duplicated``), before the reader renames the second one.

Then, when ``spec`` is a whole :class:`Spec` and the layouts hold, the plausibility checks of
``conventions.checks`` (:mod:`aclf_cdisc.raw.plausibility`): impossible dates, ages, doses, kits and
text, each an error or a warning as the spec decides.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import numpy as np
import pandas as pd

from aclf_cdisc.errors import InputError, Issue
from aclf_cdisc.raw.held import FormsAsRead, as_read
from aclf_cdisc.raw.layout import as_raw_forms
from aclf_cdisc.raw.odm import OdmForms, OdmMalformed, is_odm_file, read_odm
from aclf_cdisc.raw.plausibility import duplicated_header_issues, plausibility_issues
from aclf_cdisc.spec.model import RawForm, Spec
from aclf_cdisc.spec.schemas import raw_distinct_issues

FILE_COL, ROW_COL = "__file", "__row"
SUFFIXES = (".csv", ".sas7bdat", ".xpt")


@dataclass
class RawExport:
    """The forms of one export, checked. ``issues`` holds the non-fatal findings (warnings)."""

    forms: dict[str, pd.DataFrame]
    files: dict[str, Path]
    blinded: bool
    issues: list[Issue] = field(default_factory=list)
    dummy: bool = False  # the IRT forms are a generated dummy randomization (aclf_cdisc.raw.dummy)

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


@dataclass(frozen=True)
class CodedForm:
    """A form as read, before any check: each column its distinct values (untrimmed, as read) once
    and one code per record into them (-1: missing). Columns in file order, names as read."""

    columns: list[tuple[str, np.ndarray, np.ndarray]]  # (name, codes, distinct values)
    records: int


def coded_form(frame: pd.DataFrame) -> CodedForm:
    """``frame`` (text columns) as a :class:`CodedForm`.

    >>> form = coded_form(pd.DataFrame({"SEX": ["M", "F", "M", None]}))
    >>> [(name, codes.tolist(), distinct.tolist()) for name, codes, distinct in form.columns]
    [('SEX', [0, 1, 0, -1], ['M', 'F'])]
    """
    columns = []
    for position, name in enumerate(frame.columns):
        codes, distinct = pd.factorize(frame.iloc[:, position].to_numpy(dtype=object), use_na_sentinel=True)
        columns.append((name, codes, np.asarray(distinct, dtype=object)))
    return CodedForm(columns, len(frame))


CSV_CHUNK_RECORDS = 250_000  # records parsed at a time: a large form is never held whole as text


def _smallest_codes(codes: np.ndarray, distinct: int) -> np.ndarray:
    return codes.astype(np.min_scalar_type(-distinct - 1), copy=False)


class MisshapenRecord(ValueError):
    """A CSV record whose number of fields is not the header's: ``record`` (1-based, header not
    counted, as ``__row``) has ``fields`` where the header has ``expected``."""

    def __init__(self, record: int, fields: int, expected: int) -> None:
        super().__init__(f"record {record} has {fields} fields, the header {expected}")
        self.record, self.fields, self.expected = record, fields, expected


def fields_per_record(path: Path) -> Iterator[tuple[int, int]]:
    """(record number, number of fields) of each record of the CSV file ``path``: header not
    counted, quoted fields whole, and lines of white space only skipped: they are no record, as
    pandas reads them (a quoted empty field, ``""``, is one).

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = path.write_text('A,B\\n1,2\\n \\n"x,\\ny",2,3\\n""\\n', encoding="utf-8")
    >>> list(fields_per_record(path))
    [(1, 2), (2, 3), (3, 1)]
    """
    read: list[str] = []  # the lines of the record being read

    def lines(handle: TextIO) -> Iterator[str]:
        for line in handle:
            read.append(line)
            yield line

    with path.open(newline="", encoding="utf-8") as handle:
        rows = csv.reader(lines(handle))
        next(rows, None)  # the header
        read.clear()
        number = 0
        for row in rows:
            blank = not "".join(read).strip()
            read.clear()
            if not blank:
                number += 1
                yield number, len(row)


def first_misshapen_record(path: Path, expected: int) -> MisshapenRecord | None:
    """The first record of CSV file ``path`` whose number of fields is not ``expected``, or None."""
    try:
        found = next(((number, fields) for number, fields in fields_per_record(path) if fields != expected), None)
    except csv.Error:  # a record Python's reader cannot split (the file was read: pandas can)
        return None
    return None if found is None else MisshapenRecord(found[0], found[1], expected)


CSV_SCAN_BYTES = 1 << 24  # bytes of a file read at a time when its commas are counted


def commas_add_up(path: Path, fields: int, records: int) -> bool:
    """True when ``path`` holds exactly the separating commas of a header and ``records`` records
    of ``fields`` fields each, its quotes all closed; False (look record by record) otherwise.

    A record with a field too many stops the parser, so with none of those a record with a field
    too few, which the parser pads silently, is the only way the count can fall short. Commas
    between quotes are part of a value, not separators: a comma counts when the quotes before it
    in the file are even in number (a doubled quote inside a quoted value counts twice). A quote
    in the middle of an unquoted value, which the parser keeps as text, upsets that count, and the
    file is then looked at record by record.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "x.csv"
    >>> _ = path.write_text('A,B\\n1,"a, ""b"" c"\\n2,\\n', encoding="utf-8")
    >>> commas_add_up(path, 2, 2), commas_add_up(path, 2, 3)
    (True, False)
    """
    commas, quotes = 0, 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CSV_SCAN_BYTES), b""):
            data = np.frombuffer(block, dtype=np.uint8)
            if b'"' in block:  # the quotes before each comma: their positions, searched
                quoted_at = np.flatnonzero(data == ord('"'))
                before = np.searchsorted(quoted_at, np.flatnonzero(data == ord(",")))
                commas += int(np.count_nonzero((before + quotes) % 2 == 0))
                quotes += len(quoted_at)
            else:
                commas += block.count(b",") if quotes % 2 == 0 else 0
    return quotes % 2 == 0 and commas == (records + 1) * (fields - 1)


def read_coded_csv(path: Path, *, chunk_records: int = CSV_CHUNK_RECORDS) -> CodedForm:
    """A CSV form file as a :class:`CodedForm`, parsed ``chunk_records`` records at a time: each
    chunk's columns are coded into the distinct values seen so far, so memory holds one chunk's
    text and the codes, never the whole file as text. The values are exactly
    :func:`read_form_file`'s ('' for blank, nothing trimmed).

    Every record must have the header's number of fields, else :class:`MisshapenRecord` names the
    first that has not: the parser would take a first record with a field too many as an index
    column (every value shifted one column to the right) and pad a record with too few.
    """
    try:
        coded = _read_coded_csv(path, chunk_records)
    except pd.errors.ParserError:
        header = len(read_form_file_header(path))
        found = first_misshapen_record(path, header)
        if found is None:
            raise
        raise found from None
    fields = len(coded.columns)
    if not commas_add_up(path, fields, coded.records):
        found = first_misshapen_record(path, fields)
        if found is not None:
            raise found
    return coded


def read_form_file_header(path: Path) -> list[str]:
    """The field names of the header of CSV file ``path``, as written."""
    with path.open(newline="", encoding="utf-8") as handle:
        return next(csv.reader(handle), [])


def _read_coded_csv(path: Path, chunk_records: int) -> CodedForm:
    """:func:`read_coded_csv` without the check of each record's number of fields, but for the
    first record (:class:`MisshapenRecord` when the parser took its first field as an index)."""
    names: list[str] = []
    seen: list[dict[object, int]] = []
    parts: list[list[np.ndarray]] = []
    records = 0
    with pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False, encoding="utf-8",
                     chunksize=chunk_records) as chunks:
        for chunk in chunks:
            if not names:
                if not isinstance(chunk.index, pd.RangeIndex):  # the first record has more fields
                    raise (first_misshapen_record(path, len(chunk.columns))
                           or MisshapenRecord(1, len(chunk.columns) + chunk.index.nlevels, len(chunk.columns)))
                names = [str(c) for c in chunk.columns]
                seen, parts = [{} for _ in names], [[] for _ in names]
            for position, (_name, codes, distinct) in enumerate(coded_form(chunk).columns):
                known = seen[position]
                to_known = np.fromiter((known.setdefault(value, len(known)) for value in distinct),
                                       dtype=np.int64, count=len(distinct))
                parts[position].append(_smallest_codes(np.append(to_known, -1)[codes], len(known)))
            records += len(chunk)
    if not names:  # a header and no record: no chunk at all
        names = [str(c) for c in read_form_file(path).columns]
        seen, parts = [{} for _ in names], [[np.empty(0, dtype=np.int8)] for _ in names]
    return CodedForm([(name, _smallest_codes(np.concatenate(part), len(known)),
                       np.array(list(known), dtype=object))
                      for name, part, known in zip(names, parts, seen, strict=True)], records)


def read_coded_form(path: Path) -> CodedForm:
    """One form file as a :class:`CodedForm` (a CSV file chunk by chunk: :func:`read_coded_csv`)."""
    if path.suffix.lower() == ".csv":
        return read_coded_csv(path)
    return coded_form(read_form_file(path))


def misshapen_record_issue(found: MisshapenRecord, file: str, form: str) -> Issue:
    """The error naming a CSV record whose number of fields is not the header's."""
    return Issue(rule="raw.record-field-count", file=file, dataset=form, row=found.record, value=found.fields,
                 message=f"record {found.record} of {file} has {found.fields} fields where the header has "
                         f"{found.expected}: a separator too many or too few shifts its values into other columns; "
                         "correct the record (quote a value that holds a comma)",
                 expected=f"{found.expected} fields, one per header column")


def _find(folder: Path, form: str) -> list[Path]:
    found = []
    for suffix in SUFFIXES:
        for name in (f"{form}{suffix}", f"{form.upper()}{suffix}"):
            p = folder / name
            if p.is_file() and p not in found:
                found.append(p)
    return found


def _trimmed(codes: np.ndarray, distinct: np.ndarray) -> tuple[pd.Series, list[object]]:
    """A column (``codes`` into ``distinct`` as read) trimmed of surrounding spaces, blank -> missing,
    held compactly: a Categorical of the distinct trimmed strings, in order of first appearance
    (as :func:`aclf_cdisc.compact.compact_column` holds it; code -1 missing, ``NaN`` once
    expanded). Each distinct value is trimmed once.

    Returns (the column, the trimmed value of each of ``distinct``: str or NaN).
    """
    trimmed: list[object] = []
    for value in distinct:
        text = str(value).strip()
        trimmed.append(text if text else np.nan)
    to_trimmed, strings = pd.factorize(np.array(trimmed, dtype=object), use_na_sentinel=True)
    column_codes = np.append(to_trimmed, -1).take(codes)  # code -1 (missing) takes the appended -1
    categories = pd.Index(strings, dtype=object)
    return pd.Series(pd.Categorical.from_codes(column_codes, categories=categories), copy=False), trimmed


def check_form(frame: pd.DataFrame | CodedForm, form: RawForm, file: str,
               rows: Sequence[int] | None = None, *, held: bool = False) -> tuple[pd.DataFrame, list[Issue]]:
    """Trim, blank -> NA, check against the layout; return (frame in layout order + __file/__row, issues).

    ``rows`` cites each record (default its 1-based number; an ODM file gives its line). ``held``:
    the text columns come back compacted (:func:`aclf_cdisc.compact.compact_column`, blank ``NaN``),
    else as objects.
    """
    coded = frame if isinstance(frame, CodedForm) else coded_form(frame)
    issues: list[Issue] = []
    read: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, codes, distinct in coded.columns:
        read.setdefault(str(name).strip(), (codes, distinct))  # a name twice: the first (column-duplicated)
    by_upper = {c.upper(): c for c in read}
    for col in form.columns:  # accept a column whose name differs only in case
        if col.name not in read and col.name.upper() in by_upper:
            read[col.name] = read.pop(by_upper[col.name.upper()])
    declared = {c.name for c in form.columns}
    for extra in [c for c in read if c not in declared]:
        issues.append(Issue(rule="raw.column-unexpected", severity="warning", file=file, dataset=form.name,
                            column=extra, message=f"{form.name} has a column {extra} its layout does not declare",
                            expected="a column of specs/raw/" + form.name + ".yaml"))
    n = coded.records
    columns: dict[str, pd.Series] = {}
    distinct_values: dict[str, tuple[np.ndarray, Sequence[object]]] = {}
    for col in form.columns:
        if col.name not in read:
            issues.append(Issue(
                rule="raw.column-missing", severity="error" if col.required else "warning", file=file,
                dataset=form.name, column=col.name, message=f"{form.name} has no column {col.name}",
                expected=f"column {col.name} ({'required' if col.required else 'optional'})"))
            columns[col.name] = pd.Series(pd.NA, index=range(n), dtype="object")
            continue
        codes, distinct = read[col.name]
        columns[col.name], trimmed = _trimmed(codes, distinct)
        distinct_values[col.name] = (codes, trimmed)
    out = pd.DataFrame(columns, index=pd.RangeIndex(n), copy=False)
    out[FILE_COL] = file
    out[ROW_COL] = np.arange(1, n + 1) if rows is None else np.asarray(rows, dtype=np.int64)
    # every value-level check comes from the pandera schema of the layout (columns present in the file),
    # run on each column's distinct trimmed values
    issues.extend(raw_distinct_issues(form, distinct_values, rows=out[ROW_COL].to_numpy(), file=file))
    return (out if held else as_read(out)), issues


def _odm_forms(folder: Path, layouts: Mapping[str, RawForm],
               duplicated: Mapping[str, Any] | None) -> tuple[Path | None, OdmForms | None, list[Issue]]:
    """The folder's ODM export (its one ``.xml`` file), read; (None, None, []) when there is none.

    An XML file beside a complete set of per-form files is not read (it may be anything). An item
    given twice in one record has the severity of ``conventions.checks.column-duplicated``
    (``duplicated``; an error when the study does not set it: one of two values is never chosen
    silently).
    """
    xml = sorted(p for p in folder.iterdir() if is_odm_file(p))
    if not xml or all(_find(folder, name) for name in layouts):
        return None, None, []
    if len(xml) > 1:
        return None, None, [Issue(rule="raw.odm-ambiguous", file=", ".join(p.name for p in xml),
                                  message=f"{folder} holds {len(xml)} XML files; which is the ODM export?",
                                  expected="one ODM .xml file per export folder")]
    try:
        odm = read_odm(xml[0], layouts, duplicated=(duplicated or {}).get("severity", "error"))
    except OdmMalformed as exc:  # one finding: where the file stops being ODM
        raise InputError([exc.issue], f"the ODM export {xml[0]} is unreadable: {exc.issue.message}") from None
    return xml[0], odm, odm.issues


def read_export(path: Path, spec: Spec | Mapping[str, RawForm] | None = None, *,
                dummy_seed: int | None = None, held: bool = False) -> RawExport:
    """Read and check every declared form in folder ``path``; raise InputError on any error.

    ``dummy_seed``: the IRT forms are not read at all (not even looked for); a dummy
    randomization made from the other forms with that seed takes their place
    (:mod:`aclf_cdisc.raw.dummy`).

    ``held``: the forms come back with their text columns held compactly
    (:mod:`aclf_cdisc.raw.held`; :func:`~aclf_cdisc.raw.held.as_read` rebuilds one as read), else as
    objects. Either way each form is held compactly from the moment it is checked, and a CSV file
    is parsed in chunks (:func:`read_coded_csv`): reading never holds a whole export as text.
    """
    folder = Path(path)
    layouts = as_raw_forms(spec)
    if not folder.is_dir():
        state = "is a file, not a folder" if folder.exists() else "does not exist"
        raise InputError(Issue(rule="raw.folder-not-found", message=f"export folder {folder} {state}",
                               file=str(folder)))
    issues: list[Issue] = []
    forms: dict[str, pd.DataFrame] = {}
    files: dict[str, Path] = {}
    blinded_missing = []
    checks = (spec.study.conventions.get("checks") or {}) if isinstance(spec, Spec) else {}
    odm_file, odm, odm_issues = _odm_forms(folder, layouts, checks.get("column-duplicated"))
    issues.extend(odm_issues)
    for name in sorted(layouts):
        layout = layouts[name]
        if layout.blinded and dummy_seed is not None:
            continue  # never read the real IRT files in a dummy-randomization build
        found = _find(folder, name)
        if not found and odm is not None and odm_file is not None and (name in odm.present or not layout.blinded):
            checked, found_issues = check_form(odm.frames[name], layout, odm_file.name, rows=odm.lines[name],
                                               held=True)
            issues.extend(found_issues)
            forms[name] = checked
            files[name] = odm_file
            continue
        if not found:
            if layout.blinded:
                blinded_missing.append(name)
                continue
            issues.append(Issue(rule="raw.form-missing", message=f"form {name} is missing from the export",
                                file=f"{name}.csv", dataset=name,
                                expected=f"{name}.csv, {name}.sas7bdat, {name}.xpt or an ODM .xml file"))
            continue
        if len(found) > 1:
            issues.append(Issue(rule="raw.form-ambiguous", dataset=name, file=", ".join(p.name for p in found),
                                message=f"form {name} is present in more than one file", expected="one file"))
            continue
        file = found[0]
        try:
            coded = read_coded_form(file)
        except MisshapenRecord as exc:
            issues.append(misshapen_record_issue(exc, file.name, name))
            continue
        except Exception as exc:
            reason = " ".join(str(exc).split())  # one line: a parser's message may end in a line break
            issues.append(Issue(rule="raw.file-unreadable", message=f"cannot read {file.name}: {reason}",
                                file=file.name, dataset=name))
            continue
        issues.extend(duplicated_header_issues(file, name, checks.get("column-duplicated")))
        checked, found_issues = check_form(coded, layout, file.name, held=True)
        del coded
        issues.extend(found_issues)
        forms[name] = checked
        files[name] = file
    blinded_forms = sorted(n for n, f in layouts.items() if f.blinded)
    if dummy_seed is not None and not [i for i in issues if i.severity == "error"]:
        from aclf_cdisc.raw.dummy import dummy_file_name, dummy_irt

        conventions = spec.study.conventions if isinstance(spec, Spec) else {}
        for name, frame in dummy_irt(FormsAsRead(forms), conventions, dummy_seed).items():
            checked, found_issues = check_form(frame, layouts[name], dummy_file_name(name), held=True)
            issues.extend(found_issues)
            forms[name] = checked
    blinded = dummy_seed is None and bool(blinded_forms) and len(blinded_missing) == len(blinded_forms)
    if blinded_missing and not blinded:
        for name in blinded_missing:
            issues.append(Issue(rule="raw.form-missing", dataset=name, file=f"{name}.csv",
                                message=f"form {name} is missing while other IRT files are present",
                                expected="all IRT files, or none (a blinded export)"))
    errors = [i for i in issues if i.severity == "error"]
    if errors:
        raise InputError(errors, f"the raw export in {folder} breaks its layout: {len(errors)} problem(s)")
    if isinstance(spec, Spec):  # plausibility needs forms that passed their layout, and the study
        issues.extend(plausibility_issues(forms, spec.study, layouts))
        errors = [i for i in issues if i.severity == "error"]
        if errors:
            raise InputError(errors, f"the raw export in {folder} holds impossible data: {len(errors)} problem(s)")
    if not held:
        forms = {name: as_read(form) for name, form in forms.items()}
    return RawExport(forms=forms, files=files, blinded=blinded, issues=issues, dummy=dummy_seed is not None)
