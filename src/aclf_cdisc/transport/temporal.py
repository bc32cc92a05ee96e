"""SAS date, datetime and time values <-> Python/pandas ones, chosen by a variable's display format.

SAS stores a date as days since 1960-01-01, a datetime as seconds since 1960-01-01T00:00:00 and
a time as seconds since midnight; the display format is the only thing that says which. The
format families below are the SAS ones (base names without width), so ``DATE9.``,
``YYMMDD10.`` and ``E8601DA.`` are dates, ``DATETIME20.`` and ``E8601DT.`` datetimes, ``TIME8.``
and ``TOD.`` times.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

TemporalKind = Literal["date", "datetime", "time"]

SAS_EPOCH = dt.datetime(1960, 1, 1)
_EPOCH64 = np.datetime64("1960-01-01T00:00:00", "ns")
_EPOCH_SECONDS = np.datetime64("1960-01-01T00:00:00", "s")

DATE_FORMATS: frozenset[str] = frozenset({
    "DATE", "DAY", "DDMMYY", "DDMMYYB", "DDMMYYC", "DDMMYYD", "DDMMYYN", "DDMMYYP", "DDMMYYS",
    "DOWNAME", "E8601DA", "B8601DA", "IS8601DA", "EURDFDD", "EURDFDE", "EURDFDN", "EURDFDWN",
    "EURDFMY", "EURDFMN", "EURDFWDX", "EURDFWKX", "JULDAY", "JULIAN", "MMDDYY", "MMDDYYB",
    "MMDDYYC", "MMDDYYD", "MMDDYYN", "MMDDYYP", "MMDDYYS", "MMYY", "MMYYC", "MMYYD", "MMYYN",
    "MMYYP", "MMYYS", "MONNAME", "MONTH", "MONYY", "NENGO", "QTR", "QTRR", "WEEKDATE",
    "WEEKDATX", "WEEKDAY", "WEEKU", "WEEKV", "WEEKW", "WORDDATE", "WORDDATX", "YEAR", "YYMM",
    "YYMMC", "YYMMD", "YYMMN", "YYMMP", "YYMMS", "YYMMDD", "YYMMDDB", "YYMMDDC", "YYMMDDD",
    "YYMMDDN", "YYMMDDP", "YYMMDDS", "YYMON", "YYQ", "YYQC", "YYQD", "YYQN", "YYQP", "YYQS",
    "YYQR", "YYQRC", "YYQRD", "YYQRN", "YYQRP", "YYQRS", "MINGUO",
})
DATETIME_FORMATS: frozenset[str] = frozenset({
    "DATETIME", "DATEAMPM", "DTDATE", "DTMONYY", "DTWKDATX", "DTYEAR", "DTYYQC", "E8601DT",
    "E8601DZ", "E8601DN", "B8601DT", "B8601DZ", "B8601DN", "IS8601DT", "IS8601DZ", "MDYAMPM",
})
TIME_FORMATS: frozenset[str] = frozenset({
    "TIME", "TIMEAMPM", "TOD", "HHMM", "HOUR", "MMSS", "E8601TM", "E8601TZ", "B8601TM",
    "B8601TZ", "IS8601TM", "IS8601TZ",
})


def temporal_kind(format_name: str) -> TemporalKind | None:
    """'date', 'datetime' or 'time' when a format name (no width) shows a SAS temporal value."""
    name = format_name.upper()
    if name in DATE_FORMATS:
        return "date"
    if name in DATETIME_FORMATS:
        return "datetime"
    if name in TIME_FORMATS:
        return "time"
    return None


def unit_seconds(kind: TemporalKind) -> int:
    """Seconds in one SAS unit of the kind: a day for dates, a second otherwise."""
    return 86400 if kind == "date" else 1


def datetime64_to_sas(values: npt.NDArray[np.datetime64], kind: TemporalKind) -> npt.NDArray[np.float64]:
    """datetime64 (any unit, NaT allowed) -> SAS days or seconds since 1960 as float64 (NaT -> NaN)."""
    stamps = values if values.dtype.kind == "M" else values.astype("datetime64[ns]")
    delta = stamps - _EPOCH_SECONDS  # in the values' own unit: microseconds reach years past 2262
    out = delta / np.timedelta64(unit_seconds(kind), "s")
    return np.asarray(out, dtype=np.float64)


def timedelta64_to_sas(values: npt.NDArray[np.timedelta64]) -> npt.NDArray[np.float64]:
    """timedelta64 (time of day) -> SAS seconds as float64 (NaT -> NaN)."""
    return np.asarray(values.astype("timedelta64[ns]") / np.timedelta64(1, "s"), dtype=np.float64)


def python_to_sas(value: object, kind: TemporalKind) -> float | None:
    """One Python date/datetime/time/timedelta/Timestamp -> SAS number; None when not temporal."""
    if isinstance(value, dt.datetime):  # includes pd.Timestamp; check before date (subclass)
        if value.tzinfo is not None:
            return None
        seconds = (pd.Timestamp(value) - pd.Timestamp(SAS_EPOCH)) / pd.Timedelta(seconds=1)
        return float(seconds) / unit_seconds(kind) if kind != "time" else None
    if isinstance(value, dt.date):
        days = (value - SAS_EPOCH.date()).days
        return {"date": float(days), "datetime": float(days) * 86400.0}.get(kind)
    if isinstance(value, dt.time):
        if kind != "time" or value.tzinfo is not None:
            return None
        return value.hour * 3600.0 + value.minute * 60.0 + value.second + value.microsecond / 1e6
    if isinstance(value, (dt.timedelta, pd.Timedelta)):
        return value.total_seconds() if kind == "time" else None
    return None


def sas_to_pandas(values: npt.NDArray[np.float64], kind: TemporalKind) -> pd.Series:
    """SAS numbers (NaN missing) -> datetime64[us] (dates, datetimes) or timedelta64[us] (times).

    Microseconds: the finest unit a SAS datetime (a double of seconds) carries for modern dates,
    and a range of +-290,000 years, so no SAS date overflows.
    """
    micros = np.round(values * (unit_seconds(kind) * 1e6))
    finite = np.isfinite(micros)
    as_int = np.where(finite, micros, 0).astype(np.int64).astype("timedelta64[us]")
    as_int[~finite] = np.timedelta64("NaT")
    if kind == "time":
        return pd.Series(as_int)
    return pd.Series(_EPOCH64.astype("datetime64[us]") + as_int)
