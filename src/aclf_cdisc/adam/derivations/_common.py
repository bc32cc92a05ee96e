"""Shared checks and small helpers for the ADaM derivations (not derivations themselves).

Every derivation asserts its arguments first (naming the argument), refuses to overwrite an
existing variable, and reports data it cannot handle as :class:`~aclf_cdisc.errors.Issue` records
inside a :class:`~aclf_cdisc.errors.DerivationError`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from aclf_cdisc.errors import DerivationError, Issue

#: A row filter: a pandas query string, or a callable returning a boolean mask for the frame.
RowFilter = str | Callable[[pd.DataFrame], Any] | None

FLAG_YES = "Y"


def assert_frame(dataset: Any, argument: str) -> None:
    if not isinstance(dataset, pd.DataFrame):
        raise TypeError(f"`{argument}` must be a pandas DataFrame, not {type(dataset).__name__}")


def assert_columns(dataset: pd.DataFrame, columns: Iterable[str], *, dataset_name: str,
                   argument: str) -> None:
    """Raise when a column the caller named (through ``argument``) is not in the frame."""
    missing = [c for c in columns if c not in dataset.columns]
    if missing:
        raise DerivationError([
            Issue(rule="adam.column-missing", dataset=dataset_name, column=c,
                  message=f"column {c} (from argument `{argument}`) is not in {dataset_name}",
                  expected="an existing column")
            for c in missing
        ])


def assert_new_vars(dataset: pd.DataFrame, new_vars: Iterable[str], *, dataset_name: str) -> None:
    """Refuse to overwrite: every variable a derivation adds must be absent from its input."""
    clashing = [v for v in new_vars if v in dataset.columns]
    if clashing:
        raise DerivationError([
            Issue(rule="adam.variable-exists", dataset=dataset_name, column=v,
                  message=f"{v} already exists in {dataset_name}; a derivation never overwrites",
                  expected="a variable not yet in the dataset")
            for v in clashing
        ])


def as_tuple(value: str | Sequence[str], argument: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    out = tuple(value)
    if not all(isinstance(v, str) for v in out):
        raise TypeError(f"`{argument}` must be a column name or a sequence of column names")
    return out


def filter_mask(dataset: pd.DataFrame, row_filter: RowFilter, argument: str = "filter") -> np.ndarray:
    """Boolean mask of the rows a filter keeps (all rows when ``row_filter`` is None)."""
    if row_filter is None:
        return np.ones(len(dataset), dtype=bool)
    if isinstance(row_filter, str):
        # evaluated on the columns the query names only: pandas prepares every column of the
        # frame for a query, which costs more than the query itself on a wide frame
        named = [c for c in dataset.columns if str(c) in row_filter]
        mask = dataset[named].eval(row_filter, engine="python")
    elif callable(row_filter):
        mask = row_filter(dataset)
    else:
        raise TypeError(f"`{argument}` must be a query string, a callable or None")
    mask = pd.Series(mask, index=dataset.index) if not isinstance(mask, pd.Series) else mask
    if len(mask) != len(dataset):
        raise ValueError(f"`{argument}` returned {len(mask)} values for {len(dataset)} rows")
    return mask.fillna(False).astype(bool).to_numpy()


def as_date(values: Any) -> pd.Series:
    """A date column as ``datetime64[ns]`` at midnight (ADaM dates carry no time)."""
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    return pd.to_datetime(series).astype("datetime64[ns]").dt.normalize()


def tmp_name(dataset: pd.DataFrame, stem: str) -> str:
    """A column name not present in ``dataset`` (temporary columns never collide)."""
    name = f"__{stem}"
    n = 0
    while name in dataset.columns:
        n += 1
        name = f"__{stem}{n}"
    return name


def record_key(row: pd.Series | dict[str, Any], keys: Sequence[str]) -> str:
    """A record key such as ``USUBJID=01-001, AESEQ=3`` for an Issue's ``row`` field."""
    def text(value: Any) -> str:
        if isinstance(value, pd.Timestamp):
            return value.date().isoformat() if value == value.normalize() else value.isoformat()
        return str(value)

    return ", ".join(f"{k}={text(row[k])}" for k in keys if k in row)


def flag(mask: Any, index: pd.Index) -> pd.Series:
    """An ADaM Y/null flag column: "Y" where ``mask`` holds, missing elsewhere."""
    values = np.full(len(index), None, dtype=object)
    values[np.asarray(mask, dtype=bool)] = FLAG_YES
    return pd.Series(values, index=index, dtype=object)


def flag_records(index: pd.Index, chosen: pd.Index) -> pd.Series:
    """:func:`flag` of the records ``chosen`` names (labels of ``index``, which are unique).

    >>> flag_records(pd.RangeIndex(4), pd.Index([3, 1])).tolist()
    [None, 'Y', None, 'Y']
    """
    mask = np.zeros(len(index), dtype=bool)
    mask[index.get_indexer(chosen)] = True
    return flag(mask, index)


def key_columns(dataset: pd.DataFrame, *names: Sequence[str]) -> pd.DataFrame:
    """The columns :func:`pick_extreme` reads (each once, in order): what a wide frame is cut to
    before its candidate records are selected."""
    return dataset[list(dict.fromkeys(n for group in names for n in group))]


def round_half_up(values: Any) -> np.ndarray:
    """Round to the nearest integer with halves away from zero (2.5 -> 3), not banker's rounding.

    Values are first rounded to 9 decimals so that binary noise such as 24.4999999999 from
    ``10 * 2.45`` does not move a true half down.
    """
    arr = np.round(np.asarray(values, dtype=float), 9)
    return np.sign(arr) * np.floor(np.abs(arr) + 0.5)


def shape_like(result: np.ndarray, *inputs: Any) -> Any:
    """Return ``result`` as a float for scalar inputs, a Series when any input was a Series."""
    if result.ndim == 0:
        return float(result)
    for value in inputs:
        if isinstance(value, pd.Series):
            return pd.Series(result, index=value.index, dtype=float)
    return result


def _equal_to_next(frame: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """Per record but the last, whether the next record holds the same values in every one of
    ``columns`` (two missing values count as the same, as in ``DataFrame.duplicated``).

    >>> _equal_to_next(pd.DataFrame({"A": [1, 1, None, None], "B": ["x", "x", "y", "y"]}), ["A", "B"]).tolist()
    [True, False, True]
    >>> _equal_to_next(pd.DataFrame({"A": pd.array(["a", pd.NA, pd.NA, "b"], dtype="string")}), ["A"]).tolist()
    [False, True, False]
    """
    same = np.ones(max(len(frame) - 1, 0), dtype=bool)
    for column in columns:
        values = frame[column].to_numpy()
        missing = pd.isna(values)
        equal = missing[1:] & missing[:-1]
        present = ~(missing[1:] | missing[:-1])  # compared only where neither is missing (pd.NA has no truth)
        equal[present] = values[1:][present] == values[:-1][present]
        same &= equal
    return same


def pick_extreme(candidates: pd.DataFrame, by_vars: Sequence[str], order: Sequence[str], mode: str, *,
                 dataset_name: str, rule: str, what: str) -> pd.Index:
    """Index labels of the first (``mode="first"``) or last record per by group, sorted by ``order``.

    Missing order values sort last (so "first" never picks a record of unknown date over a known
    one). Two records tied on every order column are ambiguous: DerivationError with ``rule``.
    """
    if candidates.empty:
        return candidates.index
    by_vars, order = list(by_vars), list(order)
    keys = candidates[list(dict.fromkeys(by_vars + order))]
    # the by group as one integer (each by column is factorized once, not once per sort and per
    # duplicate search); only the key columns are sorted, records of a group in ``order``
    group = tmp_name(keys, "group")
    codes = (keys.groupby(by_vars, dropna=False, sort=False).ngroup().to_numpy() if by_vars
             else np.zeros(len(keys), dtype=np.int64))
    ranked = keys.assign(**{group: codes}).sort_values([group, *order], kind="mergesort", na_position="last")
    # the neighbour a picked record could be tied with: the next record for "first", the previous for "last"
    same_group = np.diff(ranked[group].to_numpy()) == 0
    picked = np.ones(len(ranked), dtype=bool)
    twin = np.zeros(len(ranked), dtype=bool)
    tied_next = same_group & _equal_to_next(ranked, order)
    if mode == "first":
        picked[1:] = ~same_group
        twin[:-1] = tied_next
    else:
        picked[:-1] = ~same_group
        twin[1:] = tied_next
    ranked = ranked.drop(columns=group)
    chosen = ranked[picked]
    if not (twin & picked).any():
        return chosen.index  # no picked record has a twin on every key: nothing is ambiguous
    tied = ranked.merge(chosen[by_vars + order], on=by_vars + order, how="inner")
    counts = tied.groupby(by_vars, dropna=False).size() if by_vars else pd.Series([len(tied)])
    if (counts > 1).any():
        issues = []
        bad = counts[counts > 1].reset_index()
        for _, row in bad.iterrows():
            key = record_key(row, by_vars)
            issues.append(Issue(rule=rule, dataset=dataset_name, row=key or None,
                                column=", ".join(order), value=None,
                                message=f"more than one record could be the {what}; the order "
                                        f"({', '.join(order)}) does not separate them",
                                expected="order columns that identify one record (add e.g. a --SEQ)"))
        raise DerivationError(issues)
    return chosen.index
