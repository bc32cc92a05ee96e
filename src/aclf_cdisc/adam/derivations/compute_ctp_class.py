"""compute_ctp_class: Child-Turcotte-Pugh class A/B/C from the CTP score."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from aclf_cdisc.errors import DerivationError, Issue


def compute_ctp_class(score: Any) -> Any:
    """CTP class from the score: A for 5-6, B for 7-9, C for 10-15 (study.md "CTP").

    Details (first match decides):
      1. Missing score: missing class (None).
      2. A score that is not an integer in 5..15: DerivationError (rule adam.ctp-score-invalid).
      3. 5-6 -> "A"; 7-9 -> "B"; 10-15 -> "C".

    Returns: a str (or None) for a scalar, a Series of object dtype for a Series (same index),
    else a numpy object array.

    Example::

        >>> compute_ctp_class([5, 6, 7, 9, 10, 15]).tolist()
        ['A', 'A', 'B', 'B', 'C', 'C']
    """
    arr = np.asarray(score, dtype=float)
    flat = np.atleast_1d(arr)
    bad = ~np.isnan(flat) & ((flat < 5) | (flat > 15) | (flat != np.round(flat)))
    if bad.any():
        raise DerivationError([
            Issue(rule="adam.ctp-score-invalid", row=int(i) + 1, column="CTP", value=float(flat[i]),
                  message="a CTP score must be an integer from 5 to 15", expected="5..15")
            for i in np.flatnonzero(bad)
        ])
    classes = np.array([None if np.isnan(v) else "A" if v <= 6 else "B" if v <= 9 else "C" for v in flat],
                       dtype=object)
    if arr.ndim == 0:
        return classes[0]
    if isinstance(score, pd.Series):
        return pd.Series(classes, index=score.index, dtype=object)
    return classes.reshape(arr.shape)
