"""Helpers for the ADaM derivation tests: dates from text, keyed frame comparison."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def dates(*values: str | None) -> pd.Series:
    """A datetime64[ns] Series from ISO dates (None for missing)."""
    return pd.Series(pd.to_datetime(list(values))).astype("datetime64[ns]")


def _normal(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.astype(object)
    return out.where(pd.notna(out), None)


def assert_keyed_equal(actual: pd.DataFrame, expected: pd.DataFrame, keys: Sequence[str]) -> None:
    """Same columns and, matched on ``keys``, the same values (missing compared as missing)."""
    assert sorted(actual.columns) == sorted(expected.columns)
    cols = list(expected.columns)
    a = _normal(actual[cols].sort_values(list(keys), kind="mergesort").reset_index(drop=True))
    e = _normal(expected[cols].sort_values(list(keys), kind="mergesort").reset_index(drop=True))
    pd.testing.assert_frame_equal(a, e, check_dtype=False)
