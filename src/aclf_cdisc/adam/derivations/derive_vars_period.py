"""derive_vars_period: APERIOD, APERIODC and TRTA from the ADSL treatment periods."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from aclf_cdisc.errors import DerivationError, Issue
from aclf_cdisc.sdtm.epoch import START_OF_DAY, element_of

from ._common import as_date, as_tuple, assert_columns, assert_frame, assert_new_vars, record_key

_PERIOD_START = re.compile(r"^TR(\d\d)SDT$")


def _start_text(adsl: pd.DataFrame, n: int) -> np.ndarray:
    """Period n's start per subject as ISO text: TRnnSDTM ("YYYY-MM-DDThh:mm") when ADSL has it,
    else TRnnSDT ("YYYY-MM-DD", a date-only start); missing: None."""
    day = as_date(adsl[f"TR{n:02d}SDT"])
    text = day.dt.strftime("%Y-%m-%d").astype(object).where(day.notna(), None)
    if f"TR{n:02d}SDTM" in adsl.columns:
        dtm = pd.to_datetime(adsl[f"TR{n:02d}SDTM"])
        text = dtm.dt.strftime("%Y-%m-%dT%H:%M").astype(object).where(dtm.notna(), text)
    return text.to_numpy(dtype=object)


def _subject_key(frame: pd.DataFrame, keys: Sequence[str]) -> np.ndarray:
    """One text key per row from the subject key columns (element_of matches on one column)."""
    parts = [frame[key].astype(str).to_numpy(dtype=object) for key in keys]
    joined = parts[0] if parts else np.full(len(frame), "", dtype=object)
    for part in parts[1:]:
        joined = joined + "\x1f" + part  # element-wise on object arrays: the same text as "\x1f".join
    return joined


def derive_vars_period(
    dataset: pd.DataFrame,
    dataset_adsl: pd.DataFrame,
    *,
    date: str = "ADT",
    dtc: str | None = None,
    observation_without_time: str = "before",
    element_start_without_time: str = START_OF_DAY,
    subject_keys: Sequence[str] = ("STUDYID", "USUBJID"),
    end_window: int = 0,
    period_labels: Mapping[int, str] | None = None,
    new_vars: Sequence[str] = ("APERIOD", "APERIODC", "TRTA"),
    dataset_name: str = "dataset",
) -> pd.DataFrame:
    """Attribute each record to the treatment period its date falls in.

    Permitted values: ``dataset_adsl`` holds TRxxSDT/TRxxEDT (xx = 01, 02, ...), optionally
    TRxxSDTM (first dose datetime of the period), and TRTxxA per subject; ``dtc`` names the
    record's ISO 8601 date/time (e.g. LBDTC; default: ``date``, date only); ``period_labels`` maps
    a period number to APERIODC (default "PERIOD xx", e.g. {1: "STAGE 1", 2: "STAGE 2"});
    ``end_window`` days are added to the end of a subject's last period (e.g. 28 to keep the TEAE
    follow-up in the last stage); ``observation_without_time`` and ``element_start_without_time``
    are the boundary rule of SDTM EPOCH (:func:`aclf_cdisc.sdtm.epoch.element_of`, words of
    study.yaml ``conventions.epoch_boundary``; callers read it with
    :func:`aclf_cdisc.sdtm.epoch.boundary_rule`).

    Details (study.md "Stage attribution ... follows the element the date falls in"; first match
    decides, per record):
      1. Date missing, or subject not in ADSL: all three missing.
      2. The periods are the subject's elements and the record is placed by the SDTM EPOCH rule,
         :func:`aclf_cdisc.sdtm.epoch.element_of` (one function for EPOCH and APERIOD): period xx
         holds [its start (TRxxSDTM, else TRxxSDT), the next period's start); full datetimes
         when both sides have a time, a date-only start at ``element_start_without_time``, a
         date-only record on the day of a timed start by ``observation_without_time``. The
         subject's last started period ends at TRxxEDT + end_window (a date: its whole day;
         TRxxEDT missing: open-ended). So the stage-1 to stage-2 interval (weeks 3-4) and a
         pre-dose week-4 sample belong to stage 1.
      3. Before the first period or after the last period's end: all three missing.
      4. A subject whose period starts do not increase (TR02SDT <= TR01SDT): DerivationError
         (rule adam.period-order).
      APERIOD = xx, APERIODC = the label, TRTA = TRTxxA (missing when ADSL lacks TRTxxA).

    Returns: a copy of ``dataset`` with APERIOD (Int64), APERIODC and TRTA added.

    Example::

        >>> adsl = pd.DataFrame({"STUDYID": "S", "USUBJID": "01", "TR01SDT": pd.to_datetime(["2023-10-10"]),
        ...                      "TR01EDT": pd.to_datetime(["2023-10-24"]), "TR02SDT": pd.to_datetime(["2023-11-07"]),
        ...                      "TR02EDT": pd.to_datetime(["2023-11-14"]), "TRT01A": "HUC-MSC",
        ...                      "TRT02A": "PLACEBO"})
        >>> adae = pd.DataFrame({"STUDYID": "S", "USUBJID": "01",
        ...                      "ASTDT": pd.to_datetime(["2023-10-05", "2023-10-20", "2023-11-30"])})
        >>> out = derive_vars_period(adae, adsl, date="ASTDT", end_window=28,
        ...                          period_labels={1: "STAGE 1", 2: "STAGE 2"})
        >>> out[["APERIOD", "APERIODC", "TRTA"]].astype(object).values.tolist()
        [[<NA>, None, None], [1, 'STAGE 1', 'HUC-MSC'], [2, 'STAGE 2', 'PLACEBO']]
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
    assert_columns(dataset, [*keys, date, *([dtc] if dtc else [])], dataset_name=dataset_name,
                   argument="date/dtc/subject_keys")
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

    # the subject's periods as elements of sdtm.epoch.element_of (the EPOCH rule): period xx runs
    # from its start (TRxxSDTM, else TRxxSDT) to the next period's start; the last one to TRxxEDT +
    # end_window (a date: its whole day), open-ended without TRxxEDT
    subject = _subject_key(adsl.index.to_frame(index=False), keys)
    start_text = np.stack([_start_text(adsl, n) for n in numbers], axis=1) if len(adsl) else \
        np.empty((0, len(numbers)), dtype=object)
    elements = []
    for i in range(len(adsl)):
        started = [j for j in range(len(numbers)) if start_text[i, j] is not None]
        for at, j in enumerate(started):
            if at + 1 < len(started):
                end_text = start_text[i, started[at + 1]]
            else:
                end = ends[i, j] + np.timedelta64(end_window, "D")
                end_text = None if np.isnat(end) else str(np.datetime_as_string(end, unit="D"))
            elements.append((subject[i], start_text[i, j], end_text, j))
    periods = pd.DataFrame(elements, columns=["USUBJID", "STDTC", "ENDTC", "ORDER"])
    dates = as_date(dataset[date]).to_numpy()
    # the record's ISO date/time; without ``dtc`` the date alone (date-only text, never midnight)
    day_text = pd.Series(np.datetime_as_string(dates, unit="D"), index=dataset.index).where(~np.isnat(dates))
    observed = dataset[dtc] if dtc is not None else day_text
    observations = pd.DataFrame({"USUBJID": _subject_key(dataset[list(keys)], keys),
                                 "DTC": observed.where(~np.isnat(dates)).to_numpy(dtype=object)})
    which = element_of(observations, periods, observation_without_time=observation_without_time,
                       element_start_without_time=element_start_without_time)
    held = which.notna().to_numpy()
    period = np.full(len(dataset), -1)
    period[held] = periods["ORDER"].to_numpy()[which[held].astype(int).to_numpy()]
    pos = adsl.index.get_indexer(pd.MultiIndex.from_frame(dataset[list(keys)]) if len(keys) > 1
                                 else pd.Index(dataset[keys[0]]))

    out = dataset.copy(deep=False)
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
