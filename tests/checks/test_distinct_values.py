"""Rule helpers that work per distinct value: same answers as value by value, in record order."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aclf_cdisc.checks.rules._common import distinct_batch_results, distinct_results, is_missing
from aclf_cdisc.checks.rules._iso8601 import is_valid, surely_valid
from aclf_cdisc.checks.rules.sd0003_iso8601 import _invalid
from aclf_cdisc.checks.rules.sd0013_start_after_end import start_after_end, starts_after_ends
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


@pytest.mark.parametrize("dtype", [bool, object])
@pytest.mark.parametrize("series", [
    pd.Series(["A", " ", None, np.nan, "A", pd.NA], dtype=object),
    pd.Series([1, True, 1.0, "1", None], dtype=object),
    compact_frame(pd.DataFrame({"X": pd.Series(["b", None, "a", "b"], dtype=object)}))["X"],
])
def test_batch_results_are_the_value_by_value_results(series: pd.Series, dtype: type) -> None:
    batches: list[list[object]] = []

    def judge(values: list[object]) -> list[bool]:
        batches.append(values)
        return [(isinstance(v, str) and v.strip() == "A") or v is True for v in values]

    expected = [False if is_missing(v) and not isinstance(v, str) else judge([v])[0] for v in series.tolist()]
    batches.clear()
    got = distinct_batch_results(series, judge, missing=False, dtype=dtype)
    assert got.dtype == np.dtype(dtype) and got.tolist() == expected
    assert sum(len(b) > 1 for b in batches) <= 1  # the distinct text together, once


# plain ISO 8601 date/times, right-truncated, any digits (so months 13, 30 February, hour 24 ...)
_DIGITS = st.text("0123456789", min_size=1, max_size=2)
_PLAIN = st.builds(lambda y, parts, cut, frac: ("-".join([y, *parts[:2]]) + "T" + ":".join(parts[2:])
                                                + (f".{frac}" if frac else ""))[:cut],
                   st.text("0123456789", min_size=4, max_size=4),
                   st.lists(st.text("0123456789", min_size=2, max_size=2), min_size=5, max_size=5),
                   st.integers(4, 30), st.text("0123456789", max_size=11))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(_PLAIN, _DIGITS, st.text(max_size=25)), max_size=40))
def test_plain_date_times_read_together_are_valid_exactly_when_the_parser_says_so(texts: list[str]) -> None:
    sure = surely_valid(texts)
    assert all(is_valid(t) for t, ok in zip(texts, sure, strict=True) if ok)  # never a wrong True
    values = [*texts, None, np.nan, 3]
    assert _invalid(values).tolist() == [
        not is_missing(v) and (not isinstance(v, str) or not is_valid(v.rstrip(" "))) for v in values]


def test_the_common_plain_date_times_are_read_together() -> None:
    texts = ["2024-02-29", "2024-02-29T23:59", "2024-01-15T08:30:59.5", "2024", "2024-07"]
    assert surely_valid(texts).all()
    assert not surely_valid(["2023-02-29", "2024-13", "2024-01-15T24:00", "2024-01-15T23:59:60", "2024---15",
                             "2024-01-15T08:30+01:00", "2024-01-15/2024-01-20"]).any()


_DTC = st.one_of(_PLAIN, _DIGITS, st.none(), st.just(np.nan), st.integers(0, 3),
                 st.sampled_from(["2023---15", "--09-30", "2023-09-30T-:15", "2023-09-01/2023-09-05",
                                  " 2023-09-01 ", "", " ", "2023-09-30T10:15+01:00", "2023-09-30T10:15:30.25"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_DTC, _DTC), max_size=30), st.booleans())
def test_starts_after_ends_is_the_record_by_record_comparison(pairs: list[tuple[object, object]], held: bool) -> None:
    starts = pd.Series([a for a, _ in pairs], dtype=object)
    ends = pd.Series([b for _, b in pairs], dtype=object)
    if held:  # compacted as a large dataset holds them (Categorical text: non-text values are not compacted)
        starts, ends = compact_frame(pd.DataFrame({"A": starts, "B": ends})).pipe(lambda f: (f["A"], f["B"]))
    expected = [start_after_end(a, b) for a, b in pairs]
    assert starts_after_ends(starts, ends).tolist() == expected


def test_starts_after_ends_by_hand() -> None:
    # the shared precision decides: a month against a day, minutes against seconds, a year alone
    starts = pd.Series(["2023-10", "2023-09", "2024-01-02T10:00", "2024-01-02T10:00", "2024", "2023-02-30"])
    ends = pd.Series(["2023-09-15", "2023-09-15", "2024-01-02T09:59:59", "2024-01-02T10:00:30", "2023-12-31",
                      "2023-01-01"])
    assert starts_after_ends(starts, ends).tolist() == [True, False, True, False, True, False]
