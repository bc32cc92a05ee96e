"""Small helpers shared by the rule modules: which standard a dataset follows, what counts as missing."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, TypeGuard

import numpy as np
import pandas as pd

from aclf_cdisc.compact import dataset_columns, expand_column, held_column, held_dataset, read_columns
from aclf_cdisc.spec.model import Dataset, Spec

NOT_ASSIGNED_ARMS = frozenset({"SCRNFAIL", "NOTASSGN"})  # SDTMIG ARMCD values for subjects never assigned
NOT_TREATED_ARMS = NOT_ASSIGNED_ARMS | {"NOTTRT"}  # ACTARMCD values for subjects never treated


def spec_dataset(spec: Spec, name: str) -> Dataset | None:
    return spec.datasets.get(name)


def standard_of(name: str, spec: Spec) -> str:
    """The dataset's standard from the spec; a dataset the spec does not know is ADaM when named AD*."""
    ds = spec.datasets.get(name)
    if ds is not None:
        return ds.standard
    return "ADaM" if name.startswith("AD") else "SDTM"


def _names_of(datasets: Any, spec: Spec, standard: str) -> Iterator[str]:
    """The given standard's dataset names, sorted so issues come out in a stable order."""
    return (name for name in sorted(datasets) if standard_of(name, spec) == standard)


Reads = Callable[[str], bool]
"""Which variables of a dataset a rule reads: a test of the variable name."""


def read_dataset(datasets: Any, name: str, reads: Reads | None = None) -> pd.DataFrame:
    """The dataset, or with ``reads`` only the variables it picks (in the dataset's order, every
    record): a compacted store rebuilds just those (:mod:`aclf_cdisc.compact`), so a rule that
    looks at a few variables of LB does not pay for all of them.

    >>> read_dataset({"LB": pd.DataFrame({"LBDTC": ["2024"], "LBDY": [1.0]})}, "LB", lambda c: c.endswith("DY"))
       LBDY
    0   1.0
    """
    if reads is None:
        return datasets[name]
    return read_columns(datasets, name, [c for c in dataset_columns(datasets, name) if reads(c)])


def datasets_of(datasets: Any, spec: Spec, standard: str, needs: Iterable[str] = (),
                reads: Reads | None = None) -> Iterator[tuple[str, pd.DataFrame]]:
    """(name, frame) of the given standard, sorted by name so issues come out in a stable order;
    with ``needs``, only the datasets that have every one of those variables; with ``reads``, each
    frame holds only the variables it picks (:func:`read_dataset`).

    Each frame is read as the loop reaches it, so a rule holds one at a time, and a dataset
    without the variables a rule needs is not read at all (a compacted store rebuilds a dataset
    on every read: :mod:`aclf_cdisc.compact`).
    """
    required = set(needs)
    return ((name, read_dataset(datasets, name, reads)) for name in _names_of(datasets, spec, standard)
            if required <= set(dataset_columns(datasets, name)))


def held_datasets_of(datasets: Any, spec: Spec, standard: str) -> Iterator[tuple[str, pd.DataFrame]]:
    """(name, frame as held) of the given standard, sorted by name: a compacted dataset keeps its values
    coded (:func:`aclf_cdisc.compact.held_dataset`), for rules that only compare values for equality."""
    return ((name, held_dataset(datasets, name)) for name in _names_of(datasets, spec, standard))


def held_variable(datasets: Any, name: str, variable: str) -> pd.Series:
    """One variable of a dataset that has it (see :func:`variables_of`), as held: compacted where
    the store keeps it so (:func:`aclf_cdisc.compact.held_column`), nothing rebuilt."""
    column = held_column(datasets, name, variable)
    assert column is not None, f"{name}.{variable}"
    return column


def variables_of(datasets: Any, spec: Spec, standard: str) -> Iterator[tuple[str, list[str]]]:
    """(name, variables) of the given standard's datasets, sorted by name, no record read: for the
    rules about which variables a dataset has.
    """
    return ((name, dataset_columns(datasets, name)) for name in _names_of(datasets, spec, standard))


def specified_datasets_of(datasets: Any, spec: Spec, standard: str,
                          reads: Callable[[Dataset], Iterable[str]] | None = None,
                          ) -> Iterator[tuple[str, pd.DataFrame, Dataset]]:
    """(name, frame, spec dataset) of the given standard's datasets the spec defines, sorted by name;
    with ``reads``, each frame holds only the variables it names for that dataset's spec."""
    def frame(name: str) -> pd.DataFrame:
        if reads is None:
            return datasets[name]
        return read_columns(datasets, name, reads(spec.datasets[name]))

    return ((name, frame(name), spec.datasets[name]) for name in _names_of(datasets, spec, standard)
            if name in spec.datasets)


def is_missing(value: Any) -> bool:
    """None, NaN, NaT, pd.NA, or a blank string."""
    if isinstance(value, str):
        return value.strip() == ""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def distinct_results(series: pd.Series, func: Callable[[Any], Any], *, missing: Any,
                     dtype: type = object) -> np.ndarray:
    """``[func(v) for v in series.tolist()]`` as an array of ``dtype`` (``bool`` for a predicate:
    no array of a Python object per record is made), calling ``func`` once per distinct value.

    ``missing`` is what ``func`` gives for a missing value (None, NaN, NaT, pd.NA); it is used
    without calling ``func``. Distinct values are shared only where equal values are alike: the
    numbers of a numpy column and text; any other value (in an object column 1 and True are equal
    but not alike) is passed to ``func`` on its own. A compacted column (:mod:`aclf_cdisc.compact`)
    of text or numbers gives its categories as the distinct values, without being rebuilt.

    >>> distinct_results(pd.Series(["a", None, "bb", "a"]), len, missing=0).tolist()
    [1, 0, 2, 1]
    >>> distinct_results(pd.Series(["a", None, 1, True]), lambda v: v == 1, missing=False, dtype=bool).tolist()
    [False, False, True, True]
    """
    return distinct_batch_results(series, lambda values: [func(v) for v in values], missing=missing, dtype=dtype)


def distinct_batch_results(series: pd.Series, func: Callable[[list[Any]], Sequence[Any] | np.ndarray], *, missing: Any,
                           dtype: type = object) -> np.ndarray:
    """:func:`distinct_results` for a ``func`` that judges a list of values at once (one result per
    value, in order): the distinct values are given to it together, any value judged on its own
    as a list of one.

    >>> distinct_batch_results(pd.Series(["a", None, "bb", "a"]), lambda vs: [len(v) for v in vs], missing=0).tolist()
    [1, 0, 2, 1]
    """
    kind = series.dtype
    if isinstance(kind, pd.CategoricalDtype):
        categories = kind.categories
        if categories.dtype.kind == "f" or all(type(u) is str for u in categories):
            return _table(func(categories.tolist()), missing, dtype)[series.cat.codes.to_numpy()]
        series = expand_column(series)
        kind = series.dtype
    if isinstance(kind, np.dtype) and kind.kind in "fiub":
        codes, uniques = pd.factorize(series.to_numpy())
        return _table(func(uniques.tolist()), missing, dtype)[codes]
    if series.dtype == object:
        values = series.to_numpy()  # the values themselves: no copy of them is needed
    else:  # each value as the Python object tolist gives (a Timestamp for a datetime64, say)
        values = np.empty(len(series), dtype=object)
        values[:] = series.tolist()
    codes, uniques = pd.factorize(values)
    text = np.array([isinstance(u, str) for u in uniques] + [True], dtype=bool)
    judged = iter(func([u for i, u in enumerate(uniques) if text[i]]))
    out = _table([next(judged) if text[i] else missing for i in range(len(uniques))], missing, dtype)[codes]
    for pos in map(int, np.flatnonzero(~text[codes])):
        out[pos] = func([values[pos]])[0]
    return out


def _table(results: Sequence[Any] | np.ndarray, missing: Any, dtype: type = object) -> np.ndarray:
    """``results`` then ``missing`` (the slot of code -1) as a flat array of ``dtype``."""
    table: np.ndarray = np.empty(len(results) + 1, dtype=dtype)
    for i, result in enumerate(results):
        table[i] = result
    table[-1] = missing
    return table


def missing_mask(series: pd.Series) -> pd.Series:
    """``series.map(is_missing)``: True where a value is missing or blank (each distinct value tested once)."""
    missing = distinct_results(series, is_missing, missing=True, dtype=bool)
    return pd.Series(missing, index=series.index, name=series.name, dtype=bool)


def plain(value: Any) -> Any:
    """A Python value for an Issue: numpy scalars unwrapped, missing as None, dates as ISO text."""
    if is_missing(value) and not isinstance(value, str):
        return None
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat()
    if isinstance(value, np.generic):
        return value.item()
    return value


def text_or_none(value: Any) -> str | None:
    return None if is_missing(value) else str(value).strip()


def arm_code(value: Any) -> str | None:
    """ARMCD/ACTARMCD upper-cased for comparison with SCRNFAIL, NOTASSGN, NOTTRT (None when empty)."""
    text = text_or_none(value)
    return None if text is None else text.upper()


SAS_EPOCH = pd.Timestamp("1960-01-01")


def as_days(series: pd.Series) -> pd.Series:
    """An ADaM date column as float days since 1960-01-01, whether held as datetime64 (in memory),
    SAS day numbers (at the transport boundary) or date objects; NaN where missing or unreadable."""
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return (series - SAS_EPOCH) / pd.Timedelta(days=1)
    if pd.api.types.is_numeric_dtype(series.dtype):
        return series.astype(float)
    stamps = pd.to_datetime(series, errors="coerce")
    return (stamps - SAS_EPOCH) / pd.Timedelta(days=1)


def adam_kind(name: str, spec: Spec, columns: Any) -> str:
    """ADSL, TTE, BDS, OCCDS or OTHER, from the spec's class/subclass, else from the name and columns."""
    ds = spec.datasets.get(name)
    if ds is not None:
        klass, subclass = ds.class_.upper(), (ds.subclass or "").upper()
        if klass.startswith("SUBJECT LEVEL"):
            return "ADSL"
        if klass == "BASIC DATA STRUCTURE":
            return "TTE" if subclass == "TIME-TO-EVENT" else "BDS"
        if klass.startswith("OCCURRENCE"):
            return "OCCDS"
        return "OTHER"
    if name == "ADSL":
        return "ADSL"
    if name == "ADTTE" or "CNSR" in columns:
        return "TTE"
    return "BDS" if "PARAMCD" in columns else "OTHER"


def has_columns(frame: pd.DataFrame | None, *columns: str) -> TypeGuard[pd.DataFrame]:
    """Whether ``frame`` is there and holds every one of ``columns``. A rule reading variables a
    dataset lacks has nothing to check (the missing variable is SD0056's or SD0057's finding).

    >>> has_columns(pd.DataFrame({"USUBJID": []}), "USUBJID"), has_columns(pd.DataFrame(), "USUBJID")
    (True, False)
    >>> has_columns(None, "USUBJID")
    False
    """
    return frame is not None and all(column in frame.columns for column in columns)


def has_standard(datasets: Any, spec: Spec, standard: str) -> bool:
    """Whether any dataset of the run follows ``standard`` (SDTM or ADaM)."""
    return any(standard_of(name, spec) == standard for name in datasets)


def ts_rows(datasets: Any, parmcd: str) -> pd.DataFrame | None:
    """The TS records of one parameter (index = 0-based record position); None when there is no TS."""
    ts = datasets.get("TS")
    if ts is None or "TSPARMCD" not in ts.columns or "TSVAL" not in ts.columns:
        return None
    frame = ts.reset_index(drop=True)
    return frame[frame["TSPARMCD"].astype(str).str.strip() == parmcd]
