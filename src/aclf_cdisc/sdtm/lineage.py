"""Lineage: the raw file and 1-based record each SDTM record came from, and Issues that cite it.

Raw records carry ``__file`` and ``__row`` (:mod:`aclf_cdisc.raw.reader`). A domain's working frame
keeps them (:func:`aclf_cdisc.sdtm.assemble.assemble_form`, ``prefix_columns``), and
:func:`aclf_cdisc.sdtm.conform.conform_to_spec` moves them off the dataset into ``frame.attrs``
(:data:`LINEAGE`) as a :class:`Lineage`, so the dataset holds exactly its spec's variables (the XPT
bytes do not change) while every later stage can ask where a record came from.

A :class:`Lineage` is valid only for the frame it was made for: :func:`lineage_of` checks that the
frame still has the same length and key values (pandas copies ``attrs`` onto derived frames, e.g. a
filtered copy, which must not inherit it).

:func:`cite_sources` rewrites Issues raised after mapping (schema checks, conformance rules, ADaM
derivations, transport pre-checks) that name a dataset and a record (a 1-based row, or a key such
as ``USUBJID=..., AESEQ=3``) so that ``file`` and ``row`` name the raw file and record; the dataset
record is kept in the message. A record of a dataset without lineage (ADaM, DS, SE) is traced
through a ``--SEQ`` of an SDTM dataset it carries (ADAE's AESEQ -> AE), else through the one raw
record whose value the subject's SDTM records hold in a variable read from it (:func:`traceable`),
else to the subject's DM record; the message says which.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from aclf_cdisc.compact import compact_column, concat_column, expand_column, held_dataset
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec

LINEAGE = "aclf_cdisc.lineage"  # key in DataFrame.attrs
FILE_COL, ROW_COL = "__file", "__row"  # the raw reader's lineage columns
_SEQ = re.compile(r"^([A-Z]{2})SEQ$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


Held = np.ndarray | pd.Series  # a lineage array, or a text array compacted (aclf_cdisc.compact)


def _coded(values: Held) -> Held:
    """A text array as codes into its distinct values (:func:`aclf_cdisc.compact.compact_column`)
    where they give back exactly these values (text and None only); anything else as it is."""
    if isinstance(values, pd.Series) or values.dtype != object:
        return values
    held = compact_column(pd.Series(values, dtype=object, copy=False))
    return held if isinstance(held.dtype, pd.CategoricalDtype) else values


def _decoded(values: Held) -> np.ndarray:
    return expand_column(values).to_numpy() if isinstance(values, pd.Series) else values


def _joined(parts: Sequence[Held]) -> Held:
    """Lineage arrays end to end: still coded where every part is (:func:`aclf_cdisc.compact.concat_column`)."""
    coded = [p for p in parts if isinstance(p, pd.Series)]
    return concat_column(coded) if len(coded) == len(parts) else np.concatenate([_decoded(p) for p in parts])


class Lineage:
    """Raw file and record per position of one conformed dataset, with its key values as a guard.

    Held as arrays, one slot per record rather than a Python object per record (a study of 20,000
    subjects has 5 M records): ``files`` an object array of the (shared) file names, None where
    unknown; ``rows`` int64, -1 where unknown; ``keys`` each key variable's values as its column
    held them. Pickled (a block's datasets on disk, a dataset spilled to the working folder, a
    worker's result), the text arrays travel as codes into their distinct values (:func:`_coded`)
    and are rebuilt only when read: a reader that maps a spilled dataset to check or write its
    values, not to cite a record, never builds them (at 20,000 subjects they were 80 MB of LB's
    every reading).
    """

    def __init__(self, files: Held, rows: np.ndarray, keys: tuple[tuple[str, Held], ...]) -> None:
        self._files = files
        self.rows = rows
        self._keys = keys

    @cached_property
    def files(self) -> np.ndarray:
        return _decoded(self._files)

    @cached_property
    def keys(self) -> tuple[tuple[str, np.ndarray], ...]:  # (variable, values per position)
        return tuple((name, _decoded(values)) for name, values in self._keys)

    def __reduce__(self) -> tuple[Any, ...]:
        return Lineage, (_coded(self._files), self.rows, tuple((name, _coded(v)) for name, v in self._keys))

    def __deepcopy__(self, memo: dict[int, Any]) -> Lineage:
        return self  # immutable: pandas deep-copies attrs on every operation, this keeps that cheap

    @staticmethod
    def concat(parts: Sequence[Lineage]) -> Lineage:
        """The lineages of frames put one after the other (the same key variables in each), their
        text arrays left coded where every part holds them coded."""
        names = [name for name, _ in parts[0]._keys]
        return Lineage(files=_joined([p._files for p in parts]),
                       rows=np.concatenate([p.rows for p in parts]),
                       keys=tuple((name, _joined([dict(p._keys)[name] for p in parts])) for name in names))

    def source(self, position: int) -> tuple[str, int] | None:
        file, row = self.files[position], int(self.rows[position])
        return (file, row) if file is not None and row >= 0 else None

    def file_list(self) -> list[str | None]:
        return self.files.tolist()

    def row_list(self) -> list[int | None]:
        return [None if row < 0 else row for row in self.rows.tolist()]


def _key_values(column: pd.Series) -> np.ndarray:
    """A key column's values: its own array for text and numbers, else the values as objects."""
    if column.dtype == object or column.dtype.kind in "fiu":
        return column.to_numpy(copy=True)
    return np.asarray(column.tolist(), dtype=object)


def _file_values(column: pd.Series) -> np.ndarray:
    """Each record's raw file name (None when missing), judged per distinct value.

    >>> _file_values(pd.Series(["lb.csv", None, "lb.csv", float("nan")])).tolist()
    ['lb.csv', None, 'lb.csv', None]
    """
    values = column.to_numpy(dtype=object)
    codes, distinct = pd.factorize(values, use_na_sentinel=True)
    if not all(type(name) is str for name in distinct):  # 1 and 1.0 share a code but not a text
        return np.array([None if pd.isna(f) else str(f) for f in values], dtype=object)
    return np.array([*distinct, None], dtype=object)[codes]  # code -1 (missing) takes the last


def _row_values(column: pd.Series) -> np.ndarray:
    """Each record's raw record number (-1 when missing) as int64.

    >>> _row_values(pd.Series([3.0, float("nan"), 7.0])).tolist(), _row_values(pd.Series([2, None, pd.NA])).tolist()
    ([3, -1, 7], [2, -1, -1])
    """
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "iu":
        return column.to_numpy(dtype=np.int64)
    values = pd.to_numeric(column, errors="raise").to_numpy(dtype="float64", na_value=np.nan)  # None, NA: NaN
    return np.where(np.isnan(values), -1, values).astype(np.int64)  # as int() does: toward zero


def make_lineage(frame: pd.DataFrame, keys: Sequence[str]) -> Lineage | None:
    """The lineage of ``frame`` (positions as they are) from its ``__file``/``__row`` columns, or None."""
    if FILE_COL not in frame.columns or ROW_COL not in frame.columns:
        return None
    files, rows = _file_values(frame[FILE_COL]), _row_values(frame[ROW_COL])
    guard = tuple((k, _key_values(frame[k])) for k in keys if k in frame.columns)
    return Lineage(files=files, rows=rows, keys=guard)


def with_lineage(out: pd.DataFrame, lineage: Lineage | None) -> pd.DataFrame:
    """``out`` with ``lineage`` in its attrs (the same frame object; attrs are not data)."""
    if lineage is not None:
        out.attrs[LINEAGE] = lineage
    return out


def lineage_of(frame: pd.DataFrame) -> Lineage | None:
    """The frame's lineage when it still describes this frame (same length and key values), else None."""
    lineage = frame.attrs.get(LINEAGE)
    if not isinstance(lineage, Lineage) or len(lineage.rows) != len(frame):
        return None
    for name, values in lineage.keys:
        if name not in frame.columns or not _same(frame[name], values):
            return None
    return lineage


def _same(column: pd.Series, values: np.ndarray) -> bool:
    """Equal cell by cell, a missing value (None, NaN, NaT) equal to any missing value."""
    now = np.asarray(column.tolist(), dtype=object)
    then = np.asarray(values, dtype=object)
    both_missing = pd.isna(now) & pd.isna(then)
    return bool((both_missing | (now == then)).all())


def record_positions(frame: pd.DataFrame, row: int | str | None) -> list[int]:
    """Positions of the records an Issue's ``row`` names: a 1-based row, or ``K=V, K=V`` key text."""
    if isinstance(row, (int, np.integer)) and not isinstance(row, bool):
        return [int(row) - 1] if 1 <= int(row) <= len(frame) else []
    if not isinstance(row, str) or "=" not in row:
        return []
    keep = np.ones(len(frame), dtype=bool)
    for part in row.split(", "):
        name, _, text = part.partition("=")
        if name not in frame.columns:
            return []
        keep &= _equals(frame[name], text)
    return np.flatnonzero(keep).tolist()


def _equals(values: pd.Series, text: Any) -> np.ndarray:
    """Cells of ``values`` equal to ``text`` (numbers by value, dates by ISO date, else as text)."""
    if text is None:
        return np.zeros(len(values), dtype=bool)
    if pd.api.types.is_numeric_dtype(values):
        number = pd.to_numeric(pd.Series([text]), errors="coerce").iloc[0]
        return (values == number).to_numpy(dtype=bool) if pd.notna(number) else np.zeros(len(values), dtype=bool)
    if pd.api.types.is_datetime64_any_dtype(values):
        stamp = pd.to_datetime(pd.Series([str(text)]), errors="coerce").iloc[0]
        return (values == stamp).to_numpy(dtype=bool) if pd.notna(stamp) else np.zeros(len(values), dtype=bool)
    wanted = text.date().isoformat() if isinstance(text, pd.Timestamp) else str(text)
    cells = values.astype("string")
    same = cells == wanted
    if _ISO_DATE.match(wanted):  # a date names the ISO datetimes of that day too
        same |= cells.str.startswith(wanted + "T")
    return same.fillna(False).to_numpy(dtype=bool)


def _one(sources: list[tuple[str, int]]) -> tuple[str, int] | None:
    distinct = sorted(set(sources))
    return distinct[0] if len(distinct) == 1 else None


def _by_own_lineage(frame: pd.DataFrame, lineage: Lineage, positions: list[int],
                    issue: Issue) -> tuple[str, int] | None:
    if len(positions) > 1 and issue.column in frame.columns and issue.value is not None:
        matching = set(np.flatnonzero(_equals(frame[issue.column], issue.value)).tolist())
        positions = [p for p in positions if p in matching]
    found = [s for p in positions if (s := lineage.source(p)) is not None]
    return _one(found)


class _Traced:
    """The datasets an Issue may name, read only when an Issue needs one, and each lineage checked
    once. A compacted store (:mod:`aclf_cdisc.compact`) rebuilds a dataset on every read, and the
    lineage is on the dataset as held: so Issues that cite a raw record already (most) read
    nothing, and consecutive Issues of one dataset read it once (the last one read is kept, never
    more: a study's datasets rebuilt at once would not fit where a large study is built)."""

    def __init__(self, datasets: Mapping[str, pd.DataFrame]) -> None:
        self._datasets = datasets
        self._frames: dict[str, pd.DataFrame | None] = {}  # the last dataset read
        self._lineages: dict[str, Lineage | None] = {}

    def names(self) -> list[str]:
        return sorted(self._datasets)

    def frame(self, name: str) -> pd.DataFrame | None:
        if name not in self._frames:
            self._frames = {name: self._datasets.get(name)}
        return self._frames[name]

    def lineage(self, name: str) -> Lineage | None:
        if name not in self._lineages:
            self._lineages[name] = lineage_of(held_dataset(self._datasets, name)) if name in self._datasets else None
        return self._lineages[name]


def _by_seq(frame: pd.DataFrame, positions: list[int], traced: _Traced) -> tuple[str, int] | None:
    """Through a ``--SEQ`` the records carry (ADAE.AESEQ -> AE) to an SDTM record with lineage."""
    if "USUBJID" not in frame.columns:
        return None
    for column in frame.columns:
        match = _SEQ.match(str(column))
        parent = traced.frame(match.group(1)) if match else None
        lineage = traced.lineage(match.group(1)) if match else None
        if parent is None or lineage is None or column not in parent.columns:
            continue
        found = []
        for p in positions:
            key = f"USUBJID={frame['USUBJID'].iloc[p]}, {column}={frame[column].iloc[p]}"
            found += [s for q in record_positions(parent, key) if (s := lineage.source(q)) is not None]
        if found:
            return _one(found)
    return None


def _subjects(frame: pd.DataFrame | None, positions: list[int], row: int | str | None) -> list[str]:
    if frame is not None and "USUBJID" in frame.columns and positions:
        return sorted({str(frame["USUBJID"].iloc[p]) for p in positions})
    match = re.match(r"^USUBJID=([^,]+)", row) if isinstance(row, str) else None
    return [match.group(1)] if match else []


def traceable(spec: Spec | None, dataset: str, variable: str, file: str) -> bool:
    """Whether a value of ``dataset.variable`` on a record read from raw ``file`` came from that file.

    Per the spec: a variable mapped from a raw column came from that column's form; a derived one
    did not; an unmapped one did, unless a record gathers several forms (one record per subject, DM).
    """
    if spec is None or dataset not in spec.datasets:
        return False
    ds = spec.datasets[dataset]
    var = next((v for v in ds.variables if v.name == variable), None)
    if var is None:
        return False
    mapping = var.mapping
    if mapping is not None and mapping.source:
        return mapping.source.split(".", 1)[0] == file.rsplit(".", 1)[0].lower()
    if mapping is not None and mapping.rule == "derive":
        return False
    return not (ds.structure or "").lower().startswith("one record per subject")


def _by_value(subjects: list[str], issue: Issue, traced: _Traced, spec: Spec | None) -> tuple[str, int] | None:
    """The one raw record behind the subject's SDTM records (datasets with lineage) holding the Issue's
    value in a variable read from that record (:func:`traceable`); None when none or several do."""
    if issue.value is None or len(subjects) != 1 or spec is None:
        return None
    found: list[tuple[str, int]] = []
    for name in traced.names():
        frame, lineage = traced.frame(name), traced.lineage(name)
        if frame is None or lineage is None or "USUBJID" not in frame.columns:
            continue
        mine = np.flatnonzero((frame["USUBJID"] == subjects[0]).to_numpy(dtype=bool))
        records = frame.iloc[mine]
        for column in [c for c in frame.columns if c != "USUBJID"]:
            for p in mine[_equals(records[column], issue.value)].tolist():
                source = lineage.source(p)
                if source is not None and traceable(spec, name, str(column), source[0]):
                    found.append(source)
    return _one(found)


def _subject_dm(subjects: list[str], traced: _Traced) -> tuple[str, int] | None:
    dm, lineage = traced.frame("DM"), traced.lineage("DM")
    if dm is None or lineage is None or len(subjects) != 1:
        return None
    return _one([s for p in record_positions(dm, f"USUBJID={subjects[0]}") if (s := lineage.source(p)) is not None])


def source_of(issue: Issue, datasets: Mapping[str, pd.DataFrame],
              spec: Spec | None = None) -> tuple[str, int, str] | None:
    """(raw file, raw row, how it was traced) for an Issue naming a dataset record, or None."""
    return _source_of(issue, _Traced(datasets), spec)


def _source_of(issue: Issue, traced: _Traced, spec: Spec | None) -> tuple[str, int, str] | None:
    frame = traced.frame(issue.dataset) if issue.dataset else None
    subjects = _subjects(None, [], issue.row)
    if frame is not None:
        positions = record_positions(frame, issue.row)
        subjects = _subjects(frame, positions, issue.row)
        lineage = traced.lineage(str(issue.dataset))
        if lineage is not None and positions:
            found = _by_own_lineage(frame, lineage, positions, issue)
            return (*found, "record") if found else None
        if positions and (found := _by_seq(frame, positions, traced)):
            return (*found, "record")
    if found := _by_value(subjects, issue, traced, spec):
        return (*found, "value")
    if found := _subject_dm(subjects, traced):
        return (*found, "subject")
    return None


_TRACED = {"record": "raw record of {where}", "value": "raw record holding this value ({where})",
           "subject": "subject's demographics record ({where})"}


def cite_source(issue: Issue, datasets: Mapping[str, pd.DataFrame], spec: Spec | None = None) -> Issue:
    """``issue`` with ``file``/``row`` naming the raw record behind it; unchanged when it has a file already
    or nothing traces it. The dataset record it named is kept in the message."""
    return _cite(issue, _Traced(datasets), spec)


def _cite(issue: Issue, traced: _Traced, spec: Spec | None) -> Issue:
    if issue.file is not None or issue.dataset is None or (issue.row is None and issue.value is None):
        return issue
    found = _source_of(issue, traced, spec)
    if found is None:
        return issue
    file, row, how = found
    where = f"{issue.dataset} {issue.row}" if issue.row is not None else issue.dataset
    message = f"{issue.message} [{_TRACED[how].format(where=where)}]"
    return dataclasses.replace(issue, file=file, row=row, message=message)


def cite_sources(issues: Sequence[Issue], datasets: Mapping[str, pd.DataFrame],
                 spec: Spec | None = None) -> list[Issue]:
    """:func:`cite_source` for each Issue (``spec`` lets a value be traced, see :func:`traceable`);
    each dataset's lineage is checked once."""
    if not issues:
        return []
    traced = _Traced(datasets)
    return [_cite(issue, traced, spec) for issue in issues]
