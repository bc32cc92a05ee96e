"""Numeric Length and SignificantDigits from values (Define-XML 2.1 section 5.3.11)."""

from __future__ import annotations

import doctest
import importlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aclf_cdisc.define.lengths import MAX_DECIMALS, decimals_needed, integer_digits, numeric_length


@pytest.mark.parametrize("module", ["lengths", "common", "standards", "texts", "codelists", "value_level"])
def test_docstring_examples_run(module):
    result = doctest.testmod(importlib.import_module(f"aclf_cdisc.define.{module}"))
    assert result.failed == 0


def test_hand_counted_examples():
    assert numeric_length([7, 150, -42], "integer") == 3
    assert numeric_length([13.42, 8.45, 135.0], "float") == 3 + 2
    assert numeric_length([13.42, 8.45], "float", 1) == 2 + 1  # the spec's SignificantDigits win
    assert numeric_length([float("nan")], "integer") == 1  # no value: Length 1
    assert decimals_needed([0.1 + 0.2]) == 1  # 0.30000000000000004 is 0.3
    assert decimals_needed([1 / 3]) == 9  # 0.333333333 is within 1e-9 of 1/3
    assert decimals_needed([2 / 3], cap=4) == 4 and MAX_DECIMALS == 10


@given(st.lists(st.integers(min_value=-10**12, max_value=10**12), min_size=1, max_size=30))
def test_integer_length_is_the_digits_of_the_widest_value(values):
    assert numeric_length(values, "integer") == max(len(str(abs(v))) for v in values)


@given(st.lists(st.integers(min_value=-10**9, max_value=10**9), min_size=1, max_size=30),
       st.integers(min_value=0, max_value=6))
def test_float_decimals_reproduce_every_value(units, places):
    values = [u / 10**places for u in units]
    needed = decimals_needed(values)
    assert needed <= places
    assert all(abs(round(v, needed) - v) <= 1e-9 * max(1.0, abs(v)) for v in values)
    assert integer_digits(values) == max(1, max(len(str(int(abs(v)))) for v in values))
    assert numeric_length(values, "float") == integer_digits(values) + needed


def test_value_level_size_never_exceeds_the_parent():
    import pandas as pd

    from aclf_cdisc.define.datasets import ItemSize, item_size
    from aclf_cdisc.define.value_level import value_size
    from aclf_cdisc.spec.model import Origin, ValueLevel, WhereClause

    where = WhereClause("WC.LB.LBTESTCD.ALB", (("LBTESTCD", "EQ", ("ALB",)),))
    text_row = ValueLevel("LB", "LBORRES", where, "text", 200, Origin("Collected"))
    assert value_size(text_row, pd.Series(["35.1"]), ItemSize(20, None)) == ItemSize(20, None)
    unsized = ValueLevel("LB", "LBORRES", where, "text", None, Origin("Collected"))
    assert value_size(unsized, pd.Series(["35.1", "4"]), ItemSize(20, None)) == ItemSize(4, None)
    float_row = ValueLevel("LB", "LBSTRESN", where, "float", 8, Origin("Derived"), significant_digits=1)
    assert value_size(float_row, pd.Series([35.1, 28.0]), ItemSize(5, 2)) == ItemSize(3, 1)
    assert item_size("float", pd.Series([135.25, 8.4]), 8, None) == ItemSize(5, 2)
    assert item_size("datetime", pd.Series(["2024-01-05T10:00"]), 16, None) == ItemSize(None, None)
    assert item_size("text", pd.Series(["ABC"]), 3, None) == ItemSize(3, None)
