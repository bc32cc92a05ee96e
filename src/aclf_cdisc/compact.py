"""Finished datasets held compactly between the blocks and the writers, read back unchanged.

A study built in blocks (:mod:`aclf_cdisc.package.blocks`) keeps every finished dataset in memory
until the package is written. As object columns, each text cell is a pointer to a Python string:
about 60 bytes a cell at this study's density, and reading a column touches the reference count
of every string it holds, so a forked worker that scans a dataset (a check, an XPT file, the
analysis page) copies the memory pages it reads instead of sharing them.

Held compactly, a text column is its distinct strings once plus one small integer code per record
(a pandas Categorical whose categories are the strings, in order of first appearance). A block is
compacted on its worker before it is sent back (less to pickle), the blocks are joined code by
code, and a reader gets the dataset exactly as it was built: :class:`CompactDatasets` is a
read-only mapping that rebuilds the object columns of a dataset when it is asked for it (str
values, None for missing, the same ``attrs``), so no stage knows the difference and no byte of
output changes. Only text columns that hold nothing but str and None are compacted, and float64
and datetime64 columns of at most :data:`MAX_NUMBER_CODES` distinct values that come back bit for
bit (no -0.0, no NaN but the canonical one); any other column is kept as it is.

>>> frame = pd.DataFrame({"LBTESTCD": ["ALB", "ALB", None], "LBSTRESN": [30.0, 31.0, float("nan")]},
...                      dtype=object).astype({"LBSTRESN": "float64"})
>>> small = compact_frame(frame)
>>> small["LBTESTCD"].cat.categories.tolist(), small["LBTESTCD"].cat.codes.tolist()
(['ALB'], [0, 0, -1])
>>> expand_frame(small)["LBTESTCD"].tolist()
['ALB', 'ALB', None]
>>> expand_frame(small).equals(frame)
True
"""

from __future__ import annotations

import mmap
import pickle
import struct
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def _is_text(values: np.ndarray, codes: np.ndarray, distinct: np.ndarray, missing: float | None) -> bool:
    """Every distinct value a str and every missing cell ``missing`` (None, or a float NaN): any
    other missing value (NA, or the other of the two) would not come back."""
    if not all(type(value) is str for value in distinct):
        return False
    absent = values[codes < 0]
    if missing is None:
        return bool((absent == None).all())  # noqa: E711 (elementwise identity with None)
    return all(type(value) is float and value != value for value in pd.unique(absent))


MAX_NUMBER_CODES = 32_767  # a number column with more distinct values is kept as it is (codes would not be 2 bytes)
_CANONICAL_NAN = np.array([np.nan]).view(np.uint64)[0]


def _codes_numbers(values: np.ndarray) -> bool:
    """A float64 or datetime64 column whose values come back bit for bit from a Categorical: no
    -0.0 (it would merge with 0.0), every NaN the canonical one, few distinct values."""
    if values.dtype.kind == "f":
        if values.dtype != np.float64 or bool((np.signbit(values) & (values == 0)).any()):
            return False
        nan = np.isnan(values)
        if nan.any() and not bool((values[nan].view(np.uint64) == _CANONICAL_NAN).all()):
            return False
    elif values.dtype.kind != "M":
        return False
    return len(pd.unique(values)) <= MAX_NUMBER_CODES


def compact_column(column: pd.Series, *, missing: float | None = None) -> pd.Series:
    """A text column as a Categorical of its distinct strings (first-appearance order), a float64 or
    datetime64 column of few distinct values as a Categorical of them; any other column itself.

    A text column's missing cells must all be ``missing``: None (a built dataset's), or NaN (a raw
    form's blank, :mod:`aclf_cdisc.raw`); :func:`expand_column` must be given the same.

    >>> compact_column(pd.Series(["b", "a", "b"], dtype=object)).cat.codes.tolist()
    [0, 1, 0]
    >>> compact_column(pd.Series(["a", float("nan")], dtype=object)).dtype  # NaN is not None: kept
    dtype('O')
    >>> compact_column(pd.Series([2.5, float("nan"), 2.5])).cat.codes.tolist()
    [0, -1, 0]
    >>> compact_column(pd.Series([0.0, -0.0])).dtype  # -0.0 would come back as 0.0: kept
    dtype('float64')
    >>> raw = compact_column(pd.Series(["a", float("nan")], dtype=object), missing=float("nan"))
    >>> raw.cat.codes.tolist(), expand_column(raw, missing=float("nan")).tolist()
    ([0, -1], ['a', nan])
    """
    if column.dtype.kind in "fM" and isinstance(column.dtype, np.dtype):
        values = column.to_numpy()
        if not _codes_numbers(values):
            return column
        return pd.Series(pd.Categorical(values), index=column.index, name=column.name, copy=False)
    if column.dtype != object:
        return column
    values = column.to_numpy()
    codes, distinct = pd.factorize(values)
    if not _is_text(values, codes, distinct, missing):
        return column
    categories = pd.Index(distinct, dtype=object)
    return pd.Series(pd.Categorical.from_codes(codes, categories=categories), index=column.index,
                     name=column.name, copy=False)


def expand_column(column: pd.Series, *, missing: float | None = None) -> pd.Series:
    """A compacted column as the column it was: text as objects (``missing`` where the code is -1:
    None, or NaN for a raw form), numbers and dates as float64 or datetime64 (NaN or NaT where the
    code is -1); else itself."""
    if not isinstance(column.dtype, pd.CategoricalDtype):
        return column
    categories = column.cat.categories
    if categories.dtype != object:
        numbers = categories.to_numpy()
        table = np.append(numbers, np.array([np.nan if numbers.dtype.kind == "f" else "NaT"], dtype=numbers.dtype))
        return pd.Series(table.take(column.cat.codes.to_numpy()), index=column.index, name=column.name,
                         copy=False)
    strings = np.empty(len(categories) + 1, dtype=object)
    strings[:-1] = categories.to_numpy(dtype=object)
    strings[-1] = missing  # code -1 takes the last slot
    return pd.Series(strings.take(column.cat.codes.to_numpy()), index=column.index, name=column.name,
                     dtype=object, copy=False)


def _rebuilt(frame: pd.DataFrame, columns: dict[str, pd.Series]) -> pd.DataFrame:
    out = pd.DataFrame(columns, index=frame.index, copy=False)
    out.attrs = dict(frame.attrs)
    return out


def compact_frame(frame: pd.DataFrame, *, missing: float | None = None) -> pd.DataFrame:
    """``frame`` with its text columns compacted (:func:`compact_column`); ``attrs`` kept."""
    return _rebuilt(frame, {name: compact_column(frame[name], missing=missing) for name in frame.columns})


def expand_frame(frame: pd.DataFrame, *, missing: float | None = None) -> pd.DataFrame:
    """``frame`` with its compacted columns back as object columns; ``frame`` itself if it has none."""
    if not any(isinstance(dtype, pd.CategoricalDtype) for dtype in frame.dtypes):
        return frame
    return _rebuilt(frame, {name: expand_column(frame[name], missing=missing) for name in frame.columns})


def _concat_categorical(parts: Sequence[pd.Series]) -> pd.Series:
    """Compacted columns joined end to end: one set of categories, every part's codes renumbered."""
    # every part's categories numbered together, once: the merged ones in order of first appearance
    numbers, distinct = pd.factorize(np.concatenate([p.cat.categories.to_numpy() for p in parts]))
    merged = pd.Index(distinct, dtype=parts[0].cat.categories.dtype)
    codes, start = [], 0
    for part in parts:
        stop = start + len(part.cat.categories)
        renumber = np.append(numbers[start:stop], -1)  # code -1 stays -1
        codes.append(renumber.take(part.cat.codes.to_numpy()))
        start = stop
    return pd.Series(pd.Categorical.from_codes(np.concatenate(codes) if codes else np.array([], dtype=np.int64),
                                               categories=merged), copy=False)


def concat_compact(parts: Sequence[pd.DataFrame]) -> pd.DataFrame:
    """The parts end to end, as ``pd.concat(..., ignore_index=True)`` would join their expanded forms.

    Columns compacted in every part are joined as codes; any other column is joined as it is
    (a column compacted in some parts only is expanded first). ``attrs`` are not carried.

    >>> a = compact_frame(pd.DataFrame({"X": ["p", None]}, dtype=object))
    >>> b = compact_frame(pd.DataFrame({"X": ["q", "p"]}, dtype=object))
    >>> expand_frame(concat_compact([a, b]))["X"].tolist()
    ['p', None, 'q', 'p']
    """
    return concat_columns([{str(c): part[c] for c in part.columns} for part in parts],
                          [str(c) for c in parts[0].columns], sum(len(part) for part in parts))


def concat_columns(parts: list[dict[str, pd.Series]], names: Sequence[str], records: int) -> pd.DataFrame:
    """:func:`concat_compact` of parts given as their columns by name, joined one variable at a
    time: each part's column is taken out of its dict as it is joined, so a caller that holds
    nothing else of the parts holds each column only until it is joined, never the parts and the
    whole result at once. ``records``: the parts' records together."""
    columns: dict[str, pd.Series] = {}
    for name in names:
        series = [part.pop(name) for part in parts]
        columns[name] = concat_column(series)
        del series
    return pd.DataFrame(columns, index=pd.RangeIndex(records), copy=False)


def concat_column(parts: Sequence[pd.Series]) -> pd.Series:
    """Columns joined end to end: compacted still when every part is compacted alike (one set of
    categories), else rebuilt (a compacted part's values as the column it stands for).

    >>> a, b = compact_column(pd.Series(["p", None], dtype=object)), compact_column(pd.Series(["q", "p"], dtype=object))
    >>> joined = concat_column([a, b])
    >>> joined.cat.codes.tolist(), expand_column(joined).tolist()
    ([0, -1, 1, 0], ['p', None, 'q', 'p'])
    """
    if all(isinstance(s.dtype, pd.CategoricalDtype) for s in parts) and \
            len({s.cat.categories.dtype for s in parts}) == 1:
        return _concat_categorical(parts)
    return pd.concat([expand_column(s) for s in parts], ignore_index=True)


SMALL_CELLS = 10_000_000  # a dataset of fewer cells is held as built (80 MB of pointers at most): rebuilding
                          # it on every read would cost more time than its compaction saves memory


def distinct_of(column: pd.Series) -> np.ndarray:
    """The distinct values of a column without reading its records where it is compacted (its
    categories: no missing value among them), else each value once (missing ones included).

    >>> distinct_of(compact_column(pd.Series(["b", None, "b"], dtype=object))).tolist()
    ['b']
    >>> distinct_of(pd.Series(["b", None, "b"], dtype=object)).tolist()
    ['b', None]
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.categories.to_numpy()
    return pd.unique(column.to_numpy())


def coded(column: pd.Series) -> tuple[np.ndarray, list[Any]]:
    """(codes, distinct values): each record as the number of its value among the column's distinct
    values (-1: missing); a compacted column's own codes and categories, nothing rebuilt.

    >>> codes, distinct = coded(compact_column(pd.Series(["b", None, "a", "b"], dtype=object)))
    >>> codes.tolist(), distinct
    ([0, -1, 1, 0], ['b', 'a'])
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(), column.cat.categories.tolist()
    codes, uniques = pd.factorize(column.to_numpy(dtype=object))
    return codes, list(uniques)


def kept_compacted(frame: pd.DataFrame) -> bool:
    """Whether :class:`CompactDatasets` keeps ``frame`` compacted (else it holds it as built:
    fewer than :data:`SMALL_CELLS` cells)."""
    return frame.size >= SMALL_CELLS


@dataclass(frozen=True)
class SpilledFrame:
    """A compacted frame written to a file (:func:`spill_frame`) and mapped back on each read
    (:func:`mapped_frame`), with what is asked of it without reading it."""

    path: Path
    records: int
    columns: tuple[str, ...]


_HEADER = struct.Struct("<QQ")  # where the pickled frame (its arrays left out) starts, and its length
_ALIGN = 64


def spill_frame(frame: pd.DataFrame, path: Path) -> SpilledFrame:
    """Write ``frame`` (``attrs`` included) to ``path``: its arrays (codes, numbers, the lineage)
    as they are in memory, each at an aligned offset, then the rest of the frame pickled.

    The arrays are pickle's out-of-band buffers (protocol 5), so reading the file back maps them
    instead of copying them: a reader's pages come from the file and leave with the reader.
    """
    buffers: list[pickle.PickleBuffer] = []
    head = pickle.dumps(frame, protocol=5, buffer_callback=buffers.append)
    offsets: list[tuple[int, int]] = []
    with path.open("wb") as out:
        out.write(bytes(_ALIGN))  # the header, written last
        position = _ALIGN
        for buffer in buffers:
            raw = buffer.raw()
            padding = -position % _ALIGN
            out.write(bytes(padding))
            position += padding
            offsets.append((position, raw.nbytes))
            out.write(raw)
            position += raw.nbytes
        rest = pickle.dumps((head, offsets), protocol=5)
        out.write(rest)
        out.seek(0)
        out.write(_HEADER.pack(position, len(rest)))
    return SpilledFrame(path, len(frame), tuple(str(c) for c in frame.columns))


def mapped_frame(spilled: SpilledFrame) -> pd.DataFrame:
    """The frame :func:`spill_frame` wrote, its arrays mapped read-only from the file (no copy)."""
    with spilled.path.open("rb") as source:
        mapped = mmap.mmap(source.fileno(), 0, access=mmap.ACCESS_READ)
    view = memoryview(mapped)
    start, length = _HEADER.unpack_from(view, 0)
    head, offsets = pickle.loads(view[start:start + length])  # written by this build, in its own folder
    frame: pd.DataFrame = pickle.loads(head, buffers=[view[offset:offset + size] for offset, size in offsets])
    return frame


class CompactDatasets(Mapping[str, pd.DataFrame]):
    """Datasets by name, stored compacted, each read back as the frame it was built as.

    Every read rebuilds the dataset's object columns (a reader may drop it as soon as it is done,
    so the whole study is never held as objects at once); a dataset of fewer than
    :data:`SMALL_CELLS` cells is rebuilt once, here, and held as built (the trial design, and the
    subject-level datasets of a small study). A dataset given as a :class:`SpilledFrame` stays in
    its file and is mapped back on each read, so the build holds only what its readers read.
    :meth:`records` counts records without rebuilding anything.

    >>> store = CompactDatasets({"DM": compact_frame(pd.DataFrame({"SEX": ["F", "M"]}, dtype=object))})
    >>> store["DM"]["SEX"].tolist(), store.records("DM"), list(store)
    (['F', 'M'], 2, ['DM'])
    """

    def __init__(self, frames: Mapping[str, pd.DataFrame | SpilledFrame]) -> None:
        self._frames = {name: frame if isinstance(frame, SpilledFrame) else
                        frame if kept_compacted(frame) else expand_frame(frame)
                        for name, frame in frames.items()}
        self._mapped: tuple[str, pd.DataFrame] | None = None  # the spilled dataset read last, still mapped

    def __getitem__(self, name: str) -> pd.DataFrame:
        return expand_frame(self.stored(name))

    def __contains__(self, name: object) -> bool:  # Mapping's own would rebuild the dataset to look
        return name in self._frames

    def __iter__(self) -> Iterator[str]:
        return iter(self._frames)

    def __len__(self) -> int:
        return len(self._frames)

    def records(self, name: str) -> int:
        held = self._frames[name]
        return held.records if isinstance(held, SpilledFrame) else len(held)

    def columns(self, name: str) -> list[str]:
        """The dataset's variables, in order, without reading it."""
        held = self._frames[name]
        return list(held.columns)

    def select(self, name: str, columns: Iterable[str]) -> pd.DataFrame:
        """The dataset's ``columns`` (those it has, in its order), rebuilding no other column."""
        return expand_frame(_subset(self.stored(name), columns))

    def stored(self, name: str) -> pd.DataFrame:
        """The compacted frame itself (categorical text columns), for readers that work on codes.

        A spilled dataset stays mapped until another one is read: readers that take a dataset a
        block of records at a time get the same frame (the same categories) for every block,
        and only one spilled dataset is mapped at a time.
        """
        held = self._frames[name]
        if not isinstance(held, SpilledFrame):
            return held
        if self._mapped is None or self._mapped[0] != name:
            self._mapped = None  # unmapped before the next is mapped
            self._mapped = (name, mapped_frame(held))
        return self._mapped[1]


def held_dataset(datasets: Mapping[str, pd.DataFrame], name: str) -> pd.DataFrame:
    """The dataset as the mapping holds it: a compacted one is not rebuilt. Its shape and variable
    names are those of the built frame; its text, and its numbers and dates of few distinct
    values, are coded (one Categorical per column, every category a value that occurs, missing
    values code -1), so equal values have equal codes: for readers that only compare values for
    equality, at no rebuilding cost."""
    return datasets.stored(name) if isinstance(datasets, CompactDatasets) else datasets[name]


def held_column(datasets: Mapping[str, pd.DataFrame], name: str, variable: str) -> pd.Series | None:
    """One variable of one dataset as the mapping holds it (:func:`held_dataset`: a compacted
    column stays coded, its categories the distinct values), or None if the dataset lacks it: for
    readers that want distinct values or compare values for equality.

    >>> store = {"DM": pd.DataFrame({"SEX": ["F", "M", "F"]})}
    >>> held_column(store, "DM", "SEX").unique().tolist(), held_column(store, "DM", "AGE")
    (['F', 'M'], None)
    """
    held = held_dataset(datasets, name)
    return held[variable] if variable in held.columns else None


def _subset(frame: pd.DataFrame, columns: Iterable[str]) -> pd.DataFrame:
    wanted = set(columns)
    return frame[[c for c in frame.columns if c in wanted]]


def dataset_cells(datasets: Mapping[str, pd.DataFrame], name: str) -> int:
    """Records times variables of one dataset (``DataFrame.size``), without rebuilding it.

    >>> dataset_cells({"DM": pd.DataFrame({"A": [1, 2], "B": [3, 4]})}, "DM")
    4
    """
    if isinstance(datasets, CompactDatasets):
        return datasets.records(name) * len(datasets.columns(name))
    return int(datasets[name].size)


def dataset_columns(datasets: Mapping[str, pd.DataFrame], name: str) -> list[str]:
    """The variables of one dataset, without rebuilding a compacted one."""
    if isinstance(datasets, CompactDatasets):
        return datasets.columns(name)
    return list(datasets[name].columns)


def read_columns(datasets: Mapping[str, pd.DataFrame], name: str, columns: Iterable[str]) -> pd.DataFrame:
    """Only ``columns`` of one dataset (those it has, in its order): a compacted one rebuilds just those.

    >>> read_columns({"LB": pd.DataFrame({"A": [1], "B": [2], "C": [3]})}, "LB", ["C", "A", "Z"]).columns.tolist()
    ['A', 'C']
    """
    if isinstance(datasets, CompactDatasets):
        return datasets.select(name, columns)
    return _subset(datasets[name], columns)


def read_records(datasets: Mapping[str, pd.DataFrame], name: str, columns: Iterable[str],
                 keep: Callable[[pd.DataFrame], Any]) -> pd.DataFrame:
    """Only ``columns`` of one dataset (those it has, in its order), and only the records where
    ``keep`` (given those columns as held) is true, with their index labels: a compacted dataset
    rebuilds just those cells. ``keep`` must read codes as it reads values: comparisons by ``==``
    and ``isin`` with text or numbers, ``isna`` and ``notna`` do.

    >>> lb = {"LB": pd.DataFrame({"A": ["x", "y", "x"], "B": [1.0, 2.0, 3.0], "C": [4, 5, 6]})}
    >>> read_records(lb, "LB", ["B", "A"], lambda held: held["A"] == "x")
       A    B
    0  x  1.0
    2  x  3.0
    """
    return expand_frame(held_records(datasets, name, columns, keep))


def held_records(datasets: Mapping[str, pd.DataFrame], name: str, columns: Iterable[str],
                 keep: Callable[[pd.DataFrame], Any]) -> pd.DataFrame:
    """:func:`read_records` with nothing rebuilt: the records as the mapping holds them
    (:func:`held_dataset`), for a reader that groups or compares values (codes group as values do).

    >>> lb = {"LB": pd.DataFrame({"A": ["x", "y", "x"], "B": [1.0, 2.0, 3.0]})}
    >>> held_records(lb, "LB", ["A"], lambda held: held["A"] == "x").index.tolist()
    [0, 2]
    """
    held = _subset(held_dataset(datasets, name), columns)
    return held[np.asarray(keep(held), dtype=bool)]


def read_column(datasets: Mapping[str, pd.DataFrame], name: str, variable: str) -> pd.Series | None:
    """One variable of one dataset (None if the dataset has no such variable), nothing else rebuilt.

    >>> dm = {"DM": pd.DataFrame({"AGE": [34.0]})}
    >>> read_column(dm, "DM", "AGE").tolist(), read_column(dm, "DM", "SEX")
    ([34.0], None)
    """
    column = held_column(datasets, name, variable)
    return None if column is None else expand_column(column)


def read_rows(datasets: Mapping[str, pd.DataFrame], name: str, start: int, stop: int) -> pd.DataFrame:
    """Records ``start`` to ``stop`` (0-based, stop excluded) of one dataset, every variable: a
    compacted one rebuilds just those records.

    >>> read_rows({"LB": pd.DataFrame({"A": [1, 2, 3]})}, "LB", 1, 3)["A"].tolist()
    [2, 3]
    """
    if isinstance(datasets, CompactDatasets):
        return expand_frame(datasets.stored(name).iloc[start:stop])
    return datasets[name].iloc[start:stop]


def held_rows(datasets: Mapping[str, pd.DataFrame], name: str, start: int, stop: int) -> pd.DataFrame:
    """Records ``start`` to ``stop`` of one dataset as the mapping holds them (:func:`held_dataset`):
    nothing rebuilt, for a reader that takes compacted columns (the XPT writer).

    >>> held_rows({"LB": pd.DataFrame({"A": [1, 2, 3]})}, "LB", 1, 3)["A"].tolist()
    [2, 3]
    """
    return held_dataset(datasets, name).iloc[start:stop]


def record_counts(datasets: Mapping[str, pd.DataFrame]) -> dict[str, int]:
    """Records per dataset, without rebuilding a compacted one.

    >>> record_counts({"DM": pd.DataFrame({"A": [1, 2]})})
    {'DM': 2}
    """
    if isinstance(datasets, CompactDatasets):
        return {name: datasets.records(name) for name in datasets}
    return {name: len(datasets[name]) for name in datasets}
