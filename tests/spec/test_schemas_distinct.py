"""The per-distinct-value predicates and the shared where-clause columns agree with element-wise ``map``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from aclf_cdisc.spec import schemas

MIXED = pd.Series(["1.5", " 2 ", "", "  ", "abc", None, np.nan, pd.NA, 1, 1.0, True, "é" * 5, "abc"], dtype=object)


def _elementwise(series: pd.Series, predicate) -> list[bool]:
    return [bool(v) for v in series.map(predicate)]


def test_01_map_distinct_matches_map_on_mixed_objects() -> None:
    for predicate in (schemas._text_ok, schemas._blank_text, schemas._number_text_ok):
        assert schemas._map_distinct(MIXED, predicate).tolist() == _elementwise(MIXED, predicate)


def test_02_map_distinct_matches_map_on_typed_columns() -> None:
    for series in (pd.Series([1.0, np.nan, -0.0, 0.0]), pd.Series(["a", None, " "], dtype="str"),
                   pd.Series([], dtype=object)):
        for predicate in (schemas._text_ok, schemas._blank_text, schemas._number_text_ok):
            assert schemas._map_distinct(series, predicate).tolist() == _elementwise(series, predicate)


def test_03_where_mask_is_the_same_inside_and_outside_a_shared_scope() -> None:
    frame = pd.DataFrame({"LBTESTCD": [" ALT", "AST", None, "ALT "], "N": ["1", "x", "3", None]})
    conditions = (("LBTESTCD", "IN", ("ALT",)), ("N", "LT", ("2",)))
    alone = schemas._where_mask(frame, conditions).tolist()
    with schemas._shared_condition_columns():
        first = schemas._where_mask(frame, conditions).tolist()
        again = schemas._where_mask(frame, (("LBTESTCD", "NE", ("ALT",)),)).tolist()
    assert alone == first == [True, False, False, False]
    assert again == [False, True, True, False]
