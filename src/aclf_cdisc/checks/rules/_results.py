"""Findings results: which --STRESC/--ORRES values are numbers, and which are numbers censored at a limit."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from aclf_cdisc.checks.rules._common import missing_mask
from aclf_cdisc.sdtm.text import by_distinct_text

CENSORED = re.compile(r"^\s*[<>]=?\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")


def as_number(series: pd.Series) -> pd.Series:
    """The value as a float where the text is a plain number, NaN elsewhere (missing included)."""
    if pd.api.types.is_numeric_dtype(series.dtype):
        return series.astype(float)
    return pd.Series(by_distinct_text(series, _number), index=series.index, name=series.name)


def _number(text: pd.Series) -> pd.Series:
    return pd.to_numeric(text.str.strip(), errors="coerce").astype(float)


def is_continuous(series: pd.Series) -> np.ndarray:
    """True where the result is a number or a number censored at a limit ('<5', '>= 200')."""
    censored = by_distinct_text(series, lambda text: text.fillna("").str.match(CENSORED.pattern))
    return as_number(series).notna().to_numpy(dtype=bool) | censored.astype(bool)


def result_pairs(frame: pd.DataFrame, first: str, second: str) -> list[str]:
    """Prefixes P for which both P+first and P+second are columns (LB for LBSTRESC/LBSTRESN)."""
    return sorted(c[: -len(first)] for c in frame.columns
                  if isinstance(c, str) and c.endswith(first) and f"{c[: -len(first)]}{second}" in frame.columns)


def populated(series: pd.Series) -> np.ndarray:
    return ~missing_mask(series).to_numpy(dtype=bool)
