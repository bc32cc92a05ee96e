"""A data column read once per distinct value: code texts, byte lengths and numbers for the define.

The define takes several statistics from each column and from the subsets of rows value-level
where clauses select: the coded values found (CodeList terms, ``define.data-ct-value``), the
longest value in bytes (text Length) and the numbers held (integer/float Length and
SignificantDigits). :class:`DistinctColumn` factorizes a column once; each statistic is then
computed once per distinct value and gathered for the whole column or for any subset of rows
(:class:`DistinctValues`) by its codes, so no statistic walks the rows in Python and no where
clause factorizes the column again. Every statistic equals the value-by-value one
(:func:`code_text`, :func:`char_length`, :func:`aclf_cdisc.define.lengths.finite_numbers`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from aclf_cdisc.compact import expand_column
from aclf_cdisc.define.lengths import finite_numbers


def code_text(value: Any) -> str | None:
    """A data value as the text a CodeList CodedValue holds (1.0 -> "1"); None when missing.

    >>> code_text(1.0), code_text(2.5), code_text("  "), code_text("Y")
    ('1', '2.5', None, 'Y')
    """
    if value is None:
        return None
    if isinstance(value, float):
        if pd.isna(value):
            return None
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    text = str(value)
    if text.strip() == "" or text == "nan":
        return None
    return text


def value_bytes(value: Any) -> int:
    """Bytes of one value in an XPT character column (0 for None and NaN).

    >>> value_bytes("Ä1"), value_bytes(None), value_bytes(float("nan"))
    (3, 0, 0)
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return 0
    return len(str(value).encode("utf-8"))


def char_length(values: Iterable[Any]) -> int:
    """The XPT length of a character column: longest value in bytes, at least 1.

    >>> char_length(pd.Series(["A", "ÄBC", None]))
    4
    >>> char_length([])
    1
    """
    if isinstance(values, pd.Series):
        return DistinctColumn(values).everything().char_length()
    return max([1, *(value_bytes(v) for v in values)])


#: Types of missing value each of which code_text always reads the same way (None, NaN: None;
#: pd.NA: "<NA>"; NaT: "NaT").
_MISSING_KINDS = frozenset({type(None), float, np.float64, type(pd.NA), type(pd.NaT)})
_NONE = np.array(None, dtype=object)


@dataclass(frozen=True)
class Factorized:
    """A column as ``codes`` into its distinct values: row i holds ``uniques[codes[i]]``, code -1
    standing for ``missing`` (one of the column's missing values; all of them read alike).
    ``per_row``: the column could not be factorized safely and each row is its own value."""

    codes: np.ndarray
    uniques: list[Any]
    missing: Any = None
    per_row: bool = False


def _missing_representative(absent: np.ndarray) -> tuple[bool, Any]:
    """(usable, one of them): usable when the missing values ``absent`` are all of kinds
    :func:`code_text` reads alike (and :func:`value_bytes` counts alike)."""
    if len(absent) == 0 or np.equal(absent, _NONE).all():  # the usual case, checked in C
        return True, None
    first_of_kind = pd.Series(np.frompyfunc(type, 1, 1)(absent)).drop_duplicates()
    if not set(first_of_kind) <= _MISSING_KINDS:
        return False, None
    kinds = absent[first_of_kind.index]
    if len({code_text(value) for value in kinds}) != 1:
        return False, None
    return True, kinds[0]


def _factorize_text(values: pd.Series) -> Factorized | None:
    """Text (object or string column) factorized, or None when it is not all text or its missing
    values do not all read alike."""
    array = values.to_numpy(dtype=object)
    if not isinstance(values.dtype, pd.StringDtype) and pd.api.types.infer_dtype(array, skipna=True) != "string":
        return None  # a string column holds text by construction: no need to look
    codes, uniques = pd.factorize(array)
    codes = np.asarray(codes)
    usable, missing = _missing_representative(array[codes == -1])
    return Factorized(codes, list(uniques), missing) if usable else None


def _factorize_held_text(values: pd.Series) -> Factorized | None:
    """A compacted text column (:mod:`aclf_cdisc.compact`: str categories, None where the code is
    -1) factorized by its own codes, as :func:`factorize_column` factorizes the text, when it
    holds text and its categories are every value it holds in order of first appearance (as
    ``pd.factorize`` gives them); else None.

    >>> from aclf_cdisc.compact import compact_column
    >>> f = _factorize_held_text(compact_column(pd.Series(["B", None, "A", "B"], dtype=object)))
    >>> f.codes.tolist(), f.uniques, f.missing
    ([0, -1, 1, 0], ['B', 'A'], None)
    """
    categories = values.cat.categories
    if categories.dtype != object or not len(categories):  # no text at all: factorize_column's own way
        return None
    codes = values.cat.codes.to_numpy()
    if not np.array_equal(pd.unique(codes[codes >= 0]), np.arange(len(categories))):
        return None
    return Factorized(codes, categories.tolist(), None)


def _factorize_held_numbers(values: pd.Series) -> Factorized | None:
    """A compacted float64 or datetime64 column (:mod:`aclf_cdisc.compact`: its distinct values as
    sorted categories, NaN or NaT where the code is -1) factorized by its own codes, as
    :func:`factorize_column` factorizes the numbers or dates it stands for: the values in order of
    first appearance, the missing ones code -1 (NaT kept as the dates' missing value, which reads
    "NaT"); else None. No row is rebuilt (at 100,000 subjects a rebuilt ADLB column is 94 MB).

    >>> from aclf_cdisc.compact import compact_column
    >>> f = _factorize_held_numbers(compact_column(pd.Series([2.5, float("nan"), 1.0, 2.5])))
    >>> f.codes.tolist(), f.uniques, f.missing
    ([0, -1, 1, 0], [2.5, 1.0], None)
    """
    categories = values.cat.categories
    if not (categories.dtype == np.float64 or categories.dtype.kind == "M"):
        return None
    codes = values.cat.codes.to_numpy()
    order = pd.unique(codes[codes >= 0])
    position = np.full(len(categories) + 1, -1, dtype=np.int32)  # the last slot: code -1 stays -1
    position[order] = np.arange(len(order), dtype=np.int32)
    uniques = categories.take(order)
    if categories.dtype.kind == "M":
        return Factorized(position[codes], list(uniques), pd.NaT)
    return Factorized(position[codes], uniques.tolist(), None)


def factorize_column(values: pd.Series) -> Factorized:
    """``values`` factorized so that equal values always share every statistic.

    Numbers of a numpy column and text (object or string columns) whose missing values read
    alike are factorized; anything else (e.g. 1 and True, which compare equal but read
    differently) gets one code per row. A compacted column (:mod:`aclf_cdisc.compact`) gives
    the codes of the text it stands for from its own, without rebuilding the text.

    >>> f = factorize_column(pd.Series(["B", "A", "B", None]))
    >>> f.codes.tolist(), f.uniques
    ([0, 1, 0, -1], ['B', 'A'])
    >>> factorize_column(pd.Series([1, True], dtype=object)).per_row
    True
    """
    if isinstance(values.dtype, pd.CategoricalDtype):
        held = _factorize_held_text(values) or _factorize_held_numbers(values)
        if held is not None:
            return held
        values = expand_column(values)
    dtype = values.dtype
    if is_numeric_dtype(dtype):
        # what iterating or mapping a numeric column hands over: Python numbers
        codes, uniques = pd.factorize(values.to_numpy())
        return Factorized(np.asarray(codes), uniques.tolist(), None)
    if isinstance(dtype, np.dtype) and dtype.kind == "M":
        # dates: what iterating them hands over, Timestamps; NaT (which reads "NaT") for code -1
        codes, uniques = pd.factorize(values.to_numpy())
        return Factorized(np.asarray(codes), list(pd.Series(uniques)), pd.NaT)
    if len(values) and (pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype)):
        found = _factorize_text(values)
        if found is not None:
            return found
    return Factorized(np.arange(len(values)), list(values), None, per_row=True)


def distinct_values(values: pd.Series) -> list[Any] | None:
    """Each distinct value of ``values`` once (each kind of missing value once), from one hash pass
    that makes no codes; None where equal values may read differently (1 and True in an object
    column), which :func:`factorize_column` takes row by row.

    >>> distinct_values(pd.Series(["B", "A", "B", None], dtype=object))
    ['B', 'A', None]
    >>> distinct_values(pd.Series([1, True], dtype=object)) is None
    True
    """
    dtype = values.dtype
    if is_numeric_dtype(dtype):
        return pd.unique(values.to_numpy()).tolist()
    if not (pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.StringDtype)):
        return None
    array = values.to_numpy(dtype=object)
    if not isinstance(dtype, pd.StringDtype) and pd.api.types.infer_dtype(array, skipna=True) != "string":
        return None
    return list(pd.unique(array))


def is_numeric_dtype(dtype: Any) -> bool:
    """A numpy number or boolean dtype (not a pandas extension dtype)."""
    return isinstance(dtype, np.dtype) and dtype.kind in "biuf"


class DistinctColumn:
    """One column, factorized on first use, with each statistic computed once per distinct value.

    Each per-value array has one entry per distinct value plus a last one for the missing values,
    so ``array[codes]`` gives the statistic of every row.

    >>> column = DistinctColumn(pd.Series(["ALT", "AST", "ALT", None]))
    >>> sorted(column.everything().code_texts())
    ['ALT', 'AST']
    >>> column.rows(np.array([False, True, False, True])).code_texts()
    {'AST'}
    """

    def __init__(self, values: pd.Series) -> None:
        # a compacted column (aclf_cdisc.compact) is kept as its codes, which factorize_column reads
        # as they are: text always; numbers and dates where their codes give the factorization
        # (no -0.0 is ever coded, so their text is one per distinct value), else rebuilt
        self.held_numbers = _factorize_held_numbers(values) if isinstance(values.dtype, pd.CategoricalDtype) \
            else None
        if self.held_numbers is not None:
            self.values = values
            self.dtype = values.cat.categories.dtype
            self.__dict__["factorized"] = self.held_numbers
        else:
            keep = isinstance(values.dtype, pd.CategoricalDtype) and values.cat.categories.dtype == object
            self.values = values if keep else expand_column(values)
            self.dtype = self.values.dtype

    @cached_property
    def factorized(self) -> Factorized:
        return factorize_column(self.values)

    @cached_property
    def texts(self) -> np.ndarray:
        """:func:`code_text` of each distinct value, then of the missing values."""
        f = self.factorized
        return np.array([*(code_text(u) for u in f.uniques), code_text(f.missing)], dtype=object)

    @cached_property
    def byte_lengths(self) -> np.ndarray:
        """:func:`value_bytes` of each distinct value, then of the missing values."""
        f = self.factorized
        return np.array([*(value_bytes(u) for u in f.uniques), value_bytes(f.missing)], dtype=np.int64)

    @cached_property
    def numbers(self) -> np.ndarray:
        """Each distinct value as a number (NaN when it is none), then NaN for the missing values."""
        f = self.factorized
        if self.is_numeric():
            found = np.asarray(f.uniques, dtype=float)
        else:
            found = pd.to_numeric(pd.Series(f.uniques, dtype=object), errors="coerce").to_numpy(dtype=float)
        return np.append(found, np.nan)

    @cached_property
    def whole(self) -> list[Any]:
        """Every distinct value of the whole column once: from the codes when the column is
        factorized already, else from :func:`distinct_values` (a cheaper pass: no codes)."""
        if "factorized" not in self.__dict__:
            found = distinct_values(self.values)
            if found is not None:
                return found
        f = self.factorized
        used = np.zeros(len(f.uniques) + 1, dtype=bool)
        used[f.codes] = True
        return [value for value, held in zip([*f.uniques, f.missing], used, strict=True) if held]

    @cached_property
    def whole_texts(self) -> frozenset[str]:
        """The code texts of the whole column, missing values left out."""
        return frozenset(t for t in map(code_text, self.whole) if t is not None)

    def is_numeric(self) -> bool:
        return is_numeric_dtype(self.dtype)

    def row_by_row(self) -> bool:
        """Whether a statistic must read every row: numbers as held (0.0 and -0.0 are one value but
        differ as text); a compacted column holds no -0.0."""
        return self.is_numeric() and self.held_numbers is None

    def everything(self) -> DistinctValues:
        """The whole column."""
        return DistinctValues(self, None)

    def rows(self, mask: Any) -> DistinctValues:
        """The rows where ``mask`` (boolean, one per row) holds."""
        return DistinctValues(self, np.asarray(mask, dtype=bool))


@dataclass(frozen=True)
class DistinctValues:
    """Some rows of a :class:`DistinctColumn` (all when ``mask`` is None) and their statistics."""

    column: DistinctColumn
    mask: np.ndarray | None

    @classmethod
    def of(cls, values: pd.Series) -> DistinctValues:
        """A Series on its own: all its rows.

        >>> DistinctValues.of(pd.Series([1.0, 12.5])).char_length()
        4
        """
        return DistinctColumn(values).everything()

    def _used(self) -> np.ndarray:
        """Which distinct values (and, last, the missing values) these rows hold."""
        codes = self.column.factorized.codes
        if self.mask is not None:
            codes = codes[self.mask]
        used = np.zeros(len(self.column.factorized.uniques) + 1, dtype=bool)
        used[codes] = True  # code -1: the last slot, the missing values
        return used

    def code_texts(self) -> set[str]:
        """The code texts held, missing values left out."""
        if self.mask is None:
            return set(self.column.whole_texts)
        return {t for t in self.column.texts[self._used()] if t is not None}

    def char_length(self) -> int:
        """The longest value held in bytes, at least 1."""
        if self.column.row_by_row():  # 0.0 and -0.0 are one value but differ as text: row by row
            values = self.column.values if self.mask is None else self.column.values[self.mask]
            return max([1, *(value_bytes(v) for v in values)])
        if self.mask is None and not self.column.is_numeric():
            return max([1, *map(value_bytes, self.column.whole)])
        lengths = self.column.byte_lengths[self._used()]
        return max(1, int(lengths.max())) if lengths.size else 1

    def finite_numbers(self) -> np.ndarray:
        """The finite numbers held (each distinct one once; text that reads as a number counts)."""
        if self.mask is None and self.column.held_numbers is None:
            values = self.column.values if self.column.is_numeric() else self.column.whole
            return finite_numbers(values)  # no need to factorize the column
        numbers = self.column.numbers[self._used()]
        return numbers[np.isfinite(numbers)]


def distinct_column(cache: dict[str, Any] | None, frame: pd.DataFrame, variable: str) -> DistinctColumn:
    """The :class:`DistinctColumn` of ``frame[variable]``, kept in ``cache`` (one dict per frame)."""
    found = cache.get(variable) if cache is not None else None
    if not isinstance(found, DistinctColumn):
        found = DistinctColumn(frame[variable])
        if cache is not None:
            cache[variable] = found
    return found


def _as_mapped(texts: np.ndarray, values: pd.Series, **kwargs: Any) -> pd.Series:
    """``texts`` with the dtype ``values.map`` gives such results: inferred, and a string column's
    own string dtype when text is inferred."""
    out = pd.Series(texts, **kwargs)
    if isinstance(values.dtype, pd.StringDtype) and isinstance(out.dtype, pd.StringDtype):
        out = out.astype(values.dtype)
    return out


def code_texts(values: pd.Series) -> pd.Series:
    """``values.map(code_text)``, converting each distinct value once.

    >>> code_texts(pd.Series([1.0, 2.5, 1.0])).tolist()
    ['1', '2.5', '1']
    """
    column = DistinctColumn(values)
    if len(values) == 0 or column.factorized.per_row:
        return values.map(code_text)
    texts = column.texts[column.factorized.codes]
    return _as_mapped(texts, values, index=values.index, name=values.name)


def distinct_code_texts(values: Iterable[Any]) -> set[str]:
    """The code texts of ``values`` (missing values left out), each distinct value converted once.

    >>> sorted(distinct_code_texts(pd.Series(["Y", "N", "Y", ""])))
    ['N', 'Y']
    """
    if isinstance(values, pd.Series):
        return DistinctValues.of(values).code_texts()
    return {v for v in (code_text(x) for x in values) if v is not None}


def condition_mask(frame: pd.DataFrame, conditions: Sequence[tuple[str, str, Sequence[str]]], *,
                   cache: dict[str, Any] | None = None) -> pd.Series:
    """Rows of ``frame`` where every (variable, comparator, values) condition holds.

    Comparators EQ/NE/IN/NOTIN compare as text; LT/LE/GT/GE compare numerically. A condition on a
    column the frame lacks matches nothing. ``cache`` (one dict per frame, kept by the caller)
    keeps the :class:`DistinctColumn` of each tested column between calls.

    >>> frame = pd.DataFrame({"PARAMCD": ["TBIL", "INR", "TBIL"], "AVAL": [1.0, 2.0, 3.0]})
    >>> condition_mask(frame, [("PARAMCD", "EQ", ["TBIL"]), ("AVAL", "GT", ["1"])]).tolist()
    [False, False, True]
    """
    mask = pd.Series(True, index=frame.index)
    for variable, comparator, values in conditions:
        if variable not in frame.columns:
            return pd.Series(False, index=frame.index)
        wanted = set(values)
        comp = comparator.upper()
        if comp in {"EQ", "IN", "NE", "NOTIN"}:
            hit = _text_isin(distinct_column(cache, frame, variable), wanted, frame.index)
            mask &= hit if comp in {"EQ", "IN"} else ~hit
        else:
            numbers = pd.to_numeric(expand_column(frame[variable]), errors="coerce")
            bound = float(next(iter(values)))
            ops = {"LT": numbers < bound, "LE": numbers <= bound, "GT": numbers > bound,
                   "GE": numbers >= bound}
            mask &= ops.get(comp, pd.Series(True, index=frame.index)).fillna(False)
    return mask


def _text_isin(column: DistinctColumn, wanted: set[str], index: pd.Index) -> pd.Series:
    """Rows whose code text is one of ``wanted``, tested once per distinct value."""
    hit = np.fromiter((t in wanted for t in column.texts), dtype=bool, count=len(column.texts))
    return pd.Series(hit[column.factorized.codes], index=index, dtype=bool)
