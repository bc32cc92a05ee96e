"""SAS XPORT v5 writer: strict, deterministic and vectorised.

Every rule the format or the FDA imposes is checked before a byte reaches the target path;
problems travel as :class:`~aclf_cdisc.errors.Issue` records inside one
:class:`~aclf_cdisc.errors.TransportError`. Data are encoded and written in row chunks to a temp
file in the target folder, which replaces the target only when everything succeeded, so a
failure never leaves a partial or empty file. Header fields come from the metadata, never the
clock: the same input always gives the same bytes.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Hashable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from aclf_cdisc.errors import Issue, TransportError
from aclf_cdisc.files import replace_atomically
from aclf_cdisc.limits import MAX_CHAR_BYTES, MAX_XPT_BYTES
from aclf_cdisc.transport import ibm, temporal
from aclf_cdisc.transport.meta import SpecialMissing, XptDataset, XptVariable
from aclf_cdisc.transport.xpt_checks import Findings, column_issues, issue_for, metadata_issues
from aclf_cdisc.transport.xpt_format import RECORD, file_size, header_bytes, is_ascii, positions

CHUNK_BYTES = 8 * 1024 * 1024  # rows encoded per write, bounding memory above the input frame

def _factorize_text(values: npt.NDArray[Any], var: XptVariable, start: int,
                    findings: Findings) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.object_]] | None:
    """(code per cell, distinct texts): missing cells are the last code, '' (blank); None on non-text.

    Real columns repeat their values a lot, so every later step works on the distinct texts
    and the cells are gathered from them by code.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    texts = np.empty(len(uniques) + 1, dtype=object)
    texts[:-1] = np.asarray(uniques, dtype=object)
    texts[-1] = ""
    if pd.api.types.infer_dtype(texts, skipna=False) == "string":  # the usual case, checked in C
        return np.where(codes < 0, len(texts) - 1, codes).astype(np.intp), texts
    not_text = np.fromiter((not isinstance(v, str) for v in texts), bool, count=len(texts))
    if not_text.any():
        bad = np.flatnonzero(not_text[codes] & (codes >= 0))
        findings.add("xpt.char-not-text", "character variable holds a non-text value", var.name, bad + start,
                     [values[i] for i in bad], "text")
        return None
    codes = np.where(codes < 0, len(texts) - 1, codes).astype(np.intp)
    return codes, texts


def _encode_texts(texts: npt.NDArray[np.object_], encoding: str) -> tuple[list[bytes], npt.NDArray[np.bool_]]:
    """Each text in ``encoding`` (trailing NUL characters dropped, as numpy's bytes do) and a
    mask of the texts that cannot be encoded."""
    if is_ascii(encoding):
        try:  # numpy encodes the whole array as ASCII in C; only a failure needs the loop below
            return texts.astype("S").tolist(), np.zeros(len(texts), bool)
        except UnicodeEncodeError:
            pass
    encoded, bad = [], np.zeros(len(texts), bool)
    for i, text in enumerate(texts):
        try:
            encoded.append(text.encode(encoding).rstrip(b"\0"))
        except UnicodeEncodeError:
            encoded.append(b"")
            bad[i] = True
    return encoded, bad


@dataclass(frozen=True)
class DistinctCells:
    """Distinct texts of a character column, each encoded once: its bytes, byte length, whether it
    can be encoded, and its space-padded cell (one ``V<length>`` item each). Cells are gathered
    by code, so each text is encoded once however many records hold it."""

    texts: npt.NDArray[np.object_]
    encoded: list[bytes]
    lengths: npt.NDArray[np.int64]
    unencodable: npt.NDArray[np.bool_]
    cells: npt.NDArray[np.void]


def distinct_cells(texts: npt.NDArray[np.object_], var: XptVariable, encoding: str) -> DistinctCells:
    """:class:`DistinctCells` of ``texts`` (every one a str) for variable ``var``."""
    encoded, unencodable = _encode_texts(texts, "ascii" if is_ascii(encoding) else encoding)
    lengths = np.fromiter(map(len, encoded), np.int64, count=len(encoded))
    cells = _padded(encoded, np.minimum(lengths, var.length), var.length).view(f"V{var.length}").ravel()
    return DistinctCells(texts, encoded, lengths, unencodable, cells)


def encode_char(values: npt.NDArray[Any], var: XptVariable, start: int, encoding: str,
                findings: Findings, out: npt.NDArray[np.uint8] | None = None) -> npt.NDArray[np.uint8] | None:
    """Cells of one character column as an (n, length) space-padded byte block, or None on issues.

    ``out``, when given, is the (n, length) slice of the row block to fill in place.
    """
    factorized = _factorize_text(values, var, start, findings)
    if factorized is None:
        return None
    codes, texts = factorized
    return encode_codes(codes, distinct_cells(texts, var, encoding), var, start, encoding, findings, out)


def encode_codes(codes: npt.NDArray[np.intp], distinct: DistinctCells, var: XptVariable, start: int,
                 encoding: str, findings: Findings,
                 out: npt.NDArray[np.uint8] | None = None) -> npt.NDArray[np.uint8] | None:
    """:func:`encode_char` of the records whose texts are ``distinct.texts[codes]``: every record
    that breaks a rule is reported, or the (n, length) block of their cells."""
    unencodable = np.flatnonzero(distinct.unencodable[codes])
    if len(unencodable):
        rule, expected = (("xpt.char-non-ascii", "ASCII text (or pass an encoding that allows it)")
                          if is_ascii(encoding) else ("xpt.char-encoding", f"text in {encoding}"))
        message = "value is not ASCII" if is_ascii(encoding) else f"value cannot be encoded as {encoding}"
        findings.add(rule, message, var.name, unencodable + start, [distinct.texts[codes[i]] for i in unencodable],
                     expected)
    # every rule checked on every record (an unencodable text counts no bytes), so the findings do
    # not depend on which records share a chunk
    if not _lengths_fit(distinct.encoded, distinct.lengths, codes, var, start, findings) or len(unencodable):
        return None
    cells = np.empty((len(codes), var.length), np.uint8) if out is None else out
    # gather whole cells (one fixed-size item each), which numpy copies far faster than byte rows
    cells[...] = distinct.cells.take(codes, mode="clip").view(np.uint8).reshape(len(codes), var.length)
    return cells


HeldTexts = dict[str, tuple[pd.Index, DistinctCells]]
"""Per character variable, the categories of a compacted column (aclf_cdisc.compact) and their
:class:`DistinctCells`: made at the first chunk and kept for every later one."""


def held_codes(column: pd.Series, var: XptVariable, encoding: str,
               held: HeldTexts) -> tuple[npt.NDArray[np.intp], DistinctCells] | None:
    """A compacted text column's codes (missing: the last, blank, text) and the distinct cells of
    its categories, encoded once per write; None for any other column."""
    if not isinstance(column.dtype, pd.CategoricalDtype):
        return None
    categories = column.cat.categories
    known = held.get(var.name)
    if known is None or known[0] is not categories:
        if categories.dtype != object or not all(type(text) is str for text in categories):
            return None
        texts = np.empty(len(categories) + 1, dtype=object)
        texts[:-1] = categories.to_numpy(dtype=object)
        texts[-1] = ""
        known = held[var.name] = (categories, distinct_cells(texts, var, encoding))
    codes = column.cat.codes.to_numpy().astype(np.intp)
    return np.where(codes < 0, len(categories), codes), known[1]


def _padded(encoded: list[bytes], lengths: npt.NDArray[np.int64], width: int) -> npt.NDArray[np.uint8]:
    """The distinct encoded texts as a (k, width) block, each space padded to ``width`` bytes."""
    fixed = np.array(encoded, dtype=f"S{width}")  # NUL padded; lengths say where the text ends
    raw = fixed.view(np.uint8).reshape(len(encoded), width)
    return np.where(np.arange(width) < lengths[:, None], raw, np.uint8(0x20)).astype(np.uint8)


def _lengths_fit(encoded: list[bytes], lengths: npt.NDArray[np.int64], codes: npt.NDArray[np.intp],
                 var: XptVariable, start: int, findings: Findings) -> bool:
    """Check byte lengths against the declared length and 200; report every row that breaks one."""
    ok = True
    for mask, rule, message, expected in (
            (lengths > MAX_CHAR_BYTES, "xpt.char-over-200", "value is longer than 200 bytes",
             f"at most {MAX_CHAR_BYTES} bytes"),
            ((lengths > var.length) & (lengths <= MAX_CHAR_BYTES), "xpt.char-too-long",
             "value is longer than the variable's length", f"at most {var.length} bytes")):
        rows = np.flatnonzero(mask[codes]) if mask.any() else np.empty(0, np.intp)
        if len(rows):
            findings.add(rule, message, var.name, rows + start,
                         [encoded[codes[i]].decode("latin-1") for i in rows], expected)
            ok = False
    return ok


def _object_numbers(values: npt.NDArray[Any], var: XptVariable, start: int,
                    findings: Findings) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.uint8]]:
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
                   findings: Findings) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.uint8] | None]:
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
               findings: Findings) -> npt.NDArray[np.uint8] | None:
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


def encode_rows(rows: pd.DataFrame, meta: XptDataset, start: int, encoding: str,
                findings: Findings, held: HeldTexts | None = None) -> npt.NDArray[np.uint8] | None:
    """The records ``rows`` (the dataset's from number ``start``, 0-based) as one (n, row_length)
    byte block; None when any cell broke a rule.

    A compacted column (a Categorical, :mod:`aclf_cdisc.compact`) is encoded from its codes: a
    text column's categories once per write (kept in ``held``), numbers and dates as the values
    they stand for.
    """
    block = np.empty((len(rows), meta.row_length), np.uint8)
    ok = True
    for var, at in zip(meta.variables, positions(meta), strict=True):
        column = rows[var.name]
        target = block[:, at:at + var.length]
        if var.is_char:
            coded = held_codes(column, var, encoding, held if held is not None else {})
            cells = (encode_codes(*coded, var, start, encoding, findings, target) if coded is not None
                     else encode_char(column.to_numpy(dtype=object), var, start, encoding, findings, target))
        else:
            if isinstance(column.dtype, pd.CategoricalDtype):  # the numbers or dates it stands for
                column = pd.Series(np.asarray(column), index=column.index, name=column.name)
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

RowReader = Callable[[int, int], pd.DataFrame]
"""``read(start, stop)``: a dataset's records ``start`` to ``stop`` (0-based, stop excluded), every
variable; a column may be compacted (a Categorical, :mod:`aclf_cdisc.compact`): :func:`encode_rows`."""


class ByteSink(Protocol):
    """Where a file's bytes go: the file itself, or something that passes them on to it."""

    def write(self, data: bytes | memoryview, /) -> int: ...


def _write_body(handle: ByteSink, read: RowReader, records: int, meta: XptDataset, encoding: str,
                findings: Findings) -> None:
    written = 0
    held: HeldTexts = {}
    for start, stop in chunk_bounds(records, meta.row_length):
        block = encode_rows(read(start, stop), meta, start, encoding, findings, held)
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
    write_xpt_rows(lambda start, stop: df.iloc[start:stop], len(df), list(df.columns), meta, path,
                   encoding=encoding)


def write_xpt_rows(read: RowReader, records: int, columns: Sequence[Hashable], meta: XptDataset,
                   path: str | os.PathLike[str], *, encoding: str = "ascii",
                   sink: Callable[[BinaryIO], ByteSink] | None = None) -> None:
    """:func:`write_xpt` for a dataset of ``records`` records and ``columns`` variables that is read
    a chunk of records at a time (:data:`RowReader`), so only one chunk is held: the same bytes as
    writing the whole frame, and the same refusals. ``sink``: what the bytes are written to, given
    the file (it passes them on: to take the file's digests as it is written, say)."""
    target = Path(path)
    issues = metadata_issues(meta) + column_issues(columns, meta)
    if not issues:
        size = file_size(meta, records)
        if size > MAX_XPT_BYTES:
            issues.append(issue_for("xpt.file-too-large", "the file would be larger than 5 GB", meta,
                                 file=str(target), value=size, expected=f"at most {MAX_XPT_BYTES} bytes"))
    if issues:
        raise TransportError([i if i.file else _with_file(i, target) for i in issues],
                             f"{meta.name}: cannot write {target.name}")
    findings = Findings(meta, str(target))

    def fill(handle: BinaryIO) -> None:
        out = handle if sink is None else sink(handle)
        out.write(header_bytes(meta))
        _write_body(out, read, records, meta, encoding, findings)

    def refuse_on_findings() -> None:
        issues = findings.all()
        if issues:
            raise TransportError(issues, f"{meta.name}: cannot write {target.name}: {len(issues)} problems")

    replace_atomically(target, fill, check=refuse_on_findings)


def _with_file(issue: Issue, target: Path) -> Issue:
    return Issue(**{**issue.as_dict(), "file": str(target)})



