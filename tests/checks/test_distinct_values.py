"""Rule helpers that work per distinct value: same answers as value by value, in record order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aclf_cdisc.checks.rules._common import distinct_results, is_missing
from aclf_cdisc.checks.rules.sd1117_duplicate_records import _first_equal_record


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
