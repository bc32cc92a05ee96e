"""SAS XPORT v5 reader: single-member files, vectorised, each distinct cell decoded once."""

from __future__ import annotations

import io
import os
import struct
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from aclf_cdisc.errors import Issue, TransportError
from aclf_cdisc.transport import ibm, temporal
from aclf_cdisc.transport.meta import SpecialMissing, XptDataset, XptVariable, format_string
from aclf_cdisc.transport.xpt_checks import MAX_ISSUES_PER_CHECK
from aclf_cdisc.transport.xpt_format import (
    LIBRARY_HEADER,
    MEMBER_HEADER,
    NAMESTR_LENGTH,
    NAMESTR_STRUCT,
    OBS_HEADER,
    RECORD,
    parse_timestamp,
)

CHUNK_BYTES = 8 * 1024 * 1024  # rows decoded at a time, bounding memory above the finished frame
MAX_HEADER_BYTES = 8 * RECORD + 9999 * NAMESTR_LENGTH + 2 * RECORD  # headers of the widest file


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
     position, _rest) = NAMESTR_STRUCT.unpack(raw)
    var = XptVariable(
        name=_decode_text(name, "ascii", file, "variable name"),
        label=_decode_text(label, encoding, file, "variable label"),
        type="char" if ntype == 2 else "num", length=length,
        format=format_string(_decode_text(fname, "ascii", file, "format"), flen, fdec),
        informat=format_string(_decode_text(iname, "ascii", file, "informat"), ilen, idec),
        format_justification=fjust)
    return var, position


def parse_header(blob: bytes, file: Path, encoding: str) -> tuple[XptDataset, list[int], int]:
    """Metadata, variable positions and the offset of the first row; a header cut short (a file
    truncated in copying) is the error ``xpt.read-truncated``."""
    try:
        return _parse_header(blob, file, encoding)
    except (struct.error, ValueError, IndexError) as exc:
        raise _read_issue("xpt.read-truncated", f"the XPORT header is incomplete or damaged ({exc})", file,
                          value=len(blob), expected="a whole SAS XPORT v5 header") from None


def _parse_header(blob: bytes, file: Path, encoding: str) -> tuple[XptDataset, list[int], int]:
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


def row_count(data_length: int, tail: npt.NDArray[np.uint8], row_length: int) -> int:
    """Rows in a data area of ``data_length`` bytes whose last bytes are ``tail``: whole rows, less
    trailing all-blank rows that fit in the final padding.

    XPORT pads the last record with spaces, so when rows are shorter than 80 bytes the padding can
    look like blank rows; a row counts as padding only if it is all spaces and lies entirely
    within the last 80 bytes (SAS readers resolve the ambiguity the same way). ``tail`` must hold
    at least the last ``RECORD + row_length`` bytes (or all of them).

    >>> data = np.frombuffer(b"A" * 120 + b" " * 40, np.uint8)  # three 40-byte rows, 40 bytes padding
    >>> row_count(len(data), data, 40)
    3
    """
    if row_length == 0:
        return 0
    rows = data_length // row_length
    tail_start = data_length - len(tail)
    while rows and data_length - (rows - 1) * row_length < RECORD:
        at = (rows - 1) * row_length - tail_start
        if not (tail[at:at + row_length] == 0x20).all():
            break
        rows -= 1
    return rows


def _check_whole(data_length: int, tail: npt.NDArray[np.uint8], row_length: int, file: Path) -> None:
    """The data area is whole: 80-byte records, and after the last whole row nothing but the blank
    padding of the last record. A file cut short in copying fails here (``xpt.read-truncated``)
    instead of reading as fewer rows."""
    partial = data_length % row_length if row_length else 0
    if data_length % RECORD or not (tail[len(tail) - partial:] == 0x20).all():
        raise _read_issue("xpt.read-truncated", "the file ends inside a record or an observation: it was "
                          "cut short", file, value=data_length,
                          expected="whole 80-byte records, the last padded with blanks")


class _CharColumn:
    """Decoded cells of one character column, filled chunk by chunk; equal cells share one str."""

    def __init__(self, var: XptVariable, rows: int, encoding: str, file: Path, dataset: str) -> None:
        self.var, self.encoding, self.file, self.dataset = var, encoding, file, dataset
        self.values = np.empty(rows, dtype=object)
        self.known: dict[bytes, str] = {}

    def fill(self, cells: npt.NDArray[np.uint8], first_row: int) -> None:
        codes, first = distinct_rows(cells)
        uniques = np.ascontiguousarray(cells[first]).view(f"S{self.var.length}").reshape(len(first))
        texts = np.empty(len(first), dtype=object)
        for i, raw in enumerate(uniques.tolist()):  # decode each distinct cell once
            text = self.known.get(raw)
            if text is None:
                text = self.known[raw] = self._decode(raw, codes, i, first_row)
            texts[i] = text
        self.values[first_row:first_row + len(cells)] = texts[codes]

    def _decode(self, raw: bytes, codes: npt.NDArray[np.intp], code: int, first_row: int) -> str:
        """``raw`` as text; the chunk's cells with ``code`` hold it (named only for a bad cell)."""
        try:
            return raw.decode(self.encoding).rstrip(" ")
        except UnicodeDecodeError:
            raise TransportError([Issue(
                rule="xpt.read-encoding", message=f"cell is not {self.encoding}", file=str(self.file),
                dataset=self.dataset, row=int(r) + 1, column=self.var.name, value=raw,
                expected="pass the file's encoding, e.g. encoding='windows-1252'")
                for r in (np.flatnonzero(codes == code) + first_row)[:MAX_ISSUES_PER_CHECK]]) from None

    def series(self) -> pd.Series:
        self.known.clear()
        return pd.Series(self.values, dtype="str", copy=False)


class _NumColumn:
    """IBM doubles of one numeric column as float64, filled chunk by chunk, with their markers."""

    def __init__(self, var: XptVariable, rows: int, dates: bool) -> None:
        self.var, self.dates = var, dates
        self.values = np.empty(rows, np.float64)
        self.special = np.zeros(rows, np.uint8)

    def fill(self, cells: npt.NDArray[np.uint8], first_row: int) -> None:
        n = len(cells)
        full = np.zeros((n, 8), np.uint8)
        full[:, :self.var.length] = cells
        bits = full.view(">u8").reshape(n).astype(np.uint64)
        codes = ibm.missing_codes(bits)
        values = ibm.ibm_to_ieee(bits)
        values[codes != 0] = np.nan
        self.values[first_row:first_row + n] = values
        self.special[first_row:first_row + n] = np.where(codes == ibm.MISSING_BYTE, 0, codes)

    def series(self) -> pd.Series:
        kind = temporal.temporal_kind(self.var.format_name) if self.dates else None
        if kind is not None:
            return temporal.sas_to_pandas(self.values, kind)
        if self.special.any():
            marked = self.values.astype(object)
            for i in np.flatnonzero(self.special):
                marked[i] = SpecialMissing(chr(self.special[i]))
            return pd.Series(marked, dtype=object)
        return pd.Series(self.values, copy=False)


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


def read_xpt_header(path: str | os.PathLike[str], *, encoding: str = "ascii") -> XptDataset:
    """The metadata of a single-member XPORT v5 file (name, label, variables), its rows left unread:
    what :func:`read_xpt` returns beside the frame."""
    file = Path(path)
    with open(file, "rb") as handle:
        head = handle.read(MAX_HEADER_BYTES)
    return parse_header(head, file, encoding)[0]


def read_xpt(path: str | os.PathLike[str], *, encoding: str = "ascii",
             dates: bool = False) -> tuple[pd.DataFrame, XptDataset]:
    """Read a single-member XPORT v5 file into (frame, metadata).

    Character cells come back as ``str`` with trailing blanks removed; numerics as float64 with
    NaN for ``.``, and :class:`SpecialMissing` markers (object column) for ``.A``-``.Z``/``._``.
    With ``dates=True`` numerics with a SAS date/datetime format become datetime64 and those with
    a time format timedelta64 (special missings there become NaT). ``encoding`` decodes
    character cells and labels; the default ``ascii`` refuses any byte above 127 with an Issue.

    The rows are read in chunks of about :data:`CHUNK_BYTES` into columns allocated once, so
    memory beyond the finished frame stays at one chunk whatever the file's size.
    """
    file = Path(path)
    with open(file, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        head = handle.read(min(size, MAX_HEADER_BYTES))
        meta, offsets, start = parse_header(head, file, encoding)
        data_length = size - start
        handle.seek(max(start, size - RECORD - meta.row_length))
        tail = np.frombuffer(handle.read(), np.uint8)
        _check_whole(data_length, tail, meta.row_length, file)
        rows = row_count(data_length, tail, meta.row_length)
        columns = [(_CharColumn(var, rows, encoding, file, meta.name) if var.is_char
                    else _NumColumn(var, rows, dates), at)
                   for var, at in zip(meta.variables, offsets, strict=True)]
        handle.seek(start)
        _read_rows(handle, meta, columns, rows, file)
    frame = pd.DataFrame({var.name: column.series() for var, (column, _) in zip(meta.variables, columns,
                                                                                 strict=True)},
                         index=pd.RangeIndex(rows), copy=False)
    return frame, meta


def _read_rows(handle: io.BufferedReader, meta: XptDataset, columns: list[tuple[_CharColumn | _NumColumn, int]],
               rows: int, file: Path) -> None:
    """Fill ``columns`` from the data area, a chunk of rows at a time, refusing a second member."""
    step = max(1, CHUNK_BYTES // max(meta.row_length, 1))
    buffer = bytearray(step * meta.row_length + len(MEMBER_HEADER))
    carry = 0  # bytes kept from the previous chunk so a header across the boundary is still seen
    for first in range(0, rows, step):
        n = min(step, rows - first)
        view = memoryview(buffer)[carry:carry + n * meta.row_length]
        if handle.readinto(view) != len(view):
            raise _read_issue("xpt.read-truncated", "the file ends inside its rows", file, dataset=meta.name)
        if buffer.find(MEMBER_HEADER, 0, carry + len(view)) != -1:
            raise _multiple_members(file, meta)
        table = np.frombuffer(buffer, np.uint8, count=n * meta.row_length, offset=carry).reshape(
            n, meta.row_length)
        for column, at in columns:
            column.fill(table[:, at:at + column.var.length], first)
        keep = min(len(MEMBER_HEADER) - 1, carry + len(view))
        buffer[:keep] = buffer[carry + len(view) - keep:carry + len(view)]
        carry = keep
    if (bytes(buffer[:carry]) + handle.read()).find(MEMBER_HEADER) != -1:  # the padding after the rows
        raise _multiple_members(file, meta)


def _multiple_members(file: Path, meta: XptDataset) -> TransportError:
    return _read_issue("xpt.read-multiple-members", "file holds more than one dataset", file,
                       dataset=meta.name, expected="one dataset per file (FDA)")
