"""Spec YAML <-> a Pinnacle 21 style spec workbook (.xlsx), losslessly.

:func:`export_workbook` writes every file of a spec folder into the sheets of
:mod:`aclf_cdisc.spec.layout`; :func:`import_workbook` turns such a workbook back into the spec
files (relative path -> YAML data), and :func:`write_spec_folder` writes them atomically.
Export then import gives YAML data equal to the original (``yaml.safe_load`` equal), whatever
keys the files hold: a key no column takes travels in the row's ``Extra (JSON)`` cell, and a
spec file the layout does not know travels whole on the ``Files`` sheet. ``analysis.yaml`` fills
the P21 Analysis Displays and Analysis Results sheets (its other keys are Study attributes).

The workbook is byte-reproducible: its document properties and the zip entry times come from the
spec (``conventions.xpt.created`` in ``study.yaml``), never from the clock.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import shutil
import tempfile
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

import yaml
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from aclf_cdisc.errors import Issue, Severity, SpecError, cap
from aclf_cdisc.files import replace_atomically
from aclf_cdisc.spec.cells import (
    UNFIT,
    CellError,
    chunks,
    decode,
    encode,
    flatten,
    from_json,
    get_path,
    is_missing,
    merge,
    same,
    set_path,
    to_structured,
)
from aclf_cdisc.spec.layout import (
    ANALYSIS_DISPLAYS,
    ANALYSIS_FILE,
    ANALYSIS_RESULTS,
    CODELISTS,
    COMMENTS,
    DATASETS,
    DICTIONARIES,
    DOCUMENTS,
    EXTRA,
    FILES,
    METHODS,
    P21_SHEETS,
    RAW_COLUMNS,
    RAW_FORMS,
    REQUIRED_SHEETS,
    SOURCES,
    STUDY,
    STUDY_ATTRIBUTES,
    STUDY_FILES,
    STUDY_TABLE_SHEETS,
    TERM_COLUMNS,
    VALUE_LEVEL,
    VARIABLES,
    WHERE_CLAUSES,
    Col,
    Sheet,
)
from aclf_cdisc.spec.loader import load_schema

Row = dict[str, Any]
DATASET_FOLDERS = ("sdtm", "adam")
RAW_FOLDER = "raw"
# Used only when study.yaml names no fixed timestamp (conventions.xpt.created).
FALLBACK_TIMESTAMP = dt.datetime(2000, 1, 1)
HEADER_FONT = Font(bold=True, color="FFFFFF")
P21_FILL = PatternFill("solid", fgColor="1F4E78")
EXTENSION_FILL = PatternFill("solid", fgColor="548235")


# ============================================================================================
# Reading the spec folder
# ============================================================================================
def read_spec_files(root: Path) -> dict[str, Any]:
    """Every file under ``root`` (relative POSIX path -> YAML data; text for non-YAML files)."""
    files: dict[str, Any] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root).as_posix()
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        text = path.read_text(encoding="utf-8")
        files[rel] = yaml.safe_load(text) if path.suffix in (".yaml", ".yml") else text
    return files


def _kind_of(rel: str, data: Any) -> str:
    """Which sheets hold a file: study, a study-level list, dataset, raw, or whole (Files sheet)."""
    if not isinstance(data, dict):
        return "file"
    if rel == "study.yaml":
        return "study"
    if rel in STUDY_FILES:
        return "list"
    folder = rel.split("/")[0] if "/" in rel else ""
    if folder in DATASET_FOLDERS and rel.count("/") == 1 and isinstance(data.get("dataset"), str):
        return "dataset"
    if folder == RAW_FOLDER and rel.count("/") == 1 and isinstance(data.get("form"), str):
        return "raw"
    return "file"


# ============================================================================================
# Export: spec data -> rows per sheet
# ============================================================================================
class _Unrepresentable(Exception):
    def __init__(self, where: str, value: Any) -> None:
        super().__init__(where)
        self.where, self.value = where, value


def record_row(record: dict[str, Any], sheet: Sheet, extra_header: str = EXTRA,
               columns: Iterable[Col] | None = None) -> Row:
    """Cells for the data columns of ``sheet`` plus the rest of ``record`` as JSON."""
    cols = [c for c in (columns if columns is not None else sheet.data_columns()) if c.path]
    cells, rest = flatten(record, [c.path for c in cols], [c.kind for c in cols])
    row: Row = {c.header: cells[c.path] for c in cols if c.path in cells}
    if rest is not None:
        text = to_structured(rest)
        if text is None:
            raise _Unrepresentable(f"{sheet.name} {extra_header}", rest)
        row[extra_header] = text
    return row


def _records(value: Any) -> bool:
    """A non-empty list of mappings: what a record sheet can hold."""
    return isinstance(value, list) and bool(value) and all(isinstance(v, dict) for v in value)


def _table_sheet_name(key: str) -> str:
    return STUDY_TABLE_SHEETS.get(key, key[:31])


def study_rows(files: dict[str, Any]) -> tuple[list[Row], dict[str, list[dict[str, Any]]]]:
    """Study sheet rows and the study tables (sheet name -> records) they point to."""
    rows: list[Row] = []
    tables: dict[str, list[dict[str, Any]]] = {}
    study = files.get("study.yaml")
    attributes: list[tuple[str, Any, bool]] = []
    if isinstance(study, dict):
        attributes += [(STUDY_ATTRIBUTES.get(str(k), str(k)), v, True) for k, v in study.items()]
    for rel, list_key in STUDY_FILES.items():
        data = files.get(rel)
        if isinstance(data, dict):
            attributes += [(f"{rel}#{k}", v, False) for k, v in data.items()
                           if k != list_key or not _records(v)]
    for name, value, tabular in attributes:
        cell = encode("scalar", value)
        if cell is not UNFIT and same(decode("scalar", cell), value):
            rows.append({"Attribute": name, "Value": cell})
        elif tabular and _records(value) and _table_sheet_name(name) not in _reserved():
            sheet = _table_sheet_name(name)
            tables[sheet] = value
            rows.append({"Attribute": name, "Sheet": sheet})
        elif (text := to_structured(value)) is not None:
            rows.append({"Attribute": name, "Value (JSON)": text})
        else:
            raise _Unrepresentable(f"Study {name}", value)
    return rows, tables


def _reserved() -> set[str]:
    return {s.name for s in (*P21_SHEETS, RAW_FORMS, RAW_COLUMNS, FILES, SOURCES)}


def table_sheet(name: str, records: list[dict[str, Any]]) -> Sheet:
    """A sheet for a study table: one column per key holding a cell-fit value somewhere."""
    headers: list[str] = []
    for record in records:
        for key, value in record.items():
            if key not in headers and not is_missing(value) and encode("scalar", value) is not UNFIT:
                headers.append(key)
    return Sheet(name, tuple(Col(h, (h,), p21=False, width=max(10, min(40, len(h) + 4))) for h in headers))


def dataset_rows(files: dict[str, Any]) -> tuple[list[Row], list[Row], list[Row], list[Row]]:
    """Rows of Datasets, Variables, ValueLevel and WhereClauses for every dataset file."""
    datasets: list[Row] = []
    variables: list[Row] = []
    value_level: list[Row] = []
    where_rows: list[Row] = []
    for rel, data in files.items():
        if _kind_of(rel, data) != "dataset":
            continue
        name = data["dataset"]
        record = dict(data)
        own_vars = record.pop("variables") if _records(record.get("variables")) else []
        own_vl = record.pop("value_level") if _records(record.get("value_level")) else []
        row = record_row(record, DATASETS)
        row["File"] = rel
        datasets.append(row)
        for order, var in enumerate(own_vars, start=1):
            vrow = {"Order": order, "Dataset": name, **record_row(var, VARIABLES)}
            core = var.get("core")
            if isinstance(core, str):
                vrow["Mandatory"] = "Yes" if core == "Req" else "No"
            variables.append(vrow)
        seen: dict[str, Any] = {}
        for order, vl in enumerate(own_vl, start=1):
            record_vl = dict(vl)
            where = record_vl.get("where")
            conditions = get_path(record_vl, ("where", "conditions"))
            oid = get_path(record_vl, ("where", "oid"))
            if isinstance(oid, str) and not is_missing(conditions):
                if oid not in seen and (wc := where_clause_rows(name, oid, conditions)) is not None:
                    seen[oid] = conditions
                    where_rows.extend(wc)
                if oid in seen and same(seen[oid], conditions) and isinstance(where, dict):
                    record_vl["where"] = {k: v for k, v in where.items() if k != "conditions"}
            value_level.append({"Order": order, "Dataset": name, **record_row(record_vl, VALUE_LEVEL)})
    return datasets, variables, value_level, where_rows


def where_clause_rows(dataset: str, oid: str, conditions: Any) -> list[Row] | None:
    """One WhereClauses row per condition, or None when the conditions are not [var, op, [values]]."""
    if not isinstance(conditions, list) or not conditions:
        return None
    rows: list[Row] = []
    for condition in conditions:
        if not (isinstance(condition, list) and len(condition) == 3 and isinstance(condition[2], list)):
            return None
        variable, comparator, values = condition
        row: Row = {"ID": oid, "Dataset": dataset}
        for header, value in (("Variable", variable), ("Comparator", comparator)):
            if encode("scalar", value) is UNFIT or not isinstance(value, str):
                return None
            row[header] = value
        listed = encode("list", values)
        if listed is not UNFIT and same(decode("list", listed), values):
            row["Value"] = listed
        elif (text := to_structured(values)) is not None:
            row["Values (JSON)"] = text
        else:
            return None
        rows.append(row)
    return rows


def codelist_rows(files: dict[str, Any]) -> tuple[list[Row], list[Row]]:
    """Rows of Codelists (one per term) and Dictionaries (external codelists without terms)."""
    data = files.get("codelists.yaml")
    if not isinstance(data, dict) or not _records(data.get("codelists")):
        return [], []
    codelists: list[dict[str, Any]] = data["codelists"]
    ct_version = data.get("ct_version")
    codelist_cols = [c for c in CODELISTS.data_columns() if c.header not in TERM_COLUMNS]
    term_cols = [c for c in CODELISTS.columns if c.header in TERM_COLUMNS]
    rows: list[Row] = []
    dictionaries: list[Row] = []
    for position, codelist in enumerate(codelists, start=1):
        if isinstance(codelist.get("external"), dict) and "terms" not in codelist:
            dictionaries.append({**record_row(codelist, DICTIONARIES), "Position": position})
            continue
        record = dict(codelist)
        terms: list[Any] = record.pop("terms") if _records(record.get("terms")) else [None]
        head = record_row(record, CODELISTS, "Codelist Extra (JSON)", codelist_cols)
        if isinstance(record.get("nci_code"), str) and ct_version:
            head["Terminology"] = f"CDISC CT {ct_version}"
        for term in terms:
            row = dict(head)
            if term is not None:
                row.update(record_row(term, CODELISTS, "Term Extra (JSON)", term_cols))
            rows.append(row)
    return rows, dictionaries


def result_where_id(result_oid: str, dataset: str) -> str:
    """The WhereClauses ID of one dataset's selection in an analysis result."""
    return f"WC.{result_oid}.{dataset}"


def decode_result_datasets(ids: list[str], variables: list[str],
                           wheres: dict[str, list[tuple[str, list[Any]]]]) -> tuple[list[dict[str, Any]], list[str],
                                                                                    list[str]]:
    """An analysis result's ``datasets`` from its Where Clause IDs and DATASET.VARIABLE list, with
    the IDs that name no single dataset's where clause and the variables of no selected dataset."""
    datasets: list[dict[str, Any]] = []
    unknown: list[str] = []
    for wid in ids:
        found = wheres.get(wid, [])
        if len(found) != 1:
            unknown.append(wid)
            continue
        dataset, conditions = found[0]
        datasets.append({"dataset": dataset, "where": conditions, "variables": []})
    by_name = {d["dataset"]: d for d in datasets}
    stray: list[str] = []
    for variable in variables:
        dataset, dot, name = variable.partition(".")
        if not dot or not name or dataset not in by_name:
            stray.append(variable)
        else:
            by_name[dataset]["variables"].append(name)
    return datasets, unknown, stray


def encode_result_datasets(result_oid: Any, datasets: Any) -> tuple[Row, list[Row]] | None:
    """Where Clause and Variable(s) cells and the WhereClauses rows of a result's ``datasets``, or
    None when they cannot be read back exactly (they then travel in the row's Extra (JSON))."""
    if not isinstance(result_oid, str) or not _records(datasets):
        return None
    ids: list[str] = []
    variables: list[Any] = []
    where_rows: list[Row] = []
    index: dict[str, list[tuple[str, list[Any]]]] = {}
    for entry in datasets:
        name = entry.get("dataset")
        if (set(entry) != {"dataset", "where", "variables"} or not isinstance(name, str) or not name
                or "." in name or not isinstance(entry["variables"], list)):
            return None
        wid = result_where_id(result_oid, name)
        rows = where_clause_rows(name, wid, entry["where"])
        if rows is None or wid in index:
            return None
        index[wid] = [(name, entry["where"])]
        ids.append(wid)
        where_rows += rows
        variables += [f"{name}.{v}" if isinstance(v, str) else None for v in entry["variables"]]
    if None in variables:
        return None
    cells: Row = {"Where Clause": encode("list", ids)}
    if variables:
        cells["Variable(s)"] = encode("list", variables)
    if any(cell is UNFIT for cell in cells.values()):
        return None
    back, unknown, stray = decode_result_datasets(decode("list", cells["Where Clause"]),
                                                  decode("list", cells.get("Variable(s)", "")), index)
    return (cells, where_rows) if not unknown and not stray and same(back, datasets) else None


def analysis_rows(files: dict[str, Any]) -> tuple[list[Row], list[Row], list[Row]]:
    """Rows of Analysis Displays and Analysis Results (analysis.yaml ``displays``) and the
    WhereClauses rows their results select with."""
    data = files.get(ANALYSIS_FILE)
    displays = data.get("displays") if isinstance(data, dict) else None
    if displays is None or not _records(displays):
        return [], [], []
    display_rows: list[Row] = []
    result_rows: list[Row] = []
    where_rows: list[Row] = []
    for display in displays:
        record = dict(display)
        oid, found = record.get("oid"), record.get("results")
        results: list[dict[str, Any]] = []
        if isinstance(oid, str) and found is not None and _records(found):
            results = record.pop("results")
        display_rows.append(record_row(record, ANALYSIS_DISPLAYS))
        for result in results:
            entry = dict(result)
            encoded = encode_result_datasets(entry.get("oid"), entry.get("datasets"))
            cells: Row = {}
            if encoded is not None:
                cells, wheres = encoded
                where_rows += wheres
                del entry["datasets"]
            result_rows.append({"Display": oid, **record_row(entry, ANALYSIS_RESULTS), **cells})
    return display_rows, result_rows, where_rows


def list_rows(files: dict[str, Any], rel: str, sheet: Sheet) -> list[Row]:
    data = files.get(rel)
    records = data.get(STUDY_FILES[rel]) if isinstance(data, dict) else None
    return [record_row(r, sheet) for r in records] if records and _records(records) else []


def raw_rows(files: dict[str, Any]) -> tuple[list[Row], list[Row]]:
    forms: list[Row] = []
    columns: list[Row] = []
    for rel, data in files.items():
        if _kind_of(rel, data) != "raw":
            continue
        record = dict(data)
        own = record.pop("columns") if _records(record.get("columns")) else []
        forms.append({**record_row(record, RAW_FORMS), "File": rel})
        columns += [{"Form": data["form"], "Order": i, **record_row(c, RAW_COLUMNS)}
                    for i, c in enumerate(own, start=1)]
    return forms, columns


def file_rows(root_files: dict[str, Any], texts: dict[str, str]) -> list[Row]:
    """Files the layout does not know, whole, in parts that fit a cell."""
    rows: list[Row] = []
    for rel, data in root_files.items():
        if _kind_of(rel, data) == "file":
            text = texts[rel]
            rows += [{"Path": rel, "Part": i, "Content": part}
                     for i, part in enumerate(chunks(text) if text else [""], start=1)]
    return rows


def source_rows(files: dict[str, Any], texts: dict[str, str]) -> list[Row]:
    """The exported YAML text of every file the sheets carry (see :func:`keep_source_text`)."""
    rows: list[Row] = []
    for rel, data in files.items():
        if _kind_of(rel, data) != "file":
            rows += [{"Path": rel, "Part": i, "Content": part}
                     for i, part in enumerate(chunks(texts[rel]) if texts[rel] else [""], start=1)]
    return rows


def workbook_timestamp(files: dict[str, Any]) -> dt.datetime:
    """The fixed creation time: ``conventions.xpt.created`` of study.yaml."""
    value = get_path(files.get("study.yaml") or {}, ("conventions", "xpt", "created"))
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value).replace(tzinfo=None)
        except ValueError:
            pass
    return FALLBACK_TIMESTAMP


def spec_sheets(root: Path) -> tuple[list[tuple[Sheet, list[Row]]], dt.datetime, str]:
    """Every sheet with its rows, the workbook timestamp and the study id."""
    files = read_spec_files(root)
    texts = {rel: (root / rel).read_text(encoding="utf-8") for rel in files}
    try:
        study, tables = study_rows(files)
        datasets, variables, value_level, where_rows = dataset_rows(files)
        codelists, dictionaries = codelist_rows(files)
        forms, columns = raw_rows(files)
        displays, results, result_wheres = analysis_rows(files)
        sheets: list[tuple[Sheet, list[Row]]] = [
            (STUDY, study), (DATASETS, datasets), (VARIABLES, variables), (VALUE_LEVEL, value_level),
            (WHERE_CLAUSES, where_rows + result_wheres), (CODELISTS, codelists), (DICTIONARIES, dictionaries),
            (METHODS, list_rows(files, "methods.yaml", METHODS)),
            (COMMENTS, list_rows(files, "comments.yaml", COMMENTS)),
            (DOCUMENTS, list_rows(files, "documents.yaml", DOCUMENTS)),
            (ANALYSIS_DISPLAYS, displays), (ANALYSIS_RESULTS, results),
        ]
        for name, records in tables.items():
            sheet = table_sheet(name, records)
            sheets.append((sheet, [record_row(r, sheet) for r in records]))
        sheets += [(RAW_FORMS, forms), (RAW_COLUMNS, columns)]
        extra_files = file_rows(files, texts)
        if extra_files:
            sheets.append((FILES, extra_files))
        sheets.append((SOURCES, source_rows(files, texts)))
    except _Unrepresentable as exc:
        raise SpecError(Issue(
            rule="workbook.unrepresentable", message=f"{exc.where}: value cannot be stored in a workbook cell",
            file=str(root), value=str(exc.value)[:200],
            expected=f"JSON-compatible data of at most {32767} characters per cell")) from exc
    study_data = files.get("study.yaml")
    studyid = study_data.get("studyid") if isinstance(study_data, dict) else None
    return sheets, workbook_timestamp(files), str(studyid or root.name)


# ============================================================================================
# Export: rows -> xlsx bytes
# ============================================================================================
def _write_sheet(ws: Worksheet, sheet: Sheet, rows: list[Row]) -> None:
    headers = sheet.headers
    for j, header in enumerate(headers, start=1):
        cell = ws.cell(row=1, column=j, value=header)
        cell.data_type = "s"
        col = sheet.column(header)
        cell.font = HEADER_FONT
        cell.fill = P21_FILL if col is not None and col.p21 else EXTENSION_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        ws.column_dimensions[get_column_letter(j)].width = col.width if col is not None else 40
    if sheet is SOURCES:
        ws.sheet_state = "hidden"
    for i, row in enumerate(rows, start=2):
        for j, header in enumerate(headers, start=1):
            value = row.get(header)
            if value is None:
                continue
            cell = ws.cell(row=i, column=j)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # text stays text: "=..." is never a formula
            cell.alignment = Alignment(vertical="top")
    ws.freeze_panes = "A2"
    if headers:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{max(1, len(rows) + 1)}"


class _FixedTimeZip(zipfile.ZipFile):
    """A zip whose entries all carry one fixed time (openpyxl would stamp the clock)."""

    fixed: tuple[int, int, int, int, int, int] = (2000, 1, 1, 0, 0, 0)

    def writestr(self, zinfo_or_arcname: Any, data: Any, compress_type: int | None = None,
                 compresslevel: int | None = None) -> None:
        if isinstance(zinfo_or_arcname, str):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=self.fixed)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            zinfo_or_arcname = info
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename: Any, arcname: Any = None, compress_type: int | None = None,
              compresslevel: int | None = None) -> None:
        """openpyxl writes worksheets through temporary files: store their bytes with the fixed time."""
        self.writestr(str(arcname or filename), Path(filename).read_bytes(), compress_type, compresslevel)


def workbook_bytes(sheets: list[tuple[Sheet, list[Row]]], timestamp: dt.datetime, title: str) -> bytes:
    """The xlsx file for ``sheets``; identical bytes for identical input."""
    wb = Workbook()
    wb.remove(wb.active)
    for sheet, rows in sheets:
        _write_sheet(wb.create_sheet(sheet.name), sheet, rows)
    props = wb.properties
    props.creator = props.lastModifiedBy = "aclf-cdisc"
    props.title = f"{title} specification"
    props.created = props.modified = timestamp
    buffer = io.BytesIO()
    archive = _FixedTimeZip(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    archive.fixed = (max(timestamp.year, 1980), timestamp.month, timestamp.day,
                     timestamp.hour, timestamp.minute, timestamp.second)
    ExcelWriter(wb, archive).save()  # save_workbook() would set properties.modified to now
    return buffer.getvalue()


def export_workbook(root: Path, target: Path) -> dict[str, int]:
    """Write the spec folder ``root`` as a workbook at ``target``; return rows per sheet."""
    sheets, timestamp, studyid = spec_sheets(root)
    data = workbook_bytes(sheets, timestamp, studyid)
    target.parent.mkdir(parents=True, exist_ok=True)
    replace_atomically(target, lambda handle: handle.write(data))
    return {sheet.name: len(rows) for sheet, rows in sheets}


# ============================================================================================
# Import: xlsx -> rows per sheet
# ============================================================================================
@dataclass
class SheetRows:
    """A sheet as read: header -> column letter, and (Excel row number, header -> value) rows."""

    name: str
    letters: dict[str, str]
    rows: list[tuple[int, Row]] = field(default_factory=list)


@dataclass
class Reader:
    """Collects findings while a workbook is read; knows where each spec record came from."""

    workbook: str
    issues: list[Issue] = field(default_factory=list)
    # (file, JSON path of a record) -> (sheet, row number, sheet layout)
    origins: dict[tuple[str, tuple[Any, ...]], tuple[SheetRows, int, Sheet]] = field(default_factory=dict)

    def add(self, rule: str, message: str, sheet: SheetRows | str, row: int | None = None,
            header: str | None = None, value: Any = None, expected: str | None = None,
            severity: Severity = "error") -> None:
        """Record a finding at sheet, Excel row and column (letter and header)."""
        name = sheet if isinstance(sheet, str) else sheet.name
        letters = {} if isinstance(sheet, str) else sheet.letters
        column = f"{letters[header]} ({header})" if header in letters else header
        self.issues.append(Issue(rule=rule, message=f"{name}: {message}", severity=severity,
                                 file=f"{self.workbook}#{name}", row=row, column=column,
                                 value=value, expected=expected))

    def errors(self) -> bool:
        return any(i.severity == "error" for i in self.issues)


def read_sheet(ws: Worksheet, sheet: Sheet | None, reader: Reader) -> SheetRows:
    """Header row and data rows of ``ws``; findings for formulas, dates and unknown headers."""
    out = SheetRows(ws.title, {})
    grid = list(ws.iter_rows())
    headers: dict[int, str] = {}
    for cell in grid[0] if grid else ():
        if cell.value is not None:
            header = str(cell.value).strip()
            headers[cell.column] = header
            out.letters[header] = cell.column_letter
    if sheet is not None:
        known = set(sheet.headers)
        for header in out.letters:
            if header not in known:
                reader.add("workbook.column-unknown", f"column {header!r} is not part of the layout; ignored",
                           out, 1, header, header, "one of " + ", ".join(sheet.headers), "warning")
        for col in sheet.columns:
            if col.required and col.header not in out.letters:
                reader.add("workbook.column-missing", f"required column {col.header!r} is missing",
                           out, 1, col.header, None, f"a header cell {col.header!r} in row 1")
    for cells in grid[1:]:
        row: Row = {}
        for cell in cells:
            found = headers.get(cell.column) if isinstance(cell.column, int) else None
            if found is None or cell.value is None:
                continue
            header = found
            if cell.data_type == "f":
                reader.add("workbook.formula", "a formula cannot be a spec value", out, cell.row, header,
                           cell.value, "a plain value (type text, not =...)")
                continue
            if isinstance(cell.value, dt.datetime | dt.date | dt.time):
                reader.add("workbook.cell-date", "a date cell cannot be a spec value", out, cell.row, header,
                           str(cell.value), "text (format the cell as Text, e.g. 2024-01-31)")
                continue
            row[header] = cell.value
        if row:
            out.rows.append((cells[0].row, row))
    return out


def record_from_row(reader: Reader, rows: SheetRows, number: int, row: Row, sheet: Sheet,
                    columns: Iterable[Col] | None = None, extra_header: str = EXTRA) -> dict[str, Any]:
    """The spec record of one row: its data columns, then its Extra (JSON) merged in."""
    record: dict[str, Any] = {}
    for col in columns if columns is not None else sheet.data_columns():
        if not col.path or col.header not in row:
            continue
        try:
            set_path(record, col.path, decode(col.kind, row[col.header]))
        except CellError as exc:
            reader.add("workbook.cell-invalid", f"{col.header} cannot be read", rows, number, col.header,
                       row[col.header], exc.expected)
    for col in sheet.columns:
        if col.role == "unused" and col.header in row:
            reader.add("workbook.column-unused", f"{col.header} has no place in the spec; ignored", rows,
                       number, col.header, row[col.header], "an empty cell", "warning")
    if extra_header in row:
        extra = json_cell(reader, rows, number, row, extra_header)
        if isinstance(extra, dict):
            for clash in merge(record, extra):
                reader.add("workbook.extra-clash", f"{'.'.join(clash)} is set both by a column and by "
                           f"{extra_header}", rows, number, extra_header, '.'.join(clash),
                           "each key in one place only")
        elif extra is not None:
            reader.add("workbook.cell-invalid", f"{extra_header} must be a JSON object", rows, number,
                       extra_header, row[extra_header], 'a JSON object such as {"key": "value"}')
    return record


def json_cell(reader: Reader, rows: SheetRows, number: int, row: Row, header: str) -> Any:
    try:
        return from_json(row[header])
    except CellError as exc:
        reader.add("workbook.cell-invalid", f"{header} is not valid JSON", rows, number, header,
                   str(row[header])[:200], exc.expected)
        return None


def _order_key(reader: Reader, rows: SheetRows, number: int, row: Row) -> int:
    value = row.get("Order")
    if value is None:
        return 0
    order = decode("integer", value)
    if isinstance(order, int) and not isinstance(order, bool):  # TRUE or 2.5 is no position
        return order
    reader.add("workbook.cell-invalid", "Order must be a whole number", rows, number, "Order", value,
               "a whole number (the position within the dataset)")
    return 0


# ============================================================================================
# Import: rows -> spec files
# ============================================================================================
def _sheet(sheets: dict[str, SheetRows], name: str) -> SheetRows:
    """A sheet as read, or an empty one when the workbook lacks it (optional sheets)."""
    return sheets.get(name) or SheetRows(name, {})


def import_study(reader: Reader, sheets: dict[str, SheetRows], files: dict[str, Any]) -> None:
    rows = sheets["Study"]
    reverse = {v: k for k, v in STUDY_ATTRIBUTES.items()}
    study: dict[str, Any] = {}
    for number, row in rows.rows:
        name = row.get("Attribute")
        if not isinstance(name, str):
            reader.add("workbook.cell-invalid", "every row needs an Attribute", rows, number, "Attribute",
                       name, "an attribute name such as StudyName")
            continue
        if "Sheet" in row:
            table = sheets.get(str(row["Sheet"]))
            if table is None:
                reader.add("workbook.sheet-missing", f"attribute {name} points to a sheet that is missing",
                           rows, number, "Sheet", row["Sheet"], "the name of a sheet of this workbook")
                continue
            value: Any = import_table(reader, table)
        elif "Value (JSON)" in row:
            value = json_cell(reader, rows, number, row, "Value (JSON)")
        elif "Value" in row:
            value = row["Value"]
        else:
            value = None
        file_name, key = name.split("#", 1) if "#" in name else ("study.yaml", name)
        if file_name == "study.yaml":
            study[reverse.get(key, key)] = value
        else:
            files.setdefault(file_name, {})[key] = value
    files["study.yaml"] = study


def import_table(reader: Reader, rows: SheetRows) -> list[dict[str, Any]]:
    sheet = Sheet(rows.name, tuple(Col(h, (h,)) for h in rows.letters if h != EXTRA))
    out: list[dict[str, Any]] = []
    for number, row in rows.rows:
        reader.origins[("study.yaml", (rows.name, len(out)))] = (rows, number, sheet)
        out.append(record_from_row(reader, rows, number, row, sheet))
    return out


def spec_path_problem(rel: str) -> str | None:
    """Why ``rel`` cannot name a file of a spec folder (None when it can): the workbook's File and
    Path cells say where each file is written, and every file must land inside the one new folder."""
    if "\\" in rel:
        return "holds a backslash (separate folders with /)"
    if PurePosixPath(rel).is_absolute() or PureWindowsPath(rel).drive:
        return "is an absolute path"
    if any(part in ("", ".", "..") for part in rel.split("/")):
        return "has an empty, '.' or '..' part"
    return None


def unwritable_files(rels: Iterable[str]) -> list[Issue]:
    """An issue for each path that cannot be a file of a new spec folder: one that would land
    outside it (:func:`spec_path_problem`), or one that other paths use as their folder."""
    paths = sorted(rels)
    folders = {"/".join(parts[:end]) for parts in (rel.split("/") for rel in paths) for end in range(1, len(parts))}
    issues = []
    for rel in paths:
        problem = spec_path_problem(rel) or ("is also the folder of other spec files" if rel in folders else None)
        if problem is not None:
            issues.append(Issue(rule="workbook.file-path-invalid", message=f"the spec file path {problem}",
                                file=cap(rel), expected="a relative path inside the spec folder, e.g. sdtm/dm.yaml"))
    return issues


def check_file_cell(reader: Reader, rows: SheetRows, number: int, header: str, rel: str) -> None:
    """A finding at the cell when the path it names would put a file outside the new spec folder."""
    problem = spec_path_problem(rel)
    if problem is not None:
        reader.add("workbook.file-path-invalid", f"{header} {problem}: a spec file is written only inside the new spec "
                   "folder", rows, number, header, cap(rel),
                   "a relative path inside the spec folder, e.g. sdtm/dm.yaml")


def _dataset_file(reader: Reader, rows: SheetRows, number: int, row: Row, record: dict[str, Any]) -> str | None:
    if isinstance(row.get("File"), str):
        check_file_cell(reader, rows, number, "File", row["File"])
        return str(row["File"])
    standard, name = record.get("standard"), record.get("dataset")
    if isinstance(name, str) and standard in ("SDTM", "ADaM"):
        return f"{str(standard).lower()}/{name.lower()}.yaml"
    reader.add("workbook.cell-invalid", "cannot tell which file the dataset goes to", rows, number,
               "Standard", standard, "Standard SDTM or ADaM (or a File such as sdtm/dm.yaml)")
    return None


def import_datasets(reader: Reader, sheets: dict[str, SheetRows], files: dict[str, Any],
                    wheres: dict[tuple[str, Any], list[Any]]) -> None:
    rows = sheets["Datasets"]
    by_name: dict[str, str] = {}
    for number, row in rows.rows:
        record = record_from_row(reader, rows, number, row, DATASETS)
        name = record.get("dataset")
        rel = _dataset_file(reader, rows, number, row, record)
        if rel is None or not isinstance(name, str):
            continue
        if name in by_name:
            reader.add("workbook.duplicate", f"dataset {name} is listed twice", rows, number, "Dataset", name,
                       "one row per dataset")
            continue
        by_name[name] = rel
        files[rel] = record
        reader.origins[(rel, ())] = (rows, number, DATASETS)
    for sheet, key in ((VARIABLES, "variables"), (VALUE_LEVEL, "value_level")):
        table = sheets.get(sheet.name)
        if table is None:
            continue
        grouped: dict[str, list[tuple[int, int, dict[str, Any]]]] = {}
        for number, row in table.rows:
            dataset = row.get("Dataset")
            if not isinstance(dataset, str) or dataset not in by_name:
                reader.add("workbook.dataset-unknown", "the row names a dataset the Datasets sheet does not list",
                           table, number, "Dataset", dataset, "a Dataset of the Datasets sheet")
                continue
            record = record_from_row(reader, table, number, row, sheet)
            if key == "value_level":
                _fill_where(record, wheres.get((dataset, get_path(record, ("where", "oid")))))
            grouped.setdefault(dataset, []).append((_order_key(reader, table, number, row), number, record))
        for dataset, items in grouped.items():
            rel = by_name[dataset]
            if key in files[rel]:
                reader.add("workbook.extra-clash", f"{dataset} has {key} rows and {key} in its Extra (JSON)",
                           table, items[0][1], "Dataset", dataset, "one of the two")
                continue
            items.sort(key=lambda item: item[0])
            files[rel][key] = [record for _, _, record in items]
            for index, (_, number, _) in enumerate(items):
                reader.origins[(rel, (key, index))] = (table, number, sheet)


def _fill_where(record: dict[str, Any], conditions: list[Any] | None) -> None:
    where = record.get("where")
    if isinstance(where, dict) and "conditions" not in where and conditions is not None:
        where["conditions"] = conditions


def import_where_clauses(reader: Reader, rows: SheetRows | None) -> dict[tuple[str, Any], list[Any]]:
    """(dataset, where clause ID) -> conditions [[variable, comparator, [values]], ...]."""
    out: dict[tuple[str, Any], list[Any]] = {}
    if rows is None:
        return out
    for number, row in rows.rows:
        values: Any = None
        if "Values (JSON)" in row:
            values = json_cell(reader, rows, number, row, "Values (JSON)")
        elif "Value" in row:
            values = decode("list", row["Value"])
        missing = [h for h in ("ID", "Dataset", "Variable", "Comparator") if not isinstance(row.get(h), str)]
        for header in missing:
            reader.add("workbook.cell-invalid", f"a where clause condition needs {header}", rows, number, header,
                       row.get(header), "text")
        if not isinstance(values, list):
            reader.add("workbook.cell-invalid", "a where clause condition needs values", rows, number, "Value",
                       row.get("Value"), "values separated by commas (or a JSON list in Values (JSON))")
            continue
        if not missing:
            out.setdefault((row["Dataset"], row["ID"]), []).append([row["Variable"], row["Comparator"], values])
    return out


def import_codelists(reader: Reader, sheets: dict[str, SheetRows], files: dict[str, Any]) -> None:
    codelist_cols = [c for c in CODELISTS.data_columns() if c.header not in TERM_COLUMNS]
    term_cols = [c for c in CODELISTS.columns if c.header in TERM_COLUMNS and c.path]
    ordered: dict[str, dict[str, Any]] = {}
    rows = _sheet(sheets, "Codelists")
    for number, row in rows.rows:
        oid = row.get("ID")
        if not isinstance(oid, str):
            reader.add("workbook.cell-invalid", "every row needs a codelist ID", rows, number, "ID", oid,
                       "a codelist OID such as CL.SEX")
            continue
        if oid not in ordered:
            ordered[oid] = record_from_row(reader, rows, number, row, CODELISTS,
                                           codelist_cols, "Codelist Extra (JSON)")
            reader.origins[("codelists.yaml", ("codelists", oid))] = (rows, number, CODELISTS)
        if any(h in row for h in (*TERM_COLUMNS, "Term Extra (JSON)")):
            term = record_from_row(reader, rows, number, row, CODELISTS, term_cols,
                                   "Term Extra (JSON)")
            ordered[oid].setdefault("terms", []).append(term)
    codelists = list(ordered.values())
    rows = _sheet(sheets, "Dictionaries")
    placed: list[tuple[int, int, dict[str, Any]]] = []
    for number, row in rows.rows:
        record = record_from_row(reader, rows, number, row, DICTIONARIES)
        placed.append((_position(row), number, record))
    for position, _, record in sorted(placed, key=lambda p: p[0]):
        codelists.insert(position - 1 if position > 0 else len(codelists), record)
    data = files.setdefault("codelists.yaml", {})
    data["codelists"] = codelists
    for index, codelist in enumerate(codelists):
        where = reader.origins.pop(("codelists.yaml", ("codelists", codelist.get("oid"))), None)
        if where is not None:
            reader.origins[("codelists.yaml", ("codelists", index))] = where


def _position(row: Row) -> int:
    try:
        return int(decode("integer", row.get("Position", 0)))
    except (TypeError, ValueError):
        return 0


def import_list(reader: Reader, sheets: dict[str, SheetRows], files: dict[str, Any], rel: str, sheet: Sheet) -> None:
    rows = _sheet(sheets, sheet.name)
    records: list[dict[str, Any]] = []
    for number, row in rows.rows:
        reader.origins[(rel, (STUDY_FILES[rel], len(records)))] = (rows, number, sheet)
        records.append(record_from_row(reader, rows, number, row, sheet))
    files.setdefault(rel, {})[STUDY_FILES[rel]] = records


def import_analysis(reader: Reader, sheets: dict[str, SheetRows], files: dict[str, Any],
                    wheres: dict[tuple[str, Any], list[Any]]) -> None:
    """analysis.yaml ``displays`` from the Analysis Displays and Analysis Results sheets (none
    written when both are empty: the Study sheet's ``analysis.yaml#...`` attributes stay as they are)."""
    rows = _sheet(sheets, ANALYSIS_DISPLAYS.name)
    displays: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    for number, row in rows.rows:
        record = record_from_row(reader, rows, number, row, ANALYSIS_DISPLAYS)
        oid = record.get("oid")
        if not isinstance(oid, str) or oid in index:
            reader.add("workbook.cell-invalid" if not isinstance(oid, str) else "workbook.duplicate",
                       "every display needs an ID of its own", rows, number, "ID", oid,
                       "a display OID such as RD.T14.1")
            continue
        index[oid] = len(displays)
        reader.origins[(ANALYSIS_FILE, ("displays", len(displays)))] = (rows, number, ANALYSIS_DISPLAYS)
        displays.append(record)
    by_id: dict[str, list[tuple[str, list[Any]]]] = {}
    for (dataset, wid), conditions in wheres.items():
        by_id.setdefault(str(wid), []).append((dataset, conditions))
    table = _sheet(sheets, ANALYSIS_RESULTS.name)
    from_rows: set[int] = set()
    for number, row in table.rows:
        display = row.get("Display")
        if display not in index:
            reader.add("workbook.display-unknown", "the row names a display the Analysis Displays sheet does not "
                       "list", table, number, "Display", display, "an ID of the Analysis Displays sheet")
            continue
        record = record_from_row(reader, table, number, row, ANALYSIS_RESULTS)
        datasets = _result_datasets(reader, table, number, row, by_id)
        if datasets is not None:
            if "datasets" in record:
                reader.add("workbook.extra-clash", "datasets are set both by Where Clause and by Extra (JSON)",
                           table, number, EXTRA, "datasets", "each key in one place only")
            record["datasets"] = datasets
        target = displays[index[display]]
        if index[display] not in from_rows and "results" in target:
            reader.add("workbook.extra-clash", f"display {display} has results rows and results in its Extra (JSON)",
                       table, number, "Display", display, "one of the two")
            continue
        from_rows.add(index[display])
        results = target.setdefault("results", [])
        reader.origins[(ANALYSIS_FILE, ("displays", index[display], "results", len(results)))] = (
            table, number, ANALYSIS_RESULTS)
        results.append(record)
    if displays:
        files.setdefault(ANALYSIS_FILE, {})["displays"] = displays


def _result_datasets(reader: Reader, rows: SheetRows, number: int, row: Row,
                     by_id: dict[str, list[tuple[str, list[Any]]]]) -> list[dict[str, Any]] | None:
    if "Where Clause" not in row:
        if "Variable(s)" in row:
            reader.add("workbook.cell-invalid", "Variable(s) need the Where Clause of their dataset", rows, number,
                       "Where Clause", None, "one WhereClauses ID per dataset the result reads")
        return None
    variables = decode("list", row["Variable(s)"]) if "Variable(s)" in row else []
    datasets, unknown, stray = decode_result_datasets(decode("list", row["Where Clause"]), variables, by_id)
    for wid in unknown:
        reader.add("workbook.where-unknown", f"where clause {wid} is not the ID of one dataset's rows on the "
                   "WhereClauses sheet", rows, number, "Where Clause", wid, "an ID of the WhereClauses sheet")
    for variable in stray:
        reader.add("workbook.cell-invalid", f"variable {variable} is not DATASET.VARIABLE of a dataset the Where "
                   "Clause selects", rows, number, "Variable(s)", variable,
                   "DATASET.VARIABLE, e.g. " + (f"{datasets[0]['dataset']}.AVAL" if datasets else "ADTTE.AVAL"))
    return datasets


def import_raw(reader: Reader, sheets: dict[str, SheetRows], files: dict[str, Any]) -> None:
    rows = _sheet(sheets, "RawForms")
    by_form: dict[str, str] = {}
    for number, row in rows.rows:
        record = record_from_row(reader, rows, number, row, RAW_FORMS)
        form = record.get("form")
        if not isinstance(form, str):
            reader.add("workbook.cell-invalid", "every raw form needs a Form name", rows, number, "Form", form,
                       "the form name")
            continue
        rel = str(row.get("File") or f"{RAW_FOLDER}/{form}.yaml")
        if row.get("File"):
            check_file_cell(reader, rows, number, "File", rel)
        by_form[form] = rel
        files[rel] = record
        reader.origins[(rel, ())] = (rows, number, RAW_FORMS)
    table = _sheet(sheets, "RawColumns")
    grouped: dict[str, list[tuple[int, int, dict[str, Any]]]] = {}
    for number, row in table.rows:
        form = row.get("Form")
        if form not in by_form:
            reader.add("workbook.form-unknown", "the row names a form the RawForms sheet does not list", table,
                       number, "Form", form, "a Form of the RawForms sheet")
            continue
        record = record_from_row(reader, table, number, row, RAW_COLUMNS)
        grouped.setdefault(str(form), []).append((_order_key(reader, table, number, row), number, record))
    for form, items in grouped.items():
        items.sort(key=lambda item: item[0])
        files[by_form[form]]["columns"] = [record for _, _, record in items]
        for index, (_, number, _) in enumerate(items):
            reader.origins[(by_form[form], ("columns", index))] = (table, number, RAW_COLUMNS)


def file_texts(rows: SheetRows) -> dict[str, str]:
    """Path -> text from a Files-like sheet (Path, Part, Content)."""
    parts: dict[str, list[tuple[int, str]]] = {}
    for _, row in rows.rows:
        if isinstance(row.get("Path"), str):
            parts.setdefault(row["Path"], []).append((_position({"Position": row.get("Part", 0)}),
                                                      str(row.get("Content") or "")))
    return {rel: "".join(text for _, text in sorted(pieces)) for rel, pieces in parts.items()}


def import_files(reader: Reader, sheets: dict[str, SheetRows], files: dict[str, Any]) -> None:
    """The files the layout has no sheet for, carried whole on the Files sheet. Each Path must stay
    inside the spec folder and name a file no other sheet gives (it would silently replace it)."""
    rows = _sheet(sheets, FILES.name)
    checked: set[str] = set()
    for number, row in rows.rows:
        rel = row.get("Path")
        if not isinstance(rel, str) or rel in checked:
            continue
        checked.add(rel)
        check_file_cell(reader, rows, number, "Path", rel)
        if rel in files:
            reader.add("workbook.duplicate", f"{rel} is given both here and by the other sheets", rows, number,
                       "Path", rel, "each spec file on one sheet only")
    for rel, text in file_texts(rows).items():
        files[rel] = TextFile(text)


def keep_source_text(sheets: dict[str, SheetRows], files: dict[str, Any]) -> None:
    """A file whose data the sheets give unchanged is written as its exported text (comments kept)."""
    for rel, text in file_texts(_sheet(sheets, SOURCES.name)).items():
        if rel not in files or isinstance(files[rel], TextFile):
            continue
        try:
            exported = yaml.safe_load(text)
        except (yaml.YAMLError, RecursionError):  # an edited source is not kept: the sheets' data is written
            continue
        if same(exported, files[rel]):
            files[rel] = TextFile(text)


class TextFile(str):
    """A file carried whole on the Files sheet: written as is, not dumped as YAML."""


# What openpyxl raises on bytes that are not a workbook: not a zip, a zip without the workbook's
# parts (KeyError), parts that are not XML (SyntaxError: lxml's and ElementTree's parse errors),
# XML that is not the workbook schema (ValueError, TypeError, AttributeError, IndexError), a
# damaged deflate stream (zlib.error, EOFError) or a compression it cannot read (NotImplementedError).
UNREADABLE_WORKBOOK: tuple[type[BaseException], ...] = (
    OSError, EOFError, zipfile.BadZipFile, zlib.error, KeyError, SyntaxError, ValueError, TypeError,
    AttributeError, IndexError, NotImplementedError, InvalidFileException)


def open_workbook(path: Path) -> Workbook:
    """The workbook in the file, whatever the file is called: openpyxl is given the bytes, so the
    content decides, not the name's extension (which openpyxl refuses unless it is .xlsx/.xlsm)."""
    with path.open("rb") as handle:
        return load_workbook(handle, data_only=False)


def import_workbook(path: Path) -> tuple[dict[str, Any], list[Issue]]:
    """Spec files (relative path -> data) from a workbook, and the findings (errors and warnings)."""
    reader = Reader(path.name)
    try:
        wb = open_workbook(path)
    except UNREADABLE_WORKBOOK as exc:
        reader.add("workbook.unreadable", f"not a readable .xlsx workbook ({cap(str(exc)) or type(exc).__name__})",
                   "(workbook)", expected="an Excel .xlsx file")
        return {}, reader.issues
    layouts = {s.name: s for s in (*P21_SHEETS, RAW_FORMS, RAW_COLUMNS, FILES, SOURCES)}
    sheets = {ws.title: read_sheet(ws, layouts.get(ws.title), reader) for ws in wb.worksheets}
    missing = [name for name in REQUIRED_SHEETS if name not in sheets]
    for name in missing:
        reader.add("workbook.sheet-missing", f"the workbook has no {name} sheet", name,
                   expected="sheets " + ", ".join(s.name for s in P21_SHEETS))
    if missing:
        return {}, reader.issues
    files: dict[str, Any] = {}
    import_study(reader, sheets, files)
    wheres = import_where_clauses(reader, sheets.get("WhereClauses"))
    import_datasets(reader, sheets, files, wheres)
    import_codelists(reader, sheets, files)
    for rel, sheet in (("methods.yaml", METHODS), ("comments.yaml", COMMENTS), ("documents.yaml", DOCUMENTS)):
        import_list(reader, sheets, files, rel, sheet)
    import_analysis(reader, sheets, files, wheres)
    import_raw(reader, sheets, files)
    import_files(reader, sheets, files)
    schema_findings(reader, files)
    keep_source_text(sheets, files)
    return files, reader.issues


# ============================================================================================
# Import: schema checks located in the workbook
# ============================================================================================
SCHEMA_OF_FILE = {"study.yaml": "study", "codelists.yaml": "codelists", "methods.yaml": "methods",
                  "comments.yaml": "comments", "documents.yaml": "documents", ANALYSIS_FILE: "analysis"}
_PATH_PART = re.compile(r"\[(\d+)\]|\.?([^.\[]+)")


def parse_path(text: str) -> tuple[Any, ...]:
    """``variables[3].length`` -> ``("variables", 3, "length")``."""
    if text == "$":
        return ()
    return tuple(int(i) if i else name for i, name in _PATH_PART.findall(text))


def schema_name(rel: str) -> str | None:
    if rel in SCHEMA_OF_FILE:
        return SCHEMA_OF_FILE[rel]
    folder = rel.split("/")[0]
    if folder in DATASET_FOLDERS:
        return "dataset"
    return "raw_form" if folder == RAW_FOLDER else None


def schema_findings(reader: Reader, files: dict[str, Any]) -> None:
    """Check every file against its JSON Schema; report each violation at its sheet, row and column."""
    from aclf_cdisc.spec.loader import schema_issues
    from aclf_cdisc.spec.yamlio import YamlDoc

    for rel, data in files.items():
        name = schema_name(rel)
        if name is None or isinstance(data, TextFile):
            continue
        for issue in schema_issues(YamlDoc(file=rel, data=data), name):
            path = parse_path(issue.column or "$")
            located = _locate(reader, rel, path)
            if located is None:
                reader.add(issue.rule, f"{rel} {issue.message}", "Study" if rel == "study.yaml" else rel,
                           value=issue.value, expected=issue.expected)
                continue
            rows, number, _, header = located
            reader.add(issue.rule, f"{rel} {issue.message}", rows, number, header, issue.value, issue.expected)


def _locate(reader: Reader, rel: str, path: tuple[Any, ...]) -> tuple[SheetRows, int, Sheet, str] | None:
    for cut in range(len(path), -1, -1):
        found = reader.origins.get((rel, path[:cut]))
        if found is None:
            continue
        rows, number, sheet = found
        rest = tuple(p for p in path[cut:])
        header = next((c.header for c in sheet.columns if c.path and rest[:len(c.path)] == c.path and rest),
                      None)
        if header is None and rest:
            header = next((c.header for c in sheet.columns if c.path and c.path[:len(rest)] == rest), None)
        extras = sheet.extras[-1] if sheet.extras else None
        return rows, number, sheet, header or extras or ""
    return None


# ============================================================================================
# Writing the spec folder
# ============================================================================================
def yaml_text(data: Any) -> str:
    """Block-style YAML in the data's own key order; ``yaml.safe_load`` gives ``data`` back."""
    if isinstance(data, TextFile):
        return str(data)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)


def order_keys(files: dict[str, Any]) -> dict[str, Any]:
    """Dataset files with their keys in the order the dataset schema lists them (unknown keys last)."""
    schema = load_schema("dataset")
    top = list(schema["properties"])
    nested = {"variables": list(schema["$defs"]["variable"]["properties"]),
              "value_level": list(schema["$defs"]["valueLevel"]["properties"])}

    def ordered(record: dict[str, Any], keys: list[str]) -> dict[str, Any]:
        return {**{k: record[k] for k in keys if k in record}, **{k: v for k, v in record.items() if k not in keys}}

    out: dict[str, Any] = {}
    for rel, data in files.items():
        if schema_name(rel) == "dataset" and isinstance(data, dict):
            data = ordered(data, top)
            for key, keys in nested.items():
                if isinstance(data.get(key), list):
                    data[key] = [ordered(r, keys) if isinstance(r, dict) else r for r in data[key]]
        out[rel] = data
    return out


def write_spec_folder(files: dict[str, Any], target: Path) -> list[Path]:
    """Write the files into ``target`` (absent or empty) all at once: a staged folder renamed into place.
    A path that would land outside ``target`` (or clash with a folder) is refused before anything is written."""
    unwritable = unwritable_files(files)
    if unwritable:
        raise SpecError(unwritable)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise SpecError(Issue(rule="workbook.target-not-empty", message=f"{target} exists and is not empty",
                              file=str(target), expected="a new or empty folder"))
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-", dir=target.parent))
    try:
        written = []
        for rel, data in sorted(order_keys(files).items()):
            path = staging / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(yaml_text(data), encoding="utf-8")
            written.append(target / rel)
        if target.exists():
            target.rmdir()
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return written
