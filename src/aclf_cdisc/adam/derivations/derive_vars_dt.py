"""derive_vars_dt: an ISO 8601 --DTC (possibly partial) to an ADaM date and its imputation flag."""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

from aclf_cdisc.errors import DerivationError, Issue

from ._common import as_date, as_tuple, assert_columns, assert_frame, assert_new_vars, record_key

_DATE_PART = r"(?P<y>\d{4})(?:-(?P<m>\d{2}|-)(?:-(?P<d>\d{2}|-))?)?"
_TIME_PART = r"(?:T[0-9:.\-]*(?:Z|[+\-]\d{2}(?::?\d{2})?)?)?"  # from the first "T" on (a date part has none)
_DATE, _TIME = re.compile(_DATE_PART), re.compile(_TIME_PART)  # ISO 8601: a date part, then a time part
_LEVELS = {"n": 0, "D": 1, "M": 2}
_UNIT = "datetime64[s]"  # wide enough for any year 0001-9999; narrowed to [ns] (checked) at the end
# What a distinct --DTC text is: missing/blank, not ISO 8601, a complete date, a partial date to
# impute, a partial date above the imputation level, year 0000 to impute, or not text at all.
_BLANK, _INVALID, _COMPLETE, _IMPUTED, _NOT_IMPUTED, _YEAR_0, _OTHER = range(7)
_NAT = np.datetime64("NaT", "s")
_MISSING = (_BLANK, _NAT, _NAT, _NAT, None)
_OTHER_VALUE = (_OTHER, _NAT, _NAT, _NAT, None)


def _parse(text: str) -> tuple[int, int | None, int | None] | None:
    """(year, month, day) of a date part with None for a missing part; parts after a missing one
    are dropped."""
    match = _DATE.fullmatch(text)
    if not match:
        return None
    year = int(match["y"])
    month = int(match["m"]) if match["m"] and match["m"] != "-" else None
    day = int(match["d"]) if month is not None and match["d"] and match["d"] != "-" else None
    return year, month, day


def _day(year: int, month: int, day: int) -> np.datetime64:
    return np.datetime64(date(year, month, day), "s")


def _classify(text: str, level_allowed: int,
              date_imputation: str) -> tuple[int, np.datetime64, np.datetime64, np.datetime64, str | None]:
    """(state, lowest date, highest date, imputed date, imputation flag) of one --DTC text."""
    text = text.strip()
    if text == "":
        return _MISSING
    # the date part alone decides the result once the time part is well formed: each distinct
    # date part is judged once (many date/times share a day)
    at = text.find("T")
    day, time = (text, "") if at < 0 else (text[:at], text[at:])
    if not _TIME.fullmatch(time):
        return (_INVALID, _NAT, _NAT, _NAT, None)
    return _classify_date(day, level_allowed, date_imputation)


@functools.lru_cache(maxsize=1 << 16)
def _classify_date(text: str, level_allowed: int,
                   date_imputation: str) -> tuple[int, np.datetime64, np.datetime64, np.datetime64, str | None]:
    """:func:`_classify` of the date part of a --DTC text (stripped, up to its "T")."""
    parsed = _parse(text)
    if parsed is None:
        return (_INVALID, _NAT, _NAT, _NAT, None)
    year, month, day = parsed
    if month is not None:
        try:
            date(year, month, day or 1)
        except ValueError:
            return (_INVALID, _NAT, _NAT, _NAT, None)
    level = 0 if day is not None else (1 if month is not None else 2)
    if level > level_allowed:
        return (_NOT_IMPUTED, _NAT, _NAT, _NAT, None)
    if month is not None and day is not None:
        complete = _day(year, month, day)
        return (_COMPLETE, complete, complete, complete, None)
    if month is not None:
        lo, hi = _day(year, month, 1), _day(year, month, calendar.monthrange(year, month)[1])
        imputed = {"first": lo, "last": hi, "mid": _day(year, month, 15)}[date_imputation]
    elif year == 0:
        return (_YEAR_0, _NAT, _NAT, _NAT, None)
    else:
        lo, hi = _day(year, 1, 1), _day(year, 12, 31)
        imputed = {"first": lo, "last": hi, "mid": _day(year, 6, 30)}[date_imputation]
    return (_IMPUTED, lo, hi, imputed, "D" if level == 1 else "M")


def derive_vars_dt(
    dataset: pd.DataFrame,
    new_vars_prefix: str,
    dtc: str,
    *,
    highest_imputation: str = "n",
    date_imputation: str = "first",
    flag_imputation: bool = True,
    min_dates: Sequence[str] = (),
    max_dates: Sequence[str] = (),
    dataset_name: str = "dataset",
    subject_keys: Sequence[str] = ("USUBJID",),
) -> pd.DataFrame:
    """Add ``<prefix>DT`` (and ``<prefix>DTF``) from the ISO 8601 text in ``dtc``.

    Permitted values:
      highest_imputation: "n" (no imputation: only complete dates), "D" (day may be imputed),
        "M" (month and day may be imputed). Year imputation is not offered: a missing year
        yields a missing date.
      date_imputation: "first" (month -> 01, day -> 01), "mid" (month -> 06 with day 30 when the
        month is missing; day -> 15 when only the day is missing), "last" (month -> 12, day ->
        last day of the month).
      min_dates / max_dates: date columns of ``dataset`` (e.g. "TRTSDT"; "DTHDT").
      flag_imputation: False leaves out ``<prefix>DTF``.

    Details (first match decides, per value of ``dtc``):
      1. Missing or blank text: DT and DTF missing.
      2. Text that is not ISO 8601 (YYYY, YYYY-MM, YYYY-MM-DD, optionally with a time part;
         "-" for a missing month or day, anything after a missing part is ignored) or an
         impossible calendar date: DerivationError naming the record, column and value.
      3. Complete date: DT is that date (a time part is dropped), DTF missing.
      4. Missing part above ``highest_imputation`` (e.g. "2023" with "D"): DT and DTF missing.
      5. Otherwise the date is imputed per ``date_imputation``; then, for each min date lying in
         the range of dates the partial date could be, DT becomes at least that min date, and for
         each max date in that range, DT becomes at most that max date (so, per study.md "TEAE",
         an AE start "2023-10" is never imputed before a TRTSDT of 2023-10-12: it becomes
         2023-10-12, and stays conservatively treatment-emergent). DTF is "D" when only the day
         was imputed, "M" when month and day were (ADaM date imputation flag values).

    Returns: a copy of ``dataset`` with ``<prefix>DT`` (datetime64[ns]) and ``<prefix>DTF`` added.

    Example::

        >>> ae = pd.DataFrame({"USUBJID": ["1", "2"], "AESTDTC": ["2023-10", "2023-10-05"],
        ...                    "TRTSDT": pd.to_datetime(["2023-10-12", "2023-10-01"])})
        >>> out = derive_vars_dt(ae, "AST", "AESTDTC", highest_imputation="M", min_dates=["TRTSDT"])
        >>> out["ASTDT"].dt.strftime("%Y-%m-%d").tolist(), out["ASTDTF"].tolist()
        (['2023-10-12', '2023-10-05'], ['D', None])
    """
    assert_frame(dataset, "dataset")
    if highest_imputation not in _LEVELS:
        raise ValueError("`highest_imputation` must be one of 'n', 'D', 'M'")
    if date_imputation not in ("first", "mid", "last"):
        raise ValueError("`date_imputation` must be one of 'first', 'mid', 'last'")
    if not isinstance(new_vars_prefix, str) or not new_vars_prefix:
        raise ValueError("`new_vars_prefix` must be a non-empty string such as 'AST'")
    min_dates = as_tuple(min_dates, "min_dates")
    max_dates = as_tuple(max_dates, "max_dates")
    assert_columns(dataset, [dtc], dataset_name=dataset_name, argument="dtc")
    assert_columns(dataset, min_dates, dataset_name=dataset_name, argument="min_dates")
    assert_columns(dataset, max_dates, dataset_name=dataset_name, argument="max_dates")
    dt_var, dtf_var = f"{new_vars_prefix}DT", f"{new_vars_prefix}DTF"
    assert_new_vars(dataset, [dt_var, dtf_var] if flag_imputation else [dt_var], dataset_name=dataset_name)

    bounds_min = [as_date(dataset[c]).to_numpy().astype(_UNIT) for c in min_dates]
    bounds_max = [as_date(dataset[c]).to_numpy().astype(_UNIT) for c in max_dates]
    level_allowed = _LEVELS[highest_imputation]
    keys = [k for k in subject_keys if k in dataset.columns]

    # Each distinct text is classified once; every row takes its value's result.
    values = dataset[dtc].to_numpy(dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    table = [_classify(u, level_allowed, date_imputation) if isinstance(u, str) else _OTHER_VALUE
             for u in uniques]
    table.append(_MISSING)  # code -1: None, NaN, NaT, pd.NA
    state = np.array([t[0] for t in table], dtype=np.int8)[codes]
    lo = np.array([t[1] for t in table], dtype=_UNIT)[codes]
    hi = np.array([t[2] for t in table], dtype=_UNIT)[codes]
    imputed = np.array([t[3] for t in table], dtype=_UNIT)[codes]
    flags = np.array([t[4] for t in table], dtype=object)[codes]
    # Values that are not text (a number, say) are never merged by value (1 and 1.0 hash alike).
    for pos in np.flatnonzero(state == _OTHER):
        value = values[pos]
        result = _MISSING if pd.isna(value) else _classify(str(value), level_allowed, date_imputation)
        state[pos], lo[pos], hi[pos], imputed[pos], flags[pos] = result
    if (state == _YEAR_0).any():
        date(0, 1, 1)  # year 0000 to impute: the calendar's own error, as for any impossible date
    invalid = np.flatnonzero(state == _INVALID)
    if len(invalid):
        issues = []
        for pos in invalid:
            row = next(dataset.iloc[[int(pos)]].iterrows())[1]
            issues.append(Issue(rule="adam.dtc-invalid", dataset=dataset_name,
                                row=record_key(row, keys) or int(pos) + 1, column=dtc,
                                value=str(row[dtc]).strip(), message=f"{dtc} is not an ISO 8601 date",
                                expected="YYYY[-MM[-DD]]"))
        raise DerivationError(issues)

    partial = state == _IMPUTED
    for bound in bounds_min:
        inside = partial & ~np.isnat(bound) & (lo <= bound) & (bound <= hi)
        imputed = np.where(inside & (bound > imputed), bound, imputed)
    for bound in bounds_max:
        inside = partial & ~np.isnat(bound) & (lo <= bound) & (bound <= hi)
        imputed = np.where(inside & (bound < imputed), bound, imputed)
    dates = np.where(state == _COMPLETE, lo, np.where(partial, imputed, np.datetime64("NaT")))
    flags[~partial] = None

    out = dataset.copy(deep=False)
    derived = as_date(pd.Series(dates, dtype=_UNIT))
    derived.index = dataset.index
    out[dt_var] = derived
    if flag_imputation:
        out[dtf_var] = pd.Series(flags, index=dataset.index, dtype=object)
    return out
