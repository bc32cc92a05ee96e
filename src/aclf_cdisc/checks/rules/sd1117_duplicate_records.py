"""SD1117: no two records of a dataset are equal in every variable other than --SEQ.

The first record of a group is kept; each later copy is reported, naming the record it repeats.
"""

import numpy as np
import pandas as pd

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import held_datasets_of
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    issues = []
    for name, frame in held_datasets_of(datasets, spec, "SDTM"):  # equality only: coded values will do
        columns = [c for c in frame.columns if not (isinstance(c, str) and len(c) == 5 and c.endswith("SEQ"))]
        if not columns or frame.empty:
            continue
        first = _first_equal_record(frame[_keys_first(columns, spec, name)])
        for pos in map(int, np.flatnonzero(first != np.arange(len(frame)))):
            issues.append(rule.issue(f"record {pos + 1} repeats record {first[pos] + 1} in every variable but --SEQ",
                                     dataset=name, row=int(pos) + 1, value=f"same as record {first[pos] + 1}"))
    return issues


def _keys_first(columns: list[str], spec: Spec, name: str) -> list[str]:
    """``columns`` with the spec's key variables of the dataset first: records seldom share those,
    so :func:`_first_equal_record` tells them apart after reading few columns."""
    dataset = spec.datasets.get(name)
    keys = [key for key in (dataset.keys if dataset is not None else ()) if key in columns]
    return [*keys, *(c for c in columns if c not in keys)]


def _first_equal_record(data: pd.DataFrame) -> np.ndarray:
    """For each record, the position of the first record equal to it in every column (itself if none).

    Values compare as Python objects (1 == 1.0 == True) with every missing value (None, NaN,
    NaT, pd.NA) equal to every other: each column is coded by its distinct values (a compacted
    column, :mod:`aclf_cdisc.compact`, by its own codes), then records by their codes. The codes
    of successive columns are combined as one integer per record, renumbered when the next
    column could overflow it or when there could be a code per record: once every record has a
    code of its own, no two records are equal and the remaining columns are not read.

    >>> data = pd.DataFrame({"A": ["x", "y", "x", None], "B": [1.0, 2.0, 1.0, float("nan")]})
    >>> _first_equal_record(data).tolist()
    [0, 1, 0, 3]
    >>> _first_equal_record(pd.DataFrame({"A": ["x", "y"], "B": [1.0, 1.0]})).tolist()
    [0, 1]
    """
    record = np.zeros(len(data), dtype=np.int64)
    bound = 1  # every record code so far is below it
    for i in range(data.shape[1]):
        codes, size = _column_codes(data.iloc[:, i])
        if bound * (size + 1) >= _LIMIT:
            record, distinct = pd.factorize(record)
            bound = len(distinct)
        record = record * (size + 1) + (codes + 1)  # code -1 (missing) becomes 0
        bound *= size + 1
        if bound >= len(data):  # perhaps a code per record: renumbered to see
            record, distinct = pd.factorize(record)
            bound = len(distinct)
            if bound == len(data):
                return np.arange(len(data))
    _, first_index, inverse = np.unique(record, return_index=True, return_inverse=True)
    return first_index[inverse]


_LIMIT = 2**62  # record codes stay below it: int64 never overflows


def _column_codes(column: pd.Series) -> tuple[np.ndarray, int]:
    """A column's codes (-1 for every missing value) and the number of distinct values."""
    if isinstance(column.dtype, pd.CategoricalDtype):  # its categories are distinct values already
        return column.cat.codes.to_numpy().astype(np.int64), len(column.cat.categories)
    codes, uniques = pd.factorize(column)
    return codes.astype(np.int64), len(uniques)
