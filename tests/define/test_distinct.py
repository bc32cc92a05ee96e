"""Statistics per distinct value equal the value-by-value ones, for a whole column and any subset."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from aclf_cdisc.compact import compact_column
from aclf_cdisc.define.distinct import DistinctColumn, code_text, value_bytes
from aclf_cdisc.define.lengths import finite_numbers

TEXT = st.one_of(st.none(), st.sampled_from(["", " ", "Y", "N", "12", "1.50", "-3", "nan", "ÄÖ", "ABC"]))
NUMBER = st.one_of(st.just(float("nan")), st.floats(-1e6, 1e6, allow_nan=False), st.sampled_from([0.0, -0.0]))


def _columns() -> st.SearchStrategy[pd.Series]:
    return st.one_of(
        st.lists(TEXT, max_size=30).map(lambda v: pd.Series(v, dtype=object)),
        st.lists(TEXT, max_size=30).map(lambda v: pd.Series(v, dtype="str")),
        st.lists(NUMBER, max_size=30).map(lambda v: pd.Series(v, dtype=float)),
        st.lists(st.one_of(TEXT, st.integers(0, 3), st.booleans()), max_size=30).map(
            lambda v: pd.Series(v, dtype=object)),  # 1 and True: equal, read differently
        st.lists(st.one_of(st.none(), st.dates(date(1900, 1, 1), date(2100, 12, 31)).map(str)), max_size=30).map(
            lambda v: pd.Series(pd.to_datetime(pd.Series(v, dtype=object), format="%Y-%m-%d"))),  # NaT reads "NaT"
    )


@given(_columns(), st.data())
def test_distinct_statistics_equal_value_by_value(column: pd.Series, data: st.DataObject) -> None:
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=len(column), max_size=len(column))), dtype=bool)
    unfactorized, factorized = DistinctColumn(column), DistinctColumn(column)
    for values, rows in ((factorized.rows(mask), column[mask]), (unfactorized.everything(), column),
                         (factorized.everything(), column)):  # the whole column with and without codes
        assert values.code_texts() == {t for t in map(code_text, rows) if t is not None}
        assert values.char_length() == max([1, *map(value_bytes, rows)])
        assert set(values.finite_numbers().tolist()) == set(finite_numbers(rows).tolist())


def test_one_factorization_serves_every_subset() -> None:
    column = DistinctColumn(pd.Series(["ALT", "AST", None, "ALT", "BILIRUBIN"], dtype=object))
    first = column.rows(np.array([True, False, True, False, False]))
    assert first.code_texts() == {"ALT"} and first.char_length() == 3
    whole = column.everything()
    assert whole.code_texts() == {"ALT", "AST", "BILIRUBIN"} and whole.char_length() == 9
    assert column.factorized.codes.tolist() == [0, 1, -1, 0, 2]
    assert column.rows(np.zeros(5, dtype=bool)).char_length() == 1  # no rows: Length 1


HELD_TEXT = st.one_of(st.none(), st.sampled_from(["", "Y", "N", "12", "1.50", "nan", "ÄÖ", "ABC"]))
HELD_NUMBER = st.one_of(st.just(float("nan")), st.sampled_from([0.0, 1.0, 2.5, 1e6, -3.25]))
HELD_DATE = st.one_of(st.none(), st.sampled_from(["2024-01-05", "2023-12-31", "2024-02-29"]))


@given(st.one_of(st.lists(HELD_TEXT, max_size=30).map(lambda v: pd.Series(v, dtype=object)),
                 st.lists(HELD_NUMBER, max_size=30).map(lambda v: pd.Series(v, dtype=float)),
                 st.lists(HELD_DATE, max_size=30).map(
            lambda v: pd.Series(pd.to_datetime(pd.Series(v, dtype=object), format="%Y-%m-%d")))),
       st.booleans(), st.data())
def test_a_compacted_column_gives_the_statistics_of_the_column_it_stands_for(
        column: pd.Series, reorder: bool, data: st.DataObject) -> None:
    # a compacted dataset's column (aclf_cdisc.compact) is read by its codes; categories out of
    # first-appearance order (which pd.factorize would not give) are rebuilt first
    held = compact_column(column)
    if reorder and isinstance(held.dtype, pd.CategoricalDtype) and len(held.cat.categories) > 1:
        held = held.cat.reorder_categories(held.cat.categories[::-1])
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=len(column), max_size=len(column))), dtype=bool)
    plain, coded = DistinctColumn(column), DistinctColumn(held)
    assert coded.is_numeric() == plain.is_numeric()
    assert coded.factorized.uniques == plain.factorized.uniques
    assert coded.factorized.codes.tolist() == plain.factorized.codes.tolist()
    for got, expected in ((coded.everything(), plain.everything()), (coded.rows(mask), plain.rows(mask))):
        assert got.code_texts() == expected.code_texts()
        assert got.char_length() == expected.char_length()
        # the numbers held, each distinct one at least once (every use is a largest or a fewest)
        assert set(got.finite_numbers().tolist()) == set(expected.finite_numbers().tolist())


def test_a_compacted_text_column_is_not_rebuilt_to_be_factorized() -> None:
    held = compact_column(pd.Series(["ALT", None, "AST", "ALT"] * 1000, dtype=object))
    column = DistinctColumn(held)
    assert column.factorized.codes.dtype == np.int8  # the column's own codes
    assert column.values is held and column.everything().code_texts() == {"ALT", "AST"}
