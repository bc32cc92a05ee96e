"""derive_vars_period: APERIOD, APERIODC and TRTA from the ADSL treatment periods."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from aclf_cdisc.errors import DerivationError, Issue

from ._common import as_date, as_tuple, assert_columns, assert_frame, assert_new_vars, record_key

_PERIOD_START = re.compile(r"^TR(\d\d)SDT$")


def derive_vars_period(
    dataset: pd.DataFrame,
    dataset_adsl: pd.DataFrame,
    *,
    date: str = "ADT",
    subject_keys: Sequence[str] = ("STUDYID", "USUBJID"),
    end_window: int = 0,
    period_labels: Mapping[int, str] | None = None,
    new_vars: Sequence[str] = ("APERIOD", "APERIODC", "TRTA"),
    dataset_name: str = "dataset",
) -> pd.DataFrame:
    """Attribute each record to the treatment period its date falls in.

    Permitted values: ``dataset_adsl`` holds TRxxSDT/TRxxEDT (xx = 01, 02, ...) and TRTxxA per
    subject; ``period_labels`` maps a period number to APERIODC (default "PERIOD xx", e.g.
    {1: "STAGE 1", 2: "STAGE 2"} for this study); ``end_window`` days are added to the end of
    a subject's last period (e.g. 28 to keep the TEAE follow-up in the last stage).

    Details (study.md "Stage attribution ... follows the element the date falls in"; first match
    decides, per record):
      1. Date missing, or subject not in ADSL: all three missing.
      2. Period xx covers TRxxSDT <= date <= the day before the subject's next period start;
         for the subject's last started period, <= TRxxEDT + end_window (TRxxEDT missing:
         open-ended). So the stage-1 to stage-2 interval (weeks 3-4) belongs to stage 1.
      3. Date before TR01SDT or after the last period's end: all three missing.
      4. A subject whose period starts do not increase (TR02SDT <= TR01SDT): DerivationError
         (rule adam.period-order).
      APERIOD = xx, APERIODC = the label, TRTA = TRTxxA (missing when ADSL lacks TRTxxA).

    Returns: a copy of ``dataset`` with APERIOD (Int64), APERIODC and TRTA added.

    Example::

        >>> derive_vars_period(adae, adsl, date="ASTDT", end_window=28,
        ...                    period_labels={1: "STAGE 1", 2: "STAGE 2"})
    """
    assert_frame(dataset, "dataset")
    assert_frame(dataset_adsl, "dataset_adsl")
    keys = as_tuple(subject_keys, "subject_keys")
    new_vars = as_tuple(new_vars, "new_vars")
    if len(new_vars) != 3:
        raise ValueError("`new_vars` must name three variables (APERIOD, APERIODC, TRTA)")
    if not isinstance(end_window, int) or end_window < 0:
        raise ValueError("`end_window` must be a non-negative integer number of days")
    numbers = sorted(int(m.group(1)) for c in dataset_adsl.columns if (m := _PERIOD_START.match(c)))
    if not numbers:
        raise DerivationError(Issue(rule="adam.column-missing", dataset="ADSL", column="TR01SDT",
                                    message="ADSL has no TRxxSDT period start", expected="TR01SDT, ..."))
    assert_columns(dataset_adsl, [*keys, *[f"TR{n:02d}EDT" for n in numbers]], dataset_name="ADSL",
                   argument="subject_keys / period end dates")
    assert_columns(dataset, [*keys, date], dataset_name=dataset_name, argument="date/subject_keys")
    assert_new_vars(dataset, new_vars, dataset_name=dataset_name)
    labels = dict(period_labels or {})

    adsl = dataset_adsl.set_index(list(keys))
    starts = np.stack([as_date(adsl[f"TR{n:02d}SDT"]).to_numpy() for n in numbers], axis=1)
    ends = np.stack([as_date(adsl[f"TR{n:02d}EDT"]).to_numpy() for n in numbers], axis=1)
    known = ~np.isnat(starts)
    # a known start not after the subject's latest earlier known start breaks the order
    disorder = np.zeros(len(adsl), dtype=bool)
    latest = np.full(len(adsl), np.datetime64("NaT"), dtype=starts.dtype)
    for j in range(len(numbers)):
        disorder |= known[:, j] & ~np.isnat(latest) & (starts[:, j] <= latest)
        latest = np.where(known[:, j], starts[:, j], latest)
    if disorder.any():
        issues = []
        for i in np.flatnonzero(disorder).tolist():
            row = dict(zip(keys, np.atleast_1d(adsl.index[i]), strict=True))
            issues.append(Issue(rule="adam.period-order", dataset="ADSL", row=record_key(row, keys),
                                column="TRxxSDT", value=[str(d)[:10] for d in starts[i][known[i]]],
                                message="period start dates do not increase", expected="TR01SDT < TR02SDT < ..."))
        raise DerivationError(issues)

    # period windows per subject: [start, next start - 1] or [start, end + window] for the last
    lows = starts
    highs = np.full_like(starts, np.datetime64("NaT"))
    later_start = np.zeros_like(known)  # a known start in a later period
    nxt = np.full(len(adsl), np.datetime64("NaT"), dtype="datetime64[ns]")  # first known later start
    for j in reversed(range(len(numbers))):
        last_end = ends[:, j] + np.timedelta64(end_window, "D")
        highs[:, j] = np.where(np.isnat(nxt), last_end, nxt - np.timedelta64(1, "D"))
        if j + 1 < len(numbers):
            later_start[:, j] = later_start[:, j + 1] | known[:, j + 1]
        nxt = np.where(known[:, j], starts[:, j], nxt)

    lookup = (pd.MultiIndex.from_frame(dataset[list(keys)]) if len(keys) > 1
              else pd.Index(dataset[keys[0]]))
    pos = adsl.index.get_indexer(lookup)
    dates = as_date(dataset[date]).to_numpy()
    matched = (pos >= 0) & ~np.isnat(dates)
    at = np.where(matched, pos, 0)
    period = np.full(len(dataset), -1)
    for j in range(len(numbers) if len(adsl) else 0):
        lo, hi = lows[at, j], highs[at, j]
        inside = matched & (period < 0) & ~np.isnat(lo) & (dates >= lo) & (np.isnat(hi) | (dates <= hi))
        inside &= ~(np.isnat(hi) & later_start[at, j])
        period[inside] = j

    out = dataset.copy()
    aperiod_var, aperiodc_var, trta_var = new_vars
    found = period >= 0
    nums = np.array(numbers)
    out[aperiod_var] = pd.array(np.where(found, nums[period], np.nan), dtype="Int64")
    names = np.array([labels.get(int(n), f"PERIOD {n:02d}") for n in nums] + [None], dtype=object)
    out[aperiodc_var] = pd.Series(names[period], index=dataset.index, dtype=object)
    trta = np.full(len(dataset), None, dtype=object)
    for j, n in enumerate(nums):
        col = f"TRT{n:02d}A"
        if col not in adsl.columns:
            continue
        rows = np.flatnonzero(period == j)
        column = adsl[col]
        if pd.api.types.is_object_dtype(column.dtype) or isinstance(column.dtype, pd.StringDtype):
            trta[rows] = column.to_numpy(dtype=object)[pos[rows]]
        else:  # typed columns: the value exactly as the subject's ADSL record holds it
            trta[rows] = [adsl.iloc[pos[r]][col] for r in rows]
    out[trta_var] = pd.Series(trta, index=dataset.index, dtype=object)
    return out
