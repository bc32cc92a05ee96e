"""Rule helpers that work per distinct value: same answers as value by value, in record order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aclf_cdisc.checks.rules._common import distinct_results, is_missing
from aclf_cdisc.checks.rules.sd1117_duplicate_records import _first_equal_record
from aclf_cdisc.compact import compact_frame


def _blank_or_missing(value: object) -> bool:
    return is_missing(value)


@pytest.mark.parametrize("series", [
    pd.Series(["A", " ", None, np.nan, "A", pd.NA], dtype=object),
    pd.Series(["A", None, "B", "A"], dtype="str"),
    pd.Series([1.0, np.nan, 1.0, -0.0]),
    pd.Series([1, True, 1.0, "1"], dtype=object),
    pd.Series([], dtype=object),
])
def test_distinct_results_match_value_by_value(series: pd.Series) -> None:
    calls: list[object] = []

    def func(value: object) -> str:
        calls.append(value)
        return f"{type(value).__name__}:{value}"

    expected = [func(v) if not is_missing(v) or isinstance(v, str) else "missing" for v in series.tolist()]
    calls.clear()
    got = distinct_results(series, func, missing="missing").tolist()
    assert got == expected
    assert len(calls) <= len(set(map(repr, series.tolist())))


def test_distinct_results_keep_equal_but_different_values_apart() -> None:
    got = distinct_results(pd.Series([1, True, 1.0], dtype=object), repr, missing=None).tolist()
    assert got == ["1", "True", "1.0"]


def test_first_equal_record() -> None:
    frame = pd.DataFrame({"A": ["x", "x", "y", "x", None, np.nan],
                          "B": [1.0, 1.0, 1.0, 2.0, np.nan, None]})
    assert _first_equal_record(frame).tolist() == [0, 0, 2, 3, 4, 4]


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 40), st.integers(1, 12), st.integers(1, 5000), st.booleans(), st.data())
def test_first_equal_record_is_the_first_equal_tuple(rows: int, columns: int, cardinality: int, held: bool,
                                                    data: st.DataObject) -> None:
    # columns of up to 5,000 distinct values, so twelve of them overflow one int64 and the record
    # codes are renumbered on the way; compacted (Categorical) columns are read by their codes
    cells = data.draw(st.lists(st.lists(st.one_of(st.none(), st.integers(0, cardinality - 1)), min_size=rows,
                                        max_size=rows), min_size=columns, max_size=columns))
    frame = pd.DataFrame({f"C{i}": pd.Series([None if v is None else f"v{v}" for v in values], dtype=object)
                          for i, values in enumerate(cells)})
    if held:
        frame = compact_frame(frame)
    tuples = list(zip(*cells, strict=True))
    assert _first_equal_record(frame).tolist() == [tuples.index(t) for t in tuples]
