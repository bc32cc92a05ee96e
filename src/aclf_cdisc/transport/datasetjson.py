"""CDISC Dataset-JSON v1.1: written from, and read into, the same metadata as the XPT files.

Mapping (XPT variable -> Dataset-JSON column):

* char -> ``dataType: string`` with ``length``.
* num with a SAS date / datetime / time format -> ``date`` / ``datetime`` / ``time`` with ISO 8601
  values, ``targetDataType`` integer (or decimal for fractional seconds) and the format as
  ``displayFormat``: the SAS number is recoverable exactly.
* other num -> ``integer`` when every value is a whole number below 2**53, else ``double``;
  callers may pass the spec's types in ``data_types``. Doubles are written with Python's
  shortest round-trip repr, so reading gives back the identical float64 (no precision loss).
* NaN -> ``null``. Dataset-JSON has no special missing values: a ``SpecialMissing`` is refused
  (rule ``json.special-missing``) unless ``special_missing_as_null=True``.

File-level attributes (creation time, OIDs, originator) come from :class:`JsonFileInfo`, whose
defaults are fixed constants, never the clock.

Reading checks a file before converting it, and refuses the first problem with the file, the
place and the value: ``json.file-not-utf8`` and ``json.not-json`` (with the line),
``json.not-dataset`` (not an object), ``json.version``, ``json.key-missing`` / ``json.type-wrong``
(a member absent or of the wrong JSON type, at its JSON path such as ``columns[2].dataType``),
``json.type-unknown`` (a dataType Dataset-JSON does not have), ``json.column-name`` (blank or
repeated), ``json.row-length`` (a record without one value per column), ``json.records-mismatch``
(``records`` is not the number of rows) and ``json.value-invalid``
(a cell its column's type cannot hold: text in a number column, a number in a string column,
a date that is not ISO 8601 or not in the calendar), located by record and variable.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from aclf_cdisc.errors import Issue, TransportError, cap, undecodable_at
from aclf_cdisc.files import replace_atomically
from aclf_cdisc.transport import temporal, xpt
from aclf_cdisc.transport.meta import XptDataset, XptVariable

DATASET_JSON_VERSION = "1.1.0"
DEFAULT_CREATION = "2000-01-01T00:00:00"
_DEFAULT_FORMAT = {"date": "DATE9.", "datetime": "DATETIME20.", "time": "TIME8."}
_NUMERIC_TYPES = frozenset({"integer", "float", "double", "decimal"})
_MAX_EXACT_INT = 2**53


@dataclass(frozen=True)
class JsonFileInfo:
    """Top-level Dataset-JSON attributes other than name, label, records and columns."""

    creation_datetime: str = DEFAULT_CREATION
    item_group_oid: str | None = None  # default IG.<dataset>
    study_oid: str | None = None
    metadata_version_oid: str | None = None
    metadata_ref: str | None = None
    originator: str | None = None
    file_oid: str | None = None
    db_last_modified: str | None = None
    source_system: tuple[str, str] | None = None  # (name, version)


# --------------------------------------------------------------------------------------------
# writer
# --------------------------------------------------------------------------------------------

def _sas_numbers(df: pd.DataFrame, var: XptVariable, meta: XptDataset,
                 special_missing_as_null: bool) -> npt.NDArray[np.float64]:
    """The column as SAS numbers (NaN missing), accepting every input the XPT writer accepts."""
    findings = xpt.Findings(meta, "")
    values, special = xpt.numeric_values(df[var.name], var, 0, findings)
    issues = findings.all()
    if special is not None and not special_missing_as_null:
        rows = np.flatnonzero(special)
        issues += [Issue(rule="json.special-missing", message="Dataset-JSON cannot hold a special missing",
                         dataset=meta.name, row=int(r) + 1, column=var.name, value=f".{chr(special[r])}",
                         expected="a number or null (pass special_missing_as_null=True)")
                   for r in rows[:xpt.MAX_ISSUES_PER_CHECK]]
    if not issues:
        infinite = np.flatnonzero(np.isinf(values))
        issues += [Issue(rule="json.num-inf", message="JSON has no infinity", dataset=meta.name,
                         row=int(r) + 1, column=var.name, value=float(values[r])) for r in infinite[:20]]
    if issues:
        raise TransportError(issues, f"{meta.name}: cannot write Dataset-JSON")
    return values


def _whole(values: npt.NDArray[np.float64]) -> bool:
    present = values[~np.isnan(values)]
    return bool(np.all((present == np.round(present)) & (np.abs(present) < _MAX_EXACT_INT)))


def _iso(values: npt.NDArray[np.float64], kind: temporal.TemporalKind) -> list[str | None]:
    """SAS temporal numbers -> ISO 8601 text (None for missing)."""
    stamps = temporal.sas_to_pandas(values, kind)
    if kind == "time":
        seconds = values
        return [None if np.isnan(s) else _iso_time(float(s)) for s in seconds]
    text = np.datetime_as_string(stamps.to_numpy(), unit="D" if kind == "date" else "us")
    return [None if t == "NaT" else t.removesuffix(".000000") for t in text.tolist()]


def _iso_time(seconds: float) -> str:
    whole = int(seconds)
    text = f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
    fraction = seconds - whole
    return text + (f"{fraction:.6f}".lstrip("0").rstrip("0") if fraction else "")


def _column(df: pd.DataFrame, var: XptVariable, meta: XptDataset, data_type: str | None,
            special_missing_as_null: bool) -> tuple[dict[str, Any], list[Any]]:
    """One column's metadata entry and its JSON values."""
    entry: dict[str, Any] = {"itemOID": f"IT.{meta.name}.{var.name}", "name": var.name, "label": var.label}
    if var.is_char:
        entry.update(dataType="string", length=var.length)
        values = df[var.name].to_numpy(dtype=object)
        return entry, ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in values]
    numbers = _sas_numbers(df, var, meta, special_missing_as_null)
    kind = temporal.temporal_kind(var.format_name)
    if kind is not None:
        whole = _whole(numbers)
        if kind == "date" and not whole:
            rows = np.flatnonzero(~np.isnan(numbers) & (numbers != np.round(numbers)))
            raise TransportError([Issue(rule="json.date-fraction", message="a date is not a whole day",
                                        dataset=meta.name, row=int(r) + 1, column=var.name,
                                        value=float(numbers[r])) for r in rows[:20]])
        entry.update(dataType=kind, targetDataType="integer" if whole else "decimal")
        return entry, _iso(numbers, kind)
    chosen = data_type or ("integer" if _whole(numbers) else "double")
    entry["dataType"] = chosen
    if chosen == "integer":
        return entry, [None if np.isnan(v) else int(v) for v in numbers.tolist()]
    if chosen == "decimal":
        return entry, [None if np.isnan(v) else repr(v) for v in numbers.tolist()]
    return entry, [None if np.isnan(v) else v for v in numbers.tolist()]


def dataset_json_document(df: pd.DataFrame, meta: XptDataset, *, info: JsonFileInfo | None = None,
                          data_types: Mapping[str, str] | None = None, keys: Sequence[str] = (),
                          special_missing_as_null: bool = False) -> dict[str, Any]:
    """The Dataset-JSON v1.1 document (a dict) for ``df`` described by ``meta``."""
    info = info or JsonFileInfo()
    issues = xpt.frame_issues(df, meta)
    if issues:
        raise TransportError(issues, f"{meta.name}: frame does not match its metadata")
    columns, data = [], []
    for var in meta.variables:
        entry, values = _column(df, var, meta, (data_types or {}).get(var.name), special_missing_as_null)
        if var.format and "displayFormat" not in entry:
            entry["displayFormat"] = var.format
        if var.name in keys:
            entry["keySequence"] = list(keys).index(var.name) + 1
        columns.append(entry)
        data.append(values)
    document: dict[str, Any] = {"datasetJSONCreationDateTime": info.creation_datetime,
                                "datasetJSONVersion": DATASET_JSON_VERSION}
    optional = {"fileOID": info.file_oid, "dbLastModifiedDateTime": info.db_last_modified,
                "originator": info.originator, "studyOID": info.study_oid,
                "metaDataVersionOID": info.metadata_version_oid, "metaDataRef": info.metadata_ref}
    document.update({k: v for k, v in optional.items() if v is not None})
    if info.source_system:
        document["sourceSystem"] = {"name": info.source_system[0], "version": info.source_system[1]}
    document.update(itemGroupOID=info.item_group_oid or f"IG.{meta.name}", records=len(df), name=meta.name,
                    label=meta.label, columns=columns,
                    rows=[list(row) for row in zip(*data, strict=True)] if data else [])
    return document


def write_dataset_json(df: pd.DataFrame, meta: XptDataset, path: str | os.PathLike[str], *,
                       info: JsonFileInfo | None = None, data_types: Mapping[str, str] | None = None,
                       keys: Sequence[str] = (), special_missing_as_null: bool = False) -> None:
    """Write Dataset-JSON v1.1 (UTF-8) atomically: a temp file beside ``path``, then a rename."""
    document = dataset_json_document(df, meta, info=info, data_types=data_types, keys=keys,
                                     special_missing_as_null=special_missing_as_null)
    text = json.dumps(document, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    replace_atomically(Path(path), lambda handle: handle.write(text.encode("utf-8")))


# --------------------------------------------------------------------------------------------
# reader
# --------------------------------------------------------------------------------------------
# A file is checked before it is converted: every problem is a TransportError naming the file,
# the place (``column``: the JSON path, or the variable for a cell; ``row``: the record, 1-based,
# or the line for text that is not JSON) and the value.
DATA_TYPES = frozenset({"string", "URI", "boolean", "date", "datetime", "time"}) | _NUMERIC_TYPES
DATASET_JSON_MEMBERS = frozenset({"datasetJSONVersion", "columns", "rows", "records", "itemGroupOID"})
_TEMPORAL = ("date", "datetime", "time")
_COLUMN_KEYS: dict[str, tuple[type, ...]] = {"name": (str,), "label": (str,), "dataType": (str,),
                                             "targetDataType": (str,), "displayFormat": (str,), "length": (int,)}
_TYPE_NAMES = {str: "a string", int: "a whole number", list: "an array", dict: "an object"}


def _json_error(rule: str, message: str, file: str, **where: Any) -> TransportError:
    return TransportError(Issue(rule=rule, message=message, file=file, **where))


def _json_kind(value: Any) -> str:
    """What a parsed JSON value is, in JSON's words (for messages)."""
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean", type(None): "null",
            int: "a number", float: "a number"}.get(type(value), type(value).__name__)


def _shown(value: Any) -> Any:
    """A value for an Issue: a JSON scalar as it is (the rendering caps it), an array or object as
    its capped text."""
    return value if value is None or isinstance(value, (str, int, float)) else cap(repr(value))


def parse_document(raw: bytes, file: str) -> Any:
    """The parsed JSON of a file's bytes (UTF-8); text that is not UTF-8 or not JSON names its line."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _json_error("json.file-not-utf8", "the file is not UTF-8 text, as Dataset-JSON must be", file,
                          row=undecodable_at(exc)[0], value=raw[exc.start:exc.start + 8],
                          expected="UTF-8") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise _json_error("json.not-json", f"not JSON: {exc.msg} at line {exc.lineno}, character {exc.colno}",
                          file, row=exc.lineno, value=text[exc.pos:exc.pos + 40] or None,
                          expected="a Dataset-JSON v1.1 document") from None
    except (ValueError, RecursionError) as exc:  # a number too long to convert, arrays nested too deep
        raise _json_error("json.not-json", f"not JSON this reader can take: {cap(str(exc))}", file,
                          expected="a Dataset-JSON v1.1 document") from None


def _member(document: Mapping[str, Any], key: str, types: tuple[type, ...], file: str, *,
            at: str = "", required: bool = False) -> Any:
    """``document[key]`` when it is one of ``types`` (None when absent and not required)."""
    where = f"{at}.{key}" if at else key
    if key not in document:
        if required:
            raise _json_error("json.key-missing", f"{where} is missing", file, column=where,
                              expected=f"{_TYPE_NAMES.get(types[0], types[0].__name__)} under {key!r}")
        return None
    value = document[key]
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        raise _json_error("json.type-wrong", f"{where} is {_json_kind(value)}", file, column=where,
                          value=_shown(value), expected=_TYPE_NAMES.get(types[0], types[0].__name__))
    return value


def checked_columns(document: Mapping[str, Any], file: str) -> list[dict[str, Any]]:
    """The ``columns`` of a document, each an object with a name (unique, not blank) and a known
    dataType, its optional members of the right types."""
    columns = _member(document, "columns", (list,), file, required=True)
    seen: set[str] = set()
    for number, column in enumerate(columns):
        at = f"columns[{number}]"
        if not isinstance(column, dict):
            raise _json_error("json.type-wrong", f"{at} is {_json_kind(column)}", file, column=at,
                              value=_shown(column), expected="an object")
        for key, types in _COLUMN_KEYS.items():
            _member(column, key, types, file, at=at, required=key in ("name", "dataType"))
        name, data_type = column["name"], column["dataType"]
        if not name.strip() or name in seen:
            raise _json_error("json.column-name", f"{at}.name is {'blank' if not name.strip() else 'repeated'}",
                              file, column=f"{at}.name", value=name, expected="a name no other column has")
        if data_type not in DATA_TYPES:
            raise _json_error("json.type-unknown", f"{at}.dataType is not a Dataset-JSON data type", file,
                              column=f"{at}.dataType", value=data_type, expected=", ".join(sorted(DATA_TYPES)))
        if column.get("length") is not None and column["length"] < 1:
            raise _json_error("json.type-wrong", f"{at}.length is not positive", file, column=f"{at}.length",
                              value=column["length"], expected="a whole number >= 1")
        seen.add(name)
    return columns


def checked_rows(document: Mapping[str, Any], width: int, file: str) -> list[list[Any]]:
    """The ``rows`` of a document (none when absent): arrays of ``width`` values each."""
    rows = _member(document, "rows", (list,), file) or []
    for number, row in enumerate(rows):
        if not isinstance(row, list) or len(row) != width:
            found = f"{len(row)} values" if isinstance(row, list) else _json_kind(row)
            raise _json_error("json.row-length", f"record {number + 1} is {found}, not one value per column",
                              file, row=number + 1, column=f"rows[{number}]", value=_shown(row),
                              expected=f"an array of {width} values")
    return rows


def _is_text(value: Any) -> bool:
    return isinstance(value, str)


def _is_number(value: Any) -> bool:
    """A JSON number that is a finite float64 (not a boolean, NaN, infinity or a number too large)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool) and _finite(value)


def _is_decimal(value: Any) -> bool:
    """A decimal: a number, or the text of one (Dataset-JSON v1.1 writes decimals as text)."""
    return _is_number(value) or (isinstance(value, str) and _finite(value))


def _is_boolean(value: Any) -> bool:
    return isinstance(value, bool) or _is_number(value)


def _finite(value: int | float | str) -> bool:
    try:
        return bool(np.isfinite(float(value)))
    except (ValueError, OverflowError):
        return False


_ISO_TEXT = {"date": re.compile(r"[+-]?\d{4,5}-\d\d-\d\d"),
             "datetime": re.compile(r"[+-]?\d{4,5}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d{1,9})?)?"),
             "time": re.compile(r"\d{1,6}:[0-5]\d:[0-5]\d(?:\.\d{1,9})?")}


def _in_calendar(text: str) -> bool:
    """Whether ISO 8601 date or datetime text names a real moment (not month 13, 30 February, hour 25)."""
    try:
        np.datetime64(text, "us")
    except ValueError:
        return False
    return True


def _is_iso(kind: str) -> Callable[[Any], bool]:
    """Whether a value is ISO 8601 text of the kind: a date, datetime or time of day with no time
    zone (a SAS number has none); the empty text is a missing value, as null is."""
    def check(value: Any) -> bool:
        if not isinstance(value, str) or (value and not _ISO_TEXT[kind].fullmatch(value)):
            return False
        return not value or kind == "time" or _in_calendar(value)
    return check


def cell_check(column: Mapping[str, Any]) -> Callable[[Any], bool]:
    """Whether a (non-null) value is one a column of this dataType (and targetDataType) can hold."""
    data_type = column["dataType"]
    if data_type in _TEMPORAL and column.get("targetDataType"):
        return _is_iso(data_type)
    if data_type == "decimal":
        return _is_decimal
    if data_type == "boolean":
        return _is_boolean
    return _is_number if data_type in _NUMERIC_TYPES else _is_text


def _bad_cell(columns: Sequence[Mapping[str, Any]], rows: Sequence[Sequence[Any]]) -> tuple[int, int] | None:
    """(record, column) index of the first cell its column cannot hold, or None."""
    for at, column in enumerate(columns):
        holds = cell_check(column)
        bad = next((number for number, row in enumerate(rows) if row[at] is not None and not holds(row[at])), None)
        if bad is not None:
            return bad, at
    return None


def checked_document(document: Any, file: str) -> tuple[list[dict[str, Any]], list[list[Any]]]:
    """The columns and rows of a parsed Dataset-JSON v1.1 document, once it has passed every check
    the reader relies on; the first problem raises, naming where it is."""
    if not isinstance(document, dict):
        raise _json_error("json.not-dataset", f"the document is {_json_kind(document)}, not an object", file,
                          column="$", expected="a Dataset-JSON v1.1 object")
    version = document.get("datasetJSONVersion")
    if not isinstance(version, str) or not version.startswith("1.1"):
        raise _json_error("json.version", "not Dataset-JSON v1.1", file, column="datasetJSONVersion",
                          value=_shown(version), expected="1.1.x")
    _member(document, "name", (str,), file, required=True)
    _member(document, "label", (str,), file)
    columns = checked_columns(document, file)
    rows = checked_rows(document, len(columns), file)
    records = _member(document, "records", (int,), file)
    if records is not None and records != len(rows):
        raise _json_error("json.records-mismatch", f"records says {records} rows but the file holds {len(rows)}",
                          file, column="records", value=records,
                          expected=f"{len(rows)}, the number of rows (a file cut short or edited without records "
                                   "updated)")
    bad = _bad_cell(columns, rows)
    if bad is not None:
        number, at = bad
        column = columns[at]
        target = f" (targetDataType {column['targetDataType']})" if column.get("targetDataType") else ""
        raise _json_error("json.value-invalid", f"a value is not of its column's dataType {column['dataType']}"
                          f"{target}", file, row=number + 1, column=column["name"],
                          value=_shown(rows[number][at]), expected=_expected_value(column["dataType"], target))
    return columns, rows


def _expected_value(data_type: str, target: str) -> str:
    if target and data_type in _TEMPORAL:
        return f"ISO 8601 {data_type} text or null"
    if data_type in _NUMERIC_TYPES or data_type == "boolean":
        return f"a finite number{' (or its text)' if data_type == 'decimal' else ''} or null"
    return "a string or null"


def _iso_to_sas(values: list[Any], kind: temporal.TemporalKind) -> npt.NDArray[np.float64]:
    """ISO 8601 text (None missing) -> SAS days or seconds."""
    if kind == "time":
        return np.array([np.nan if v in (None, "") else _time_seconds(v) for v in values], dtype=np.float64)
    stamps = np.array([np.datetime64("NaT") if v in (None, "") else np.datetime64(v, "us") for v in values],
                      dtype="datetime64[us]")
    return temporal.datetime64_to_sas(stamps, kind)


def _time_seconds(text: str) -> float:
    hours, minutes, seconds = text.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def _byte_length(values: list[Any]) -> int:
    return max([len(str(v).encode("utf-8")) for v in values if v is not None] + [1])


def _read_column(column: Mapping[str, Any], values: list[Any]) -> tuple[XptVariable, pd.Series]:
    data_type = column["dataType"]
    name, label = column["name"], column.get("label", "")
    display = column.get("displayFormat")
    if data_type in _TEMPORAL and column.get("targetDataType"):
        numbers = _iso_to_sas(values, data_type)
        var = XptVariable(name=name, label=label, type="num", length=8,
                          format=display or _DEFAULT_FORMAT[data_type])
        return var, pd.Series(numbers, dtype=np.float64)
    if data_type in _NUMERIC_TYPES or data_type == "boolean":
        numbers = np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
        return XptVariable(name=name, label=label, type="num", length=8, format=display), pd.Series(numbers)
    text = ["" if v is None else str(v) for v in values]
    length = column.get("length") or _byte_length(values)
    var = XptVariable(name=name, label=label, type="char", length=int(length), format=display)
    return var, pd.Series(text, dtype="str")


def dataset_from_document(document: Any, file: str = "(document)") -> tuple[pd.DataFrame, XptDataset]:
    """(frame, metadata) from a parsed Dataset-JSON v1.1 document (checked first: see
    :func:`checked_document`)."""
    columns, rows = checked_document(document, file)
    by_column = list(zip(*rows, strict=True)) if rows else [() for _ in columns]
    variables, series = [], {}
    for column, values in zip(columns, by_column, strict=True):
        var, data = _read_column(column, list(values))
        variables.append(var)
        series[var.name] = data
    frame = pd.DataFrame(series, index=pd.RangeIndex(len(rows)))
    meta = XptDataset(name=document["name"], label=document.get("label", ""), variables=tuple(variables))
    return frame, meta


def read_dataset_json(path: str | os.PathLike[str]) -> tuple[pd.DataFrame, XptDataset]:
    """Read a Dataset-JSON v1.1 file into (frame, metadata) ready for :func:`write_xpt`; a file that
    is not one raises :class:`TransportError` naming the place (:func:`checked_document`)."""
    raw = Path(path).read_bytes()
    return dataset_from_document(parse_document(raw, str(path)), str(path))
