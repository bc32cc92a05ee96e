"""compute_ctp_class: Child-Turcotte-Pugh class A/B/C from the CTP score."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from aclf_cdisc.errors import DerivationError, Issue
from aclf_cdisc.spec.conventions import CtpConvention


def compute_ctp_class(score: Any, *, ctp: CtpConvention) -> Any:
    """CTP class from the score: A for 5-6, B for 7-9, C for 10-15 (study.md "CTP").

    The classes and their score ranges are ``ctp.classes`` (``conventions.ctp.classes`` in
    specs/study.yaml); the study's are quoted here.

    Details (first match decides):
      1. Missing score: missing class (None).
      2. A score that is not an integer within the classes' ranges (5..15): DerivationError
         (rule adam.ctp-score-invalid).
      3. The class whose inclusive range holds the score: 5-6 -> "A"; 7-9 -> "B"; 10-15 -> "C".

    Returns: a str (or None) for a scalar, a Series of object dtype for a Series (same index),
    else a numpy object array.

    Example::

        >>> from aclf_cdisc.spec import load_conventions
        >>> from aclf_cdisc.spec.conventions import ctp_convention
        >>> ctp = ctp_convention(load_conventions())
        >>> compute_ctp_class([5, 6, 7, 9, 10, 15], ctp=ctp).tolist()
        ['A', 'A', 'B', 'B', 'C', 'C']
    """
    arr = np.asarray(score, dtype=float)
    flat = np.atleast_1d(arr)

    def class_of(value: float) -> str | None:
        if value != np.round(value):
            return None
        return next((name for name, (low, high) in ctp.classes.items() if low <= value <= high), None)

    classes = np.array([None if np.isnan(v) else class_of(float(v)) for v in flat], dtype=object)
    bad = ~np.isnan(flat) & np.array([c is None for c in classes])
    if bad.any():
        lowest = min(low for low, _ in ctp.classes.values())
        highest = max(high for _, high in ctp.classes.values())
        raise DerivationError([
            Issue(rule="adam.ctp-score-invalid", row=int(i) + 1, column="CTP", value=float(flat[i]),
                  message=f"a CTP score must be an integer from {lowest} to {highest}",
                  expected=f"{lowest}..{highest}")
            for i in np.flatnonzero(bad)
        ])
    if arr.ndim == 0:
        return classes[0]
    if isinstance(score, pd.Series):
        return pd.Series(classes, index=score.index, dtype=object)
    return classes.reshape(arr.shape)
