"""on_or_after_start: whether an observation falls at or after the start of a period (element).

The one boundary rule of APERIOD (and of the stage baselines that depend on it), matching the
EPOCH rule of SDTM: full datetimes are compared whenever both sides have a time; a date-only
side is compared by date, and an observation on the start day itself is resolved by
``observation_without_time``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

BOUNDARY_RULES = ("before", "after")


def _parse(values: Any) -> tuple[np.ndarray, np.ndarray]:
    """(datetime64[m] values, has-time mask) from ISO 8601 text or datetime64 values.

    Text of 16+ characters ("YYYY-MM-DDThh:mm") has a time; 10 characters is a date; anything
    shorter (partial) or missing is NaT. datetime64 input has a time unless it is NaT.
    """
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        dt = series.to_numpy(dtype="datetime64[m]")
        return dt, ~np.isnat(dt)
    text = series.astype(object).where(series.notna(), "").astype(str)
    codes, distinct = pd.factorize(text.to_numpy(dtype=object))  # each distinct text parsed once
    dt, timed = _parse_text(pd.Series(distinct, dtype=object))
    return dt[codes], timed[codes]


def _parse_text(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_parse` of text values."""
    text = text.str.strip()
    timed = text.str.len().to_numpy() >= 16
    dated = text.str.len().to_numpy() >= 10
    clipped = text.str.slice(0, 16).where(timed, text.str.slice(0, 10)).where(dated, "")
    dt = pd.to_datetime(clipped.replace("", None), format="ISO8601", errors="coerce").to_numpy(dtype="datetime64[m]")
    return dt, timed & ~np.isnat(dt)


def on_or_after_start(observed: Any, start: Any, *, observation_without_time: str = "before") -> np.ndarray:
    """True where an observation is at or after a period start, element by element.

    Permitted values: ``observed`` and ``start`` are equal-length sequences of ISO 8601 text
    ("2023-11-02T13:35", "2023-11-02") or datetime64 values (a datetime64 value has a time);
    ``observation_without_time`` is "before" (an observation dated the start day without a time,
    or against a start without a time, belongs to the earlier period: e.g. a pre-dose assessment
    on the day of the stage-2 infusion) or "after" (it belongs to the period that starts); the
    words of the SDTM EPOCH convention (study.yaml epoch_boundary.observation_without_time).

    Details (first match decides, per element):
      1. Either side missing or partial: False (no comparison is possible).
      2. Both sides have a time: observed >= start (an observation at the very minute of the
         start belongs to the period that starts, as an element starts at its SESTDTC).
      3. Otherwise by date: a later day is True, an earlier day False; the start day itself is
         False under "before" and True under "after".

    Returns: a boolean numpy array.

    Example::

        >>> on_or_after_start(["2023-11-02T09:00", "2023-11-02T14:00", "2023-11-02", "2023-11-03"],
        ...                   ["2023-11-02T13:35"] * 4).tolist()
        [False, True, False, True]
        >>> on_or_after_start(["2023-11-02"], ["2023-11-02T13:35"], observation_without_time="after").tolist()
        [True]
    """
    if observation_without_time not in BOUNDARY_RULES:
        raise ValueError(f"`observation_without_time` must be one of {BOUNDARY_RULES}")
    obs, obs_timed = _parse(observed)
    st, st_timed = _parse(start)
    if obs.shape != st.shape:
        raise ValueError(f"`observed` has {obs.size} values, `start` {st.size}")
    known = ~np.isnat(obs) & ~np.isnat(st)
    both_timed = obs_timed & st_timed
    obs_day, st_day = obs.astype("datetime64[D]"), st.astype("datetime64[D]")
    same_day = obs_day == st_day
    by_date = (obs_day > st_day) | (same_day & (observation_without_time == "after"))
    return known & np.where(both_timed, obs >= st, by_date)
