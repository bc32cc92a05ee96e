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
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from aclf_cdisc.errors import Issue, TransportError
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

def _iso_to_sas(values: list[Any], kind: temporal.TemporalKind) -> npt.NDArray[np.float64]:
    """ISO 8601 text (None missing) -> SAS days or seconds."""
    if kind == "time":
        return np.array([np.nan if v is None else _time_seconds(v) for v in values], dtype=np.float64)
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
    if data_type in ("date", "datetime", "time") and column.get("targetDataType"):
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


def dataset_from_document(document: Mapping[str, Any]) -> tuple[pd.DataFrame, XptDataset]:
    """(frame, metadata) from a parsed Dataset-JSON v1.1 document."""
    columns = document["columns"]
    rows = document.get("rows", [])
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
    """Read a Dataset-JSON v1.1 file into (frame, metadata) ready for :func:`write_xpt`."""
    with open(path, encoding="utf-8") as handle:
        document = json.load(handle)
    if not str(document.get("datasetJSONVersion", "")).startswith("1.1"):
        raise TransportError(Issue(rule="json.version", message="not Dataset-JSON v1.1", file=str(path),
                                   value=document.get("datasetJSONVersion"), expected="1.1.x"))
    return dataset_from_document(document)
