"""code_texts / distinct_code_texts / condition_mask read each distinct value once and agree with code_text."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aclf_cdisc.define.common import code_text, code_texts, condition_mask, distinct_code_texts

COLUMNS = [
    pd.Series(["A", "B", "", " ", None, np.nan, "A", "nan"], dtype=object),
    pd.Series(["A", None, "B", "A"], dtype="str"),
    pd.Series(["A", None, "B", "A"], dtype="string"),
    pd.Series([1.0, 2.5, np.nan, 0.0, -0.0, 1.0]),
    pd.Series([1, 2, 2]),
    pd.Series([1, True, "1", None, 1.5], dtype=object),  # 1 and True compare equal but read differently
    pd.Series([None, None], dtype=object),
    pd.Series([], dtype=object),
]


@pytest.mark.parametrize("column", COLUMNS)
def test_code_texts_equal_value_by_value(column: pd.Series) -> None:
    pd.testing.assert_series_equal(code_texts(column), column.map(code_text))
    assert distinct_code_texts(column) == {v for v in (code_text(x) for x in column) if v is not None}


def test_one_and_true_keep_their_own_text() -> None:
    assert distinct_code_texts(pd.Series([1, True], dtype=object)) == {"1", "True"}


@pytest.mark.parametrize("comparator", ["EQ", "IN", "NE", "NOTIN"])
def test_condition_mask_with_cache_matches_without(comparator: str) -> None:
    frame = pd.DataFrame({"PARAMCD": ["TBIL", "INR", None, "TBIL"], "AVAL": [1.0, 2.0, 3.0, np.nan]},
                         index=[10, 11, 12, 13])
    cache: dict[str, object] = {}
    for values in (("TBIL",), ("INR", "TBIL"), ("X",)):
        conditions = [("PARAMCD", comparator, values)]
        expected = frame["PARAMCD"].map(code_text).isin(set(values))
        expected = expected if comparator in {"EQ", "IN"} else ~expected
        pd.testing.assert_series_equal(condition_mask(frame, conditions, cache=cache), expected, check_names=False)
        pd.testing.assert_series_equal(condition_mask(frame, conditions), expected, check_names=False)
    assert set(cache) == {"PARAMCD"}
