"""Text cleaning done once per distinct value: the cost grows with the distinct values, not the records."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from aclf_cdisc.compact import coded


def per_distinct_text(values: pd.Series, clean: Callable[[str], str], missing: object) -> pd.Series:
    """``clean`` applied to each distinct value of ``values`` as text; ``missing`` for missing and blank results.

    Values become text as ``astype("string")`` makes them; the result is an object column on
    the same index.

    >>> per_distinct_text(pd.Series([" a ", None, " ", " a "]), str.strip, None).tolist()
    ['a', None, None, 'a']
    """
    codes, distinct = text_codes(values)
    cleaned = [clean(text) for text in distinct]
    lookup = np.array([text if text else missing for text in cleaned] + [missing], dtype=object)
    # code -1 (missing) takes the last; the taken array is new, so the Series need not copy it
    return pd.Series(lookup[codes], index=values.index, dtype=object, copy=False)


def text_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(codes, distinct): each distinct value of ``values`` as text (as ``astype("string")`` makes
    it) once, in order of first appearance, in an object array; record i holds
    ``distinct[codes[i]]``, code -1 for a missing value.

    A compacted column (:mod:`aclf_cdisc.compact`) of text gives its own codes and categories,
    nothing rebuilt.

    >>> codes, distinct = text_codes(pd.Series(["b", None, "b", 1.5]))
    >>> codes.tolist(), distinct.tolist()
    ([0, -1, 0, 1], ['b', '1.5'])
    """
    codes, distinct = coded(values)
    # text already (checked on the distinct values, not every record): no conversion
    if pd.api.types.infer_dtype(distinct, skipna=False) in ("string", "empty"):
        return codes, np.array(distinct, dtype=object)
    codes, converted = pd.factorize(values.astype("string"), use_na_sentinel=True)
    return codes, converted.to_numpy(dtype=object)


def by_distinct_text(values: pd.Series, derive: Callable[[pd.Series], object]) -> np.ndarray:
    """``derive`` (an element-wise function of a ``string`` Series) of ``values`` as text, computed
    once per distinct value: the cost grows with the distinct values, not the records.

    >>> by_distinct_text(pd.Series(["ab", None, "ab", "c"]), lambda t: t.str.len().fillna(-1)).tolist()
    [2, -1, 2, 1]
    """
    codes, text = distinct_text(values)
    return np.asarray(derive(text))[codes]


def distinct_text(values: pd.Series) -> tuple[np.ndarray, pd.Series]:
    """(codes, text): ``values`` as ``string`` text, each distinct value once, then a missing value;
    record i holds ``text[codes[i]]`` (code -1, missing, takes the last).

    >>> codes, text = distinct_text(pd.Series(["b", None, "b", "a"]))
    >>> codes.tolist(), text.tolist()
    ([0, -1, 0, 1], ['b', 'a', <NA>])
    """
    codes, distinct = text_codes(values)
    return codes, pd.Series(pd.array([*distinct, pd.NA], dtype="string"))


def map_distinct(values: pd.Series, fn: Callable[[Any], Any]) -> pd.Series:
    """``values.map(fn)`` for a pure ``fn``, called once per distinct text value (missing values
    one by one: None, NaN and NA may map differently). Values that are not all text map as usual.

    >>> map_distinct(pd.Series(["a", None, "a", "b"]), lambda v: f"<{v}>").tolist()
    ['<a>', '<nan>', '<a>', '<b>']
    """
    if pd.api.types.infer_dtype(values, skipna=True) not in ("string", "empty"):
        return values.map(fn)
    codes = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)[0]
    kinds, first = np.unique(codes, return_index=True)  # the first record of each code, -1 (missing) first
    first = first[kinds >= 0]
    missing = np.flatnonzero(codes == -1)
    mapped = values.iloc[np.concatenate([first, missing])].map(fn)
    indexer = codes.copy()
    indexer[missing] = len(first) + np.arange(len(missing))
    out = mapped.take(indexer)
    out.index = values.index
    return out
