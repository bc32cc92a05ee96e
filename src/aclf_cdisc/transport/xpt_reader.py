"""SAS XPORT v5 reader: single-member files, vectorised, each distinct cell decoded once."""

from __future__ import annotations

import os
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
