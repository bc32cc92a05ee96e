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
    issues = []
    for i in range(len(adsl)):
        known = starts[i][~pd.isna(starts[i])]
        if (np.diff(known.astype("int64")) <= 0).any():
            row = dict(zip(keys, np.atleast_1d(adsl.index[i]), strict=True))
            issues.append(Issue(rule="adam.period-order", dataset="ADSL", row=record_key(row, keys),
                                column="TRxxSDT", value=[str(d)[:10] for d in known],
                                message="period start dates do not increase", expected="TR01SDT < TR02SDT < ..."))
    if issues:
        raise DerivationError(issues)

    # period windows per subject: [start, next start - 1] or [start, end + window] for the last
    lows = starts
    highs = np.full_like(starts, np.datetime64("NaT"))
    for j in range(len(numbers)):
        later = starts[:, j + 1:] if j + 1 < len(numbers) else np.empty((len(adsl), 0), dtype=starts.dtype)
        nxt = np.array([r[~pd.isna(r)][0] if (~pd.isna(r)).any() else np.datetime64("NaT") for r in later],
                       dtype="datetime64[ns]") if later.shape[1] else np.full(len(adsl), np.datetime64("NaT"),
                                                                                  dtype="datetime64[ns]")
        last_end = ends[:, j] + np.timedelta64(end_window, "D")
        highs[:, j] = np.where(pd.isna(nxt), last_end, nxt - np.timedelta64(1, "D"))

    lookup = (pd.MultiIndex.from_frame(dataset[list(keys)]) if len(keys) > 1
              else pd.Index(dataset[keys[0]]))
    pos = adsl.index.get_indexer(lookup)
    dates = as_date(dataset[date]).to_numpy()
    period = np.full(len(dataset), -1)
    for r in range(len(dataset)):
        if pos[r] < 0 or pd.isna(dates[r]):
            continue
        for j in range(len(numbers)):
            lo, hi = lows[pos[r], j], highs[pos[r], j]
            if pd.isna(lo) or dates[r] < lo or (not pd.isna(hi) and dates[r] > hi):
                continue
            if pd.isna(hi) and j + 1 < len(numbers) and not pd.isna(starts[pos[r], j + 1:]).all():
                continue
            period[r] = j
            break

    out = dataset.copy()
    aperiod_var, aperiodc_var, trta_var = new_vars
    found = period >= 0
    nums = np.array(numbers)
    out[aperiod_var] = pd.array(np.where(found, nums[period], np.nan), dtype="Int64")
    out[aperiodc_var] = pd.Series(
        [labels.get(int(nums[p]), f"PERIOD {nums[p]:02d}") if p >= 0 else None for p in period],
        index=dataset.index, dtype=object)
    trta = []
    for r, p in enumerate(period):
        col = f"TRT{nums[p]:02d}A" if p >= 0 else None
        trta.append(adsl.iloc[pos[r]][col] if col and col in adsl.columns else None)
    out[trta_var] = pd.Series(trta, index=dataset.index, dtype=object)
    return out
