"""SAS XPORT v5 (the FDA transport format): a strict, deterministic, vectorised writer and reader.

File layout (all records 80 bytes; see SAS TS-140):

    LIBRARY header + 2 records (SAS version, OS, created, modified)
    MEMBER header, DSCRPTR header + 2 records (dataset name, version, OS, dates, label, type)
    NAMESTR header (variable count) + one 140-byte NAMESTR per variable, padded to 80 bytes
    OBS header, then the rows (each ``row_length`` bytes), padded to 80 bytes with spaces

Writer contract: every rule the format or the FDA imposes is checked before a byte reaches the
target path; problems travel as :class:`~aclf_cdisc.errors.Issue` records inside one
:class:`~aclf_cdisc.errors.TransportError`. Data are encoded and written in row chunks to a temp
file in the target folder, which replaces the target only when everything succeeded, so a
failure never leaves a partial or empty file. Header fields come from the metadata, never the
clock: the same input always gives the same bytes.

Values: character cells are space padded (read back with trailing spaces removed, as SAS and
ReadStat do); numeric cells are IBM doubles; NaN/None/NaT is ``.``; a
:class:`~aclf_cdisc.transport.meta.SpecialMissing` marker is ``.A``-``.Z`` / ``._``. Numeric
variables whose format is a SAS date/datetime/time format accept datetime64, timedelta64 and
Python date/datetime/time values (see :mod:`aclf_cdisc.transport.temporal`).
"""

from __future__ import annotations

import os
import struct
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import numpy.typing as npt
import pandas as pd

from aclf_cdisc.errors import Issue, TransportError
from aclf_cdisc.limits import MAX_CHAR_BYTES, MAX_LABEL_BYTES, MAX_XPT_BYTES, NAME_PATTERN
from aclf_cdisc.transport import ibm, temporal
from aclf_cdisc.transport.meta import SpecialMissing, XptDataset, XptVariable, format_string

RECORD = 80
NAMESTR_LENGTH = 140
MAX_VARIABLES = 9999  # the NAMESTR header holds the count in 4 digits
NUM_LENGTHS = range(2, 9)  # XPORT numerics: 2-8 bytes (truncated IBM doubles)
CHUNK_BYTES = 8 * 1024 * 1024  # rows encoded per write, bounding memory above the input frame
MAX_ISSUES_PER_CHECK = 20  # per (rule, column): the first rows, then one summary issue

_PREFIX = b"HEADER RECORD*******"
_ZEROS = b"0" * 30 + b"  "
LIBRARY_HEADER = _PREFIX + b"LIBRARY HEADER RECORD!!!!!!!" + _ZEROS
MEMBER_HEADER = _PREFIX + b"MEMBER  HEADER RECORD!!!!!!!" + b"000000000000000001600000000140  "
DSCRPTR_HEADER = _PREFIX + b"DSCRPTR HEADER RECORD!!!!!!!" + _ZEROS
OBS_HEADER = _PREFIX + b"OBS     HEADER RECORD!!!!!!!" + _ZEROS
_NAMESTR_PREFIX = _PREFIX + b"NAMESTR HEADER RECORD!!!!!!!"
_NAMESTR = struct.Struct(">hhhh8s40s8shhh2s8shhi52s")
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_EARLIEST, _LATEST = 1960, 2059  # the two-digit header year maps 60-99 to 19xx, 00-59 to 20xx


# --------------------------------------------------------------------------------------------
# header encoding (pure functions)
# --------------------------------------------------------------------------------------------

def format_timestamp(stamp: datetime) -> bytes:
    """``04APR12:22:16:21``: the 16-byte header timestamp (locale independent, seconds kept)."""
    return (f"{stamp.day:02d}{_MONTHS[stamp.month - 1]}{stamp.year % 100:02d}:"
            f"{stamp.hour:02d}:{stamp.minute:02d}:{stamp.second:02d}").encode("ascii")


def parse_timestamp(raw: bytes) -> datetime:
    """Inverse of :func:`format_timestamp`; two-digit years 60-99 are 19xx, 00-59 are 20xx."""
    text = raw.decode("ascii").strip()
    day, month, year = int(text[0:2]), _MONTHS.index(text[2:5].upper()) + 1, int(text[5:7])
    hour, minute, second = int(text[8:10]), int(text[11:13]), int(text[14:16])
    return datetime(year + (1900 if year >= 60 else 2000), month, day, hour, minute, second)


def _pad(text: str | bytes, width: int) -> bytes:
    raw = text.encode("ascii") if isinstance(text, str) else text
    return raw.ljust(width, b" ")


def library_records(meta: XptDataset) -> bytes:
    """The library header record and its two data records."""
    return (LIBRARY_HEADER
            + b"SAS     SAS     SASLIB  " + _pad(meta.lib_sas_version, 8) + _pad(meta.lib_os_name, 8)
            + b" " * 24 + format_timestamp(meta.lib_created)
            + format_timestamp(meta.lib_modified) + b" " * 64)


def member_records(meta: XptDataset) -> bytes:
    """MEMBER and DSCRPTR headers, the two member records and the NAMESTR header."""
    return (MEMBER_HEADER + DSCRPTR_HEADER
            + b"SAS     " + _pad(meta.name, 8) + b"SASDATA " + _pad(meta.sas_version, 8)
            + _pad(meta.os_name, 8) + b" " * 24 + format_timestamp(meta.created)
            + format_timestamp(meta.modified) + b" " * 16 + _pad(meta.label, 40) + _pad(meta.type, 8)
            + _NAMESTR_PREFIX + f"000000{len(meta.variables):04d}".encode("ascii") + b"0" * 20 + b"  ")


def namestr(var: XptVariable, number: int, position: int) -> bytes:
    """The 140-byte NAMESTR record of one variable (1-based ``number``, byte ``position`` in a row)."""
    return _NAMESTR.pack(
        2 if var.is_char else 1, 0, var.length, number, _pad(var.name, 8), _pad(var.label, 40),
        _pad(var.format_name, 8), var.format_length, var.format_decimals, var.format_justification,
        b"\0\0", _pad(var.informat_name, 8), var.informat_length, var.informat_decimals, position,
        b"\0" * 52)


def namestr_records(meta: XptDataset) -> bytes:
    """All NAMESTR records, padded with spaces to a whole number of 80-byte records."""
    blob = b"".join(namestr(v, i + 1, p) for i, (v, p) in enumerate(zip(meta.variables, positions(meta),
                                                                              strict=True)))
    return blob + b" " * (-len(blob) % RECORD)


def positions(meta: XptDataset) -> list[int]:
    """Byte offset of each variable within a row."""
    offsets, at = [], 0
    for var in meta.variables:
        offsets.append(at)
        at += var.length
    return offsets


def header_bytes(meta: XptDataset) -> bytes:
    """Everything before the first row."""
    return library_records(meta) + member_records(meta) + namestr_records(meta) + OBS_HEADER


def file_size(meta: XptDataset, rows: int) -> int:
    """Exact size in bytes of the file :func:`write_xpt` makes for ``rows`` rows."""
    data = rows * meta.row_length
    return len(header_bytes(meta)) + data + (-data % RECORD)


# --------------------------------------------------------------------------------------------
# metadata checks
# --------------------------------------------------------------------------------------------

def _issue(rule: str, message: str, meta: XptDataset, **where: Any) -> Issue:
    return Issue(rule=rule, message=message, dataset=meta.name, **where)


def _text_issues(text: str, what: str, limit: int, meta: XptDataset, column: str | None) -> list[Issue]:
    """ASCII-only, at most ``limit`` bytes (header text fields and labels)."""
    if not text.isascii():
        return [_issue(f"xpt.{what}-non-ascii", f"{what} is not ASCII", meta, column=column, value=text,
                       expected="ASCII text")]
    if len(text) > limit:
        return [_issue(f"xpt.{what}-too-long", f"{what} is {len(text)} bytes", meta, column=column,
                       value=text, expected=f"at most {limit} bytes")]
    return []


def _name_issues(name: str, meta: XptDataset, column: str | None) -> list[Issue]:
    if NAME_PATTERN.match(name):
        return []
    return [_issue("xpt.name-invalid", f"name {name!r} is not a SAS V5 name", meta, column=column,
                   value=name, expected="1-8 characters, [A-Z][A-Z0-9_]*")]


def _format_issues(var: XptVariable, meta: XptDataset) -> list[Issue]:
    found = []
    for which, text in (("format", var.format), ("informat", var.informat)):
        try:
            name = (var.format_name if which == "format" else var.informat_name)
        except ValueError as exc:
            found.append(_issue(f"xpt.{which}-invalid", str(exc), meta, column=var.name, value=text))
            continue
        if len(name) > 8:
            found.append(_issue(f"xpt.{which}-invalid", f"{which} name over 8 characters", meta,
                                column=var.name, value=text, expected="a SAS format name of 1-8 characters"))
    return found


def _variable_issues(var: XptVariable, meta: XptDataset) -> list[Issue]:
    found = _name_issues(var.name, meta, var.name)
    found += _text_issues(var.label, "label", MAX_LABEL_BYTES, meta, var.name)
    found += _format_issues(var, meta)
    if var.type not in ("char", "num"):
        found.append(_issue("xpt.type-invalid", "type must be char or num", meta, column=var.name,
                            value=var.type, expected="char or num"))
    elif var.is_char and not 1 <= var.length <= MAX_CHAR_BYTES:
        found.append(_issue("xpt.length-invalid", "character length out of range", meta, column=var.name,
                            value=var.length, expected=f"1 to {MAX_CHAR_BYTES} bytes"))
    elif not var.is_char and var.length not in NUM_LENGTHS:
        found.append(_issue("xpt.length-invalid", "numeric length out of range", meta, column=var.name,
                            value=var.length, expected="2 to 8 bytes"))
    return found


def _header_issues(meta: XptDataset) -> list[Issue]:
    found = []
    for field, text in (("sas_version", meta.sas_version), ("os_name", meta.os_name), ("type", meta.type),
                        ("sas_version", meta.lib_sas_version), ("os_name", meta.lib_os_name)):
        found += _text_issues(text, f"header-{field.replace('_', '-')}", 8, meta, None)
    for stamp in (meta.created, meta.modified, meta.lib_created, meta.lib_modified):
        if not _EARLIEST <= stamp.year <= _LATEST:
            found.append(_issue("xpt.timestamp-range", "header timestamp has a two-digit year", meta,
                                value=stamp.isoformat(), expected=f"a year from {_EARLIEST} to {_LATEST}"))
    return found


def metadata_issues(meta: XptDataset) -> list[Issue]:
    """Every problem with the metadata alone (names, labels, lengths, formats, header fields)."""
    found = _name_issues(meta.name, meta, None)
    found += _text_issues(meta.label, "dataset-label", MAX_LABEL_BYTES, meta, None)
    found += _header_issues(meta)
    if not meta.variables:
        found.append(_issue("xpt.no-variables", "a dataset needs at least one variable", meta))
    if len(meta.variables) > MAX_VARIABLES:
        found.append(_issue("xpt.too-many-variables", "too many variables", meta,
                            value=len(meta.variables), expected=f"at most {MAX_VARIABLES}"))
    seen: set[str] = set()
    for var in meta.variables:
        if var.name.upper() in seen:
            found.append(_issue("xpt.name-duplicate", f"variable {var.name} appears twice", meta,
                                column=var.name, value=var.name, expected="unique names"))
        seen.add(var.name.upper())
        found += _variable_issues(var, meta)
    return found


def frame_issues(df: pd.DataFrame, meta: XptDataset) -> list[Issue]:
    """Columns of the frame must be exactly the metadata's variables (order is taken from meta)."""
    found = [_issue("xpt.column-missing", f"frame has no column {name}", meta, column=name)
             for name in meta.names if name not in df.columns]
    found += [_issue("xpt.column-unexpected", f"frame column {col} is not in the metadata", meta,
                     column=str(col)) for col in df.columns if col not in set(meta.names)]
    if df.columns.duplicated().any():
        found.append(_issue("xpt.column-duplicate", "frame has duplicate column names", meta,
                            value=[str(c) for c in df.columns[df.columns.duplicated()]]))
    return found


# --------------------------------------------------------------------------------------------
# cell encoding (one chunk of one column at a time)
# --------------------------------------------------------------------------------------------

class _Findings:
    """Issue collector that keeps the first rows of each (rule, column) and counts the rest."""

    def __init__(self, meta: XptDataset, file: str) -> None:
        self.meta, self.file = meta, file
        self.issues: list[Issue] = []
        self.extra: dict[tuple[str, str], int] = {}
        self._shown: dict[tuple[str, str], int] = {}

    def add(self, rule: str, message: str, column: str, rows: npt.NDArray[np.int64], values: list[Any],
            expected: str) -> None:
        key = (rule, column)
        shown = self._shown.get(key, 0)
        room = max(0, MAX_ISSUES_PER_CHECK - shown)
        for row, value in zip(rows[:room].tolist(), values[:room], strict=False):
            self.issues.append(Issue(rule=rule, message=message, file=self.file, dataset=self.meta.name,
                                     row=int(row) + 1, column=column, value=value, expected=expected))
        self._shown[key] = shown + min(room, len(rows))
        if len(rows) > room:
            self.extra[key] = self.extra.get(key, 0) + len(rows) - room

    def all(self) -> list[Issue]:
        summaries = [Issue(rule=rule, message=f"{count} more rows break this rule", file=self.file,
                           dataset=self.meta.name, column=column, value=count)
                     for (rule, column), count in self.extra.items()]
        return self.issues + summaries


def _as_text_array(values: npt.NDArray[Any], var: XptVariable, start: int,
                   findings: _Findings) -> npt.NDArray[np.object_] | None:
    """Object array of str ('' for missing); reports non-text cells and returns None on any."""
    kind = pd.api.types.infer_dtype(values, skipna=False)
    if kind in ("string", "empty"):
        return values
    missing = pd.isna(values)
    if missing.any():
        values = values.copy()
        values[missing] = ""
    if pd.api.types.infer_dtype(values, skipna=False) in ("string", "empty"):
        return values
    bad = np.flatnonzero([not isinstance(v, str) for v in values])
    findings.add("xpt.char-not-text", "character variable holds a non-text value", var.name, bad + start,
                 [values[i] for i in bad], "text")
    return None


def encode_char(values: npt.NDArray[Any], var: XptVariable, start: int, encoding: str,
                findings: _Findings, out: npt.NDArray[np.uint8] | None = None) -> npt.NDArray[np.uint8] | None:
    """Cells of one character column as an (n, length) space-padded byte block, or None on issues.

    ``out``, when given, is the (n, length) slice of the row block to fill in place.
    """
    text = _as_text_array(values, var, start, findings)
    if text is None:
        return None
    n = len(text)
    if is_ascii(encoding):
        try:
            encoded = text.astype("S") if n else np.zeros(0, "S1")  # numpy encodes str as ASCII
        except UnicodeEncodeError:
            non_ascii = np.flatnonzero([not value.isascii() for value in text])
            findings.add("xpt.char-non-ascii", "value is not ASCII", var.name, non_ascii + start,
                         [text[i] for i in non_ascii], "ASCII text (or pass an encoding that allows it)")
            return None
        lengths = np.strings.str_len(encoded).astype(np.int64)  # trailing NUL characters drop
    else:
        encoded_list: list[bytes] = []
        bad: list[int] = []
        for i, value in enumerate(text):
            try:
                encoded_list.append(value.encode(encoding))
            except UnicodeEncodeError:
                bad.append(i)
                encoded_list.append(b"")
        if bad:
            findings.add("xpt.char-encoding", f"value cannot be encoded as {encoding}", var.name,
                         np.asarray(bad, np.int64) + start, [text[i] for i in bad], f"text in {encoding}")
            return None
        lengths = np.fromiter(map(len, encoded_list), np.int64, count=n)
        encoded = np.array(encoded_list, dtype=f"S{max(int(lengths.max(initial=1)), 1)}")
    return _pad_cells(encoded, lengths, var, start, findings, out)


def _pad_cells(encoded: npt.NDArray[np.bytes_], lengths: npt.NDArray[np.int64], var: XptVariable,
               start: int, findings: _Findings,
               out: npt.NDArray[np.uint8] | None = None) -> npt.NDArray[np.uint8] | None:
    """Check byte lengths against the declared length and 200; space-pad to the declared length."""
    over_200 = np.flatnonzero(lengths > MAX_CHAR_BYTES)
    if len(over_200):
        findings.add("xpt.char-over-200", "value is longer than 200 bytes", var.name, over_200 + start,
                     [encoded[i].decode("latin-1") for i in over_200], f"at most {MAX_CHAR_BYTES} bytes")
    over = np.flatnonzero((lengths > var.length) & (lengths <= MAX_CHAR_BYTES))
    if len(over):
        findings.add("xpt.char-too-long", "value is longer than the variable's length", var.name,
                     over + start, [encoded[i].decode("latin-1") for i in over],
                     f"at most {var.length} bytes")
    if len(over_200) or len(over):
        return None
    n = len(encoded)
    cells = np.empty((n, var.length), np.uint8) if out is None else out
    cells[...] = 0x20
    width = min(encoded.itemsize, var.length)
    raw = encoded.view(np.uint8).reshape(n, encoded.itemsize)[:, :width]
    np.copyto(cells[:, :width], raw, where=np.arange(width) < lengths[:, None])
    return cells


def _object_numbers(values: npt.NDArray[Any], var: XptVariable, start: int,
                    findings: _Findings) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.uint8]]:
    """Numbers, markers, missing and temporal values from an object column (the slow path)."""
    kind = temporal.temporal_kind(var.format_name)
    out = np.empty(len(values), np.float64)
    special = np.zeros(len(values), np.uint8)
    bad: list[int] = []
    for i, value in enumerate(values):
        if isinstance(value, SpecialMissing):
            out[i], special[i] = np.nan, ord(value.code)
        elif value is None or value is pd.NaT or value is pd.NA:
            out[i] = np.nan
        elif isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_)):
            out[i] = float(value)
        else:
            converted = temporal.python_to_sas(value, kind) if kind else None
            if converted is None:
                bad.append(i)
                out[i] = np.nan
            else:
                out[i] = converted
    if bad:
        expected = f"a number or a {kind} value" if kind else "a number (set a date format for dates)"
        findings.add("xpt.num-not-number", "numeric variable holds a value that is not a number", var.name,
                     np.asarray(bad, np.int64) + start, [values[i] for i in bad], expected)
    return out, special


def numeric_values(column: pd.Series, var: XptVariable, start: int,
                   findings: _Findings) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.uint8] | None]:
    """float64 values (NaN missing) plus special-missing marker bytes (None when there are none)."""
    dtype = column.dtype
    kind = temporal.temporal_kind(var.format_name)
    if pd.api.types.is_bool_dtype(dtype):
        findings.add("xpt.num-not-number", "numeric variable holds booleans", var.name,
                     np.arange(len(column), dtype=np.int64) + start, column.tolist(), "numbers (0/1)")
        return np.zeros(len(column)), None
    if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
        is_dates = pd.api.types.is_datetime64_any_dtype(dtype)
        fits = kind in ("date", "datetime") if is_dates else kind == "time"
        if not fits or getattr(dtype, "tz", None) is not None:
            findings.add("xpt.num-temporal-format", "temporal column needs a matching SAS format", var.name,
                         np.zeros(1, np.int64) + start, [str(dtype)],
                         "a date/datetime format (DATE9., DATETIME20.) or TIME8. for times")
            return np.zeros(len(column)), None
        raw = column.to_numpy()
        return (temporal.datetime64_to_sas(raw, kind) if is_dates  # type: ignore[arg-type]
                else temporal.timedelta64_to_sas(raw)), None
    if pd.api.types.is_numeric_dtype(dtype):
        return column.to_numpy(dtype=np.float64, na_value=np.nan), None
    values, special = _object_numbers(column.to_numpy(dtype=object), var, start, findings)
    return values, (special if special.any() else None)


def encode_num(column: pd.Series, var: XptVariable, start: int,
               findings: _Findings) -> npt.NDArray[np.uint8] | None:
    """Cells of one numeric column as an (n, length) block of big-endian IBM bytes, or None on issues."""
    values, special = numeric_values(column, var, start, findings)
    infinite = np.flatnonzero(np.isinf(values))
    if len(infinite):
        findings.add("xpt.num-inf", "infinity cannot be stored in XPT", var.name, infinite + start,
                     values[infinite].tolist(), "a finite number or missing")
    out_of_range = np.flatnonzero(ibm.ibm_range_mask(values))
    if len(out_of_range):
        findings.add("xpt.num-range", "number outside the IBM double range", var.name, out_of_range + start,
                     values[out_of_range].tolist(), f"0 or a magnitude in [{ibm.IBM_MIN!r}, {ibm.IBM_MAX!r})")
    if len(infinite) or len(out_of_range):
        return None
    missing = np.isnan(values)
    bits = ibm.ieee_to_ibm(np.where(missing, 0.0, values))
    bits[missing] = ibm.missing_pattern("")
    if special is not None:
        marked = special != 0
        bits[marked] = special[marked].astype(np.uint64) << np.uint64(56)
    cells = bits.astype(">u8").view(np.uint8).reshape(len(bits), 8)
    return cells[:, :var.length]


def encode_rows(df: pd.DataFrame, meta: XptDataset, start: int, stop: int, encoding: str,
                findings: _Findings) -> npt.NDArray[np.uint8] | None:
    """Rows ``start:stop`` as one (n, row_length) byte block; None when any cell broke a rule."""
    block = np.empty((stop - start, meta.row_length), np.uint8)
    ok = True
    for var, at in zip(meta.variables, positions(meta), strict=True):
        column = df[var.name].iloc[start:stop]
        target = block[:, at:at + var.length]
        if var.is_char:
            cells = encode_char(column.to_numpy(dtype=object), var, start, encoding, findings, target)
        else:
            cells = encode_num(column, var, start, findings)
            if cells is not None:
                target[...] = cells
        ok = ok and cells is not None
    return block if ok else None


def chunk_bounds(rows: int, row_length: int) -> Iterator[tuple[int, int]]:
    """Row ranges of about :data:`CHUNK_BYTES` each."""
    step = max(1, CHUNK_BYTES // max(row_length, 1))
    for start in range(0, rows, step):
        yield start, min(rows, start + step)


# --------------------------------------------------------------------------------------------
# writer
# --------------------------------------------------------------------------------------------

def _write_body(handle: BinaryIO, df: pd.DataFrame, meta: XptDataset, encoding: str,
                findings: _Findings) -> None:
    written = 0
    for start, stop in chunk_bounds(len(df), meta.row_length):
        block = encode_rows(df, meta, start, stop, encoding, findings)
        if block is not None and not findings.issues:
            handle.write(block.data)
            written += block.size
    handle.write(b" " * (-written % RECORD))


def write_xpt(df: pd.DataFrame, meta: XptDataset, path: str | os.PathLike[str], *,
              encoding: str = "ascii") -> None:
    """Write ``df`` as an XPORT v5 file described by ``meta``; refuse (TransportError) on any issue.

    ``encoding`` is the byte encoding of character values: the default ``ascii`` refuses any
    non-ASCII value; pass e.g. ``"windows-1252"`` to allow it. Names, labels and header fields are
    always ASCII.
    """
    target = Path(path)
    issues = metadata_issues(meta) + frame_issues(df, meta)
    if not issues:
        size = file_size(meta, len(df))
        if size > MAX_XPT_BYTES:
            issues.append(_issue("xpt.file-too-large", "the file would be larger than 5 GB", meta,
                                 file=str(target), value=size, expected=f"at most {MAX_XPT_BYTES} bytes"))
    if issues:
        raise TransportError([i if i.file else _with_file(i, target) for i in issues],
                             f"{meta.name}: cannot write {target.name}")
    findings = _Findings(meta, str(target))

    def fill(handle: BinaryIO) -> None:
        handle.write(header_bytes(meta))
        _write_body(handle, df, meta, encoding, findings)

    _atomic_write(target, fill, findings)


def _with_file(issue: Issue, target: Path) -> Issue:
    return Issue(**{**issue.as_dict(), "file": str(target)})


def _atomic_write(target: Path, fill: Callable[[BinaryIO], None], findings: _Findings) -> None:
    """Run ``fill(handle)`` on a temp file beside ``target``; replace ``target`` only on success."""
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as handle:
            fill(handle)
        issues = findings.all()
        if issues:
            raise TransportError(issues, f"{findings.meta.name}: cannot write {target.name}: "
                                         f"{len(issues)} problems")
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise


# --------------------------------------------------------------------------------------------
# reader
# --------------------------------------------------------------------------------------------

def _read_issue(rule: str, message: str, file: Path, **where: Any) -> TransportError:
    return TransportError(Issue(rule=rule, message=message, file=str(file), **where))


def _decode_text(raw: bytes, encoding: str, file: Path, what: str) -> str:
    try:
        return raw.decode(encoding).rstrip(" \0")
    except UnicodeDecodeError:
        raise _read_issue("xpt.read-encoding", f"{what} is not {encoding}", file, value=raw,
                          expected="pass the file's encoding, e.g. windows-1252") from None


def parse_namestr(raw: bytes, encoding: str, file: Path) -> tuple[XptVariable, int]:
    """One NAMESTR record -> (variable, byte position within a row)."""
    (ntype, _hash, length, _number, name, label, fname, flen, fdec, fjust, _fill, iname, ilen, idec,
     position, _rest) = _NAMESTR.unpack(raw)
    var = XptVariable(
        name=_decode_text(name, "ascii", file, "variable name"),
        label=_decode_text(label, encoding, file, "variable label"),
        type="char" if ntype == 2 else "num", length=length,
        format=format_string(_decode_text(fname, "ascii", file, "format"), flen, fdec),
        informat=format_string(_decode_text(iname, "ascii", file, "informat"), ilen, idec),
        format_justification=fjust)
    return var, position


def parse_header(blob: bytes, file: Path, encoding: str) -> tuple[XptDataset, list[int], int]:
    """Metadata, variable positions and the offset of the first row."""
    if blob[:RECORD] != LIBRARY_HEADER:
        raise _read_issue("xpt.read-not-xport", "not a SAS XPORT v5 file (no library header)", file,
                          value=blob[:RECORD], expected="HEADER RECORD*******LIBRARY HEADER RECORD")
    if blob[3 * RECORD:4 * RECORD] != MEMBER_HEADER:
        raise _read_issue("xpt.read-not-xport", "unsupported member header (NAMESTR length not 140?)",
                          file, value=blob[3 * RECORD:4 * RECORD])
    lib, member = blob[RECORD:3 * RECORD], blob[5 * RECORD:7 * RECORD]
    count = int(blob[7 * RECORD + 54:7 * RECORD + 58])
    at = 8 * RECORD
    parsed = [parse_namestr(blob[at + i * NAMESTR_LENGTH:at + (i + 1) * NAMESTR_LENGTH], encoding, file)
              for i in range(count)]
    at += count * NAMESTR_LENGTH
    at += -at % RECORD
    if blob[at:at + RECORD] != OBS_HEADER:
        raise _read_issue("xpt.read-not-xport", "no OBS header after the variable records", file,
                          value=blob[at:at + RECORD])
    created, modified = parse_timestamp(member[64:80]), parse_timestamp(member[80:96])
    version = _decode_text(member[24:32], "ascii", file, "SAS version")
    os_name = _decode_text(member[32:40], "ascii", file, "OS name")
    lib_created, lib_modified = parse_timestamp(lib[64:80]), parse_timestamp(lib[80:96])
    lib_version = _decode_text(lib[24:32], "ascii", file, "SAS version")
    lib_os_name = _decode_text(lib[32:40], "ascii", file, "OS name")
    meta = XptDataset(  # library fields equal to the member's are left None ("same as member")
        name=_decode_text(member[8:16], "ascii", file, "dataset name"),
        label=_decode_text(member[112:152], encoding, file, "dataset label"),
        variables=tuple(var for var, _ in parsed),
        type=_decode_text(member[152:160], "ascii", file, "dataset type"),
        created=created, modified=modified, sas_version=version, os_name=os_name,
        library_created=None if lib_created == created else lib_created,
        library_modified=None if lib_modified == modified else lib_modified,
        library_sas_version=None if lib_version == version else lib_version,
        library_os_name=None if lib_os_name == os_name else lib_os_name)
    return meta, [p for _, p in parsed], at + RECORD


def row_count(data: npt.NDArray[np.uint8], row_length: int) -> int:
    """Rows in the data area: whole rows, less trailing all-blank rows that fit in the final padding.

    XPORT pads the last record with spaces, so when rows are shorter than 80 bytes the padding can
    look like blank rows; a row counts as padding only if it is all spaces and lies entirely
    within the last 80 bytes (SAS readers resolve the ambiguity the same way).
    """
    if row_length == 0:
        return 0
    rows = len(data) // row_length
    while rows and len(data) - (rows - 1) * row_length < RECORD:
        last = data[(rows - 1) * row_length:rows * row_length]
        if not (last == 0x20).all():
            break
        rows -= 1
    return rows


def decode_char(cells: npt.NDArray[np.uint8], var: XptVariable, encoding: str, file: Path,
                dataset: str) -> pd.Series:
    """An (n, length) byte block -> str Series, trailing spaces removed ('' for blank cells)."""
    n = len(cells)
    codes, first = distinct_rows(cells)
    uniques = np.ascontiguousarray(cells[first]).view(f"S{var.length}").reshape(len(first))
    texts = np.empty(len(first), dtype=object)
    for i, raw in enumerate(uniques.tolist()):  # decode each distinct cell once
        try:
            texts[i] = raw.decode(encoding).rstrip(" ")
        except UnicodeDecodeError:
            rows = np.flatnonzero(codes == i)
            raise TransportError([Issue(
                rule="xpt.read-encoding", message=f"cell is not {encoding}", file=str(file),
                dataset=dataset, row=int(r) + 1, column=var.name, value=raw,
                expected="pass the file's encoding, e.g. encoding='windows-1252'")
                for r in rows[:MAX_ISSUES_PER_CHECK]]) from None
    return pd.Series(texts[codes] if n else np.zeros(0, object), dtype="str")


def distinct_rows(cells: npt.NDArray[np.uint8]) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Group equal rows of an (n, width) byte block: (code per row, first row of each group).

    Rows are hashed 8 bytes at a time with numpy and grouped with a hash table
    (``pd.factorize``), so the work is linear and no Python object is made per cell; because a
    hash can collide, groups are verified byte for byte and an exact (slower) grouping is used
    if any differ. Cells of real datasets repeat a lot, so decoding per group is much cheaper.
    """
    n, width = cells.shape
    words = max(1, -(-width // 8))
    padded = np.zeros((n, words * 8), np.uint8)
    padded[:, :width] = cells
    keys = padded.view("<u8")
    hashed = keys[:, 0].copy()
    for j in range(1, words):  # multiply-xorshift mixing per word (splitmix64 style)
        hashed *= np.uint64(0xBF58476D1CE4E5B9)
        hashed ^= hashed >> np.uint64(31)
        hashed ^= keys[:, j]
    if words > 1:
        hashed *= np.uint64(0x94D049BB133111EB)
        hashed ^= hashed >> np.uint64(29)
    codes, uniques = pd.factorize(hashed)
    first = np.empty(len(uniques), np.intp)
    first[codes[::-1]] = np.arange(n - 1, -1, -1)
    if words > 1 and not (padded[first][codes] == padded).all():
        codes, uniques = pd.factorize(padded.view(f"S{words * 8}").reshape(n).astype(object))
        first = np.empty(len(uniques), np.intp)
        first[codes[::-1]] = np.arange(n - 1, -1, -1)
    return codes.astype(np.intp), first


def is_ascii(encoding: str) -> bool:
    """True for the names Python gives plain ASCII."""
    return encoding.lower().replace("-", "").replace("_", "") in ("ascii", "usascii", "646")


def decode_num(cells: npt.NDArray[np.uint8], var: XptVariable, dates: bool) -> pd.Series:
    """An (n, length) IBM byte block -> float64 Series (object with SpecialMissing markers if any)."""
    n = len(cells)
    full = np.zeros((n, 8), np.uint8)
    full[:, :var.length] = cells
    bits = full.view(">u8").reshape(n).astype(np.uint64)
    codes = ibm.missing_codes(bits)
    values = ibm.ibm_to_ieee(bits)
    values[codes != 0] = np.nan
    special = (codes != 0) & (codes != ibm.MISSING_BYTE)
    kind = temporal.temporal_kind(var.format_name) if dates else None
    if kind is not None:
        return temporal.sas_to_pandas(values, kind)
    if special.any():
        marked = values.astype(object)
        for i in np.flatnonzero(special):
            marked[i] = SpecialMissing(chr(codes[i]))
        return pd.Series(marked, dtype=object)
    return pd.Series(values)


def read_xpt(path: str | os.PathLike[str], *, encoding: str = "ascii",
             dates: bool = False) -> tuple[pd.DataFrame, XptDataset]:
    """Read a single-member XPORT v5 file into (frame, metadata).

    Character cells come back as ``str`` with trailing blanks removed; numerics as float64 with
    NaN for ``.``, and :class:`SpecialMissing` markers (object column) for ``.A``-``.Z``/``._``.
    With ``dates=True`` numerics with a SAS date/datetime format become datetime64 and those with
    a time format timedelta64 (special missings there become NaT). ``encoding`` decodes
    character cells and labels; the default ``ascii`` refuses any byte above 127 with an Issue.
    """
    file = Path(path)
    blob = file.read_bytes()
    meta, offsets, start = parse_header(blob, file, encoding)
    data = np.frombuffer(blob, np.uint8, offset=start)
    if blob.find(MEMBER_HEADER, start) != -1:
        raise _read_issue("xpt.read-multiple-members", "file holds more than one dataset", file,
                          dataset=meta.name, expected="one dataset per file (FDA)")
    rows = row_count(data, meta.row_length)
    table = data[:rows * meta.row_length].reshape(rows, meta.row_length)
    columns: dict[str, pd.Series] = {}
    for var, at in zip(meta.variables, offsets, strict=True):
        cells = table[:, at:at + var.length]
        columns[var.name] = (decode_char(cells, var, encoding, file, meta.name) if var.is_char
                             else decode_num(cells, var, dates))
    frame = pd.DataFrame(columns, index=pd.RangeIndex(rows))
    return frame, meta
