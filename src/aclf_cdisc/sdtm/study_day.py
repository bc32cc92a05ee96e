"""Study day (--DY): SDTMIG 3.4 section 4.4.4. There is no day 0."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from aclf_cdisc.sdtm.text import text_codes

COMPLETE_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")  # the date part of a value with a complete date


def _distinct_dates(dtc: pd.Series) -> tuple[np.ndarray, list[str | None]]:
    """(codes, dates): each distinct complete date part of ``dtc`` as text, then None for partial
    and missing values; record i holds ``dates[codes[i]]``. Each distinct value is sliced once
    and each distinct date part checked once."""
    codes, distinct = text_codes(dtc)
    parts = np.array([text[:10] for text in distinct], dtype=object)
    part_codes, part_text = pd.factorize(parts)
    dates = [date if COMPLETE_DATE.fullmatch(date) else None for date in part_text] + [None]
    # a missing value (code -1) takes the last part code, -1, which takes the last date, None
    return np.append(part_codes, -1)[codes], dates


def iso_date_part(dtc: pd.Series) -> pd.Series:
    """The complete date part (YYYY-MM-DD) of ISO 8601 values; missing when the date is partial."""
    codes, dates = _distinct_dates(dtc)
    return pd.Series(pd.array(dates, dtype="string").take(codes), index=dtc.index, dtype="string", name=dtc.name)


def iso_dates(dtc: pd.Series) -> pd.Series:
    """``pd.to_datetime`` of :func:`iso_date_part`: NaT when the date is partial, missing or not
    a calendar date. Each distinct date is parsed once.

    >>> iso_dates(pd.Series(["2024-03-05T14:30", "2024-02-30", None])).dt.day.tolist()
    [5.0, nan, nan]
    """
    codes, dates = _distinct_dates(dtc)
    parsed = pd.to_datetime(pd.Series(dates, dtype="string"), format="%Y-%m-%d", errors="coerce")
    return pd.Series(parsed.array.take(codes), index=dtc.index, name=dtc.name)


def compute_dy(dtc: pd.Series, ref_dtc: pd.Series) -> pd.Series:
    """--DY = date - reference + 1 on or after the reference date, date - reference before it.

    Empty (missing) when either date is partial or missing. Returns a nullable Int64 series.
    """
    delta = (iso_dates(dtc) - iso_dates(ref_dtc)).dt.days
    dy = delta.where(delta < 0, delta + 1)
    return dy.astype("Int64")
