"""Study day (--DY): SDTMIG 3.4 section 4.4.4. There is no day 0."""

from __future__ import annotations

import pandas as pd


def iso_date_part(dtc: pd.Series) -> pd.Series:
    """The complete date part (YYYY-MM-DD) of ISO 8601 values; missing when the date is partial."""
    codes, distinct = pd.factorize(dtc.astype("string"), use_na_sentinel=True)  # each distinct value once
    date = pd.Series(distinct, dtype="string").str.slice(0, 10)
    complete = date.str.fullmatch(r"\d{4}-\d{2}-\d{2}").fillna(False).astype(bool)
    lookup = pd.concat([date.where(complete), pd.Series([pd.NA], dtype="string")], ignore_index=True)
    # code -1 (missing) takes the last value, NA
    return pd.Series(lookup.array.take(codes), index=dtc.index, dtype="string", name=dtc.name)


def compute_dy(dtc: pd.Series, ref_dtc: pd.Series) -> pd.Series:
    """--DY = date - reference + 1 on or after the reference date, date - reference before it.

    Empty (missing) when either date is partial or missing. Returns a nullable Int64 series.
    """
    date = pd.to_datetime(iso_date_part(dtc), format="%Y-%m-%d", errors="coerce")
    ref = pd.to_datetime(iso_date_part(ref_dtc), format="%Y-%m-%d", errors="coerce")
    delta = (date - ref).dt.days
    dy = delta.where(delta < 0, delta + 1)
    return dy.astype("Int64")
