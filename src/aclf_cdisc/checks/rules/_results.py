"""Findings results: which --STRESC/--ORRES values are numbers, and which are numbers censored at a limit."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from aclf_cdisc.checks.rules._common import missing_mask

CENSORED = re.compile(r"^\s*[<>]=?\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")


def as_number(series: pd.Series) -> pd.Series:
    """The value as a float where the text is a plain number, NaN elsewhere (missing included)."""
    if pd.api.types.is_numeric_dtype(series.dtype):
        return series.astype(float)
    return pd.to_numeric(series.astype("string").str.strip(), errors="coerce").astype(float)


def is_continuous(series: pd.Series) -> np.ndarray:
    """True where the result is a number or a number censored at a limit ('<5', '>= 200')."""
    text = series.astype("string").fillna("")
    return (as_number(series).notna() | text.str.match(CENSORED.pattern)).to_numpy(dtype=bool)


def result_pairs(frame: pd.DataFrame, first: str, second: str) -> list[str]:
    """Prefixes P for which both P+first and P+second are columns (LB for LBSTRESC/LBSTRESN)."""
    return sorted(c[: -len(first)] for c in frame.columns
                  if isinstance(c, str) and c.endswith(first) and f"{c[: -len(first)]}{second}" in frame.columns)


def populated(series: pd.Series) -> np.ndarray:
    return ~missing_mask(series).to_numpy(dtype=bool)
