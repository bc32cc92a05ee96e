"""EPOCH from the subject's elements (SE): the element whose interval holds the observation.

The boundary rule (MT.EPOCH, ``conventions.epoch_boundary`` in specs/study.yaml) is one pure
function, :func:`element_of`, so that SDTM EPOCH and ADaM APERIOD place an observation on the
same side of a boundary:

* both sides have a time: full date/times are compared; an observation at the very minute an
  element starts belongs to that element;
* the element start has no time (a rule-based start such as INT or FU): it starts at the start of
  its day (``element_start_without_time: start_of_day``), or after everything timed on that day
  (``end_of_day``);
* the observation has no time and the element starts at a time that day: ``before`` puts it in
  the element that ends that day (assessments done before dosing), ``after`` in the element that
  starts that day. The convention is stated per observation class (``observation_without_time``);
* partial or missing observation dates, and dates outside every element, get no element.

An interval is [start, next start); the subject's last element includes its whole end day (or is
open when it has no end).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from aclf_cdisc.sdtm.study_day import iso_dates
from aclf_cdisc.sdtm.text import text_codes

EPOCH_BOUNDARY = "epoch_boundary"  # key of spec.study.conventions holding the boundary rule
BEFORE, AFTER = "before", "after"
START_OF_DAY, END_OF_DAY = "start_of_day", "end_of_day"
_DAY = np.int64(86_400_000_000_000)  # nanoseconds
_MISSING = np.iinfo(np.int64).min  # NaT's integer: a partial or missing date


def boundary_rule(conventions: Mapping[str, Any], observation_class: str) -> tuple[str, str]:
    """(observation_without_time, element_start_without_time) for a dataset class, from the spec.

    >>> rule = {"epoch_boundary": {"element_start_without_time": "start_of_day",
    ...                            "observation_without_time": {"FINDINGS": "before", "EVENTS": "after"}}}
    >>> boundary_rule(rule, "FINDINGS")
    ('before', 'start_of_day')
    >>> boundary_rule(rule, "EVENTS")
    ('after', 'start_of_day')
    """
    stated = conventions.get(EPOCH_BOUNDARY)
    if not isinstance(stated, Mapping):
        raise KeyError("specs/study.yaml has no conventions.epoch_boundary (MT.EPOCH)")
    by_class = stated["observation_without_time"]
    if observation_class not in by_class:
        raise KeyError(f"conventions.epoch_boundary.observation_without_time has no rule for {observation_class!r}")
    return str(by_class[observation_class]), str(stated["element_start_without_time"])


@dataclass(frozen=True)
class Moments:
    """The parts of ISO 8601 values (one array element per value) the boundary rule compares."""

    days: np.ndarray  # the date at midnight, int64 ns; NaT's integer (the minimum int64) when partial or missing
    clocks: np.ndarray  # the time of day, int64 ns (meaningful where ``timed``)
    timed: np.ndarray  # a full date and time (YYYY-MM-DDThh:mm[:ss])
    lengths: np.ndarray  # the length of the value as text, 0 when missing

    def instants(self, date_only_offset: np.int64) -> np.ndarray:
        """Sortable int64 instants: date + time + 2 ns when timed, date + ``date_only_offset`` when
        not; NaT's integer for partial or missing dates (callers drop them)."""
        values = np.where(self.timed, self.days + self.clocks + 2, self.days + date_only_offset)
        return np.where(self.days == _MISSING, _MISSING, values)

    def part(self, begin: int, end: int) -> Moments:
        """The moments of values ``begin`` to ``end`` (exclusive)."""
        return Moments(self.days[begin:end], self.clocks[begin:end], self.timed[begin:end], self.lengths[begin:end])


def moments(dtc: pd.Series) -> Moments:
    """:class:`Moments` of ISO 8601 values; each distinct value is parsed once."""
    codes, distinct = text_codes(dtc)
    text = pd.Series(distinct, dtype="string")
    day = iso_dates(text)
    timed = text.str.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?").fillna(False).astype(bool).to_numpy()
    moment = pd.to_datetime(text.where(timed), format="ISO8601", errors="coerce")
    days = day.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    clocks = (moment - day).to_numpy(dtype="timedelta64[ns]").astype(np.int64)
    lengths = text.str.len().to_numpy(dtype=np.int64)
    # a missing value (code -1) takes the last: no date, no time
    return Moments(np.append(days, _MISSING)[codes], np.append(clocks, 0)[codes], np.append(timed, False)[codes],
                   np.append(lengths, 0)[codes])


def observation_offset(observation_without_time: str) -> np.int64:
    """Where a date-only observation sits in its day: before (``before``) or after (``after``) every
    timed element start of its day, and after a date-only start of that day."""
    return np.int64(1) if observation_without_time == BEFORE else _DAY - 1


def element_offset(element_start_without_time: str) -> np.int64:
    """Where a date-only element boundary sits: at the start or the end of its day."""
    return np.int64(0) if element_start_without_time == START_OF_DAY else _DAY - 1


def element_of(observations: pd.DataFrame, elements: pd.DataFrame, *, observation_without_time: str,
               element_start_without_time: str = START_OF_DAY) -> pd.Series:
    """For each observation (USUBJID, DTC), the row label in ``elements`` (USUBJID, STDTC, ENDTC,
    ORDER) of the element holding it, or <NA>. Same index as ``observations``; nothing mutated.

    Hand-computed boundary cases, element 2 starting 2024-01-08 at 10:00:

    >>> el = pd.DataFrame({"USUBJID": ["A", "A"], "STDTC": ["2024-01-01", "2024-01-08T10:00"],
    ...                    "ENDTC": ["2024-01-08T10:00", "2024-01-20"], "ORDER": [1, 2]}, index=["E1", "E2"])
    >>> ob = pd.DataFrame({"USUBJID": ["A"] * 6, "DTC": ["2024-01-08T09:59", "2024-01-08T10:00",
    ...                    "2024-01-08", "2024-01-01", "2024-01-20", "2024-01"]})
    >>> element_of(ob, el, observation_without_time="before").tolist()
    ['E1', 'E2', 'E1', 'E1', 'E2', <NA>]
    >>> element_of(ob, el, observation_without_time="after").tolist()[2]
    'E2'
    """
    result = pd.Series(pd.NA, index=observations.index, dtype="object")
    if observations.empty or elements.empty:
        return result
    missing = _MISSING
    n_obs, n_el = len(observations), len(elements)
    subjects = pd.factorize(np.concatenate([observations["USUBJID"].astype(str).to_numpy(),
                                            elements["USUBJID"].astype(str).to_numpy()]))[0]
    obs_subject, el_subject = subjects[:n_obs], subjects[n_obs:]
    # the observation dates and element boundaries parsed together: each distinct value once
    parsed = moments(pd.Series(np.concatenate([observations["DTC"].to_numpy(dtype=object),
                                               elements["STDTC"].to_numpy(dtype=object),
                                               elements["ENDTC"].to_numpy(dtype=object)])))
    at = parsed.part(0, n_obs).instants(observation_offset(observation_without_time))
    start = parsed.part(n_obs, n_obs + n_el).instants(element_offset(element_start_without_time))
    end_parts = parsed.part(n_obs + n_el, n_obs + 2 * n_el)
    ends = end_parts.instants(element_offset(element_start_without_time))
    timed_end = end_parts.lengths > 10
    # the last element holds its whole end day when the end has no time (RFPENDTC is a date)
    last_end = np.where(timed_end, ends, end_parts.days + _DAY - 1)
    no_end = end_parts.days == missing
    end, last_end = np.where(no_end, missing, ends), np.where(no_end, missing, last_end)
    order = pd.to_numeric(elements["ORDER"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    # the elements with a start, by subject, start and order; the last of a subject is open-ended,
    # and of elements starting at one instant the last in order is the one that holds observations
    el = np.flatnonzero(start != missing)
    if not len(el):
        return result
    el = el[np.lexsort((order[el], start[el], el_subject[el]))]
    new_subject = np.append(el_subject[el][1:] != el_subject[el][:-1], True)
    is_last = new_subject
    kept = new_subject | np.append(start[el][1:] != start[el][:-1], True)
    el, is_last = el[kept], is_last[kept]
    # each observation's element: the subject's last one starting at or before it, found by a
    # binary search on one sort key (subject number, then the rank of the instant)
    ob = np.flatnonzero(at != missing)
    instants = np.unique(np.concatenate([start[el], at[ob]]))
    el_key = el_subject[el] * len(instants) + np.searchsorted(instants, start[el])
    ob_key = obs_subject[ob] * len(instants) + np.searchsorted(instants, at[ob])
    which = np.searchsorted(el_key, ob_key, side="right") - 1
    found = which >= 0
    found[found] = el_subject[el[which[found]]] == obs_subject[ob[found]]
    ob, which = ob[found], which[found]
    idx = el[which]
    keep = (at[ob] < end[idx]) | (is_last[which] & ((at[ob] <= last_end[idx]) | (end[idx] == missing)))
    result.iloc[ob[keep]] = np.asarray(elements.index, dtype=object)[idx[keep]]
    return result


def derive_var_epoch(
    dataset: pd.DataFrame,
    dtc_var: str,
    se: pd.DataFrame,
    new_var: str = "EPOCH",
    *,
    observation_without_time: str,
    element_start_without_time: str = START_OF_DAY,
) -> pd.DataFrame:
    """Add EPOCH: the epoch of the subject's element holding ``dtc_var`` (:func:`element_of`).

    Callers pass the boundary rule of their dataset's class (:func:`boundary_rule`). Vectorised
    (one as-of join), so it scales linearly with the number of records.
    """
    if new_var in dataset.columns:
        raise ValueError(f"{new_var} already exists; derive_var_epoch does not overwrite")
    if dataset.empty or se.empty:
        return dataset.assign(**{new_var: pd.Series(pd.NA, index=dataset.index, dtype="object")})
    elements = pd.DataFrame({
        "USUBJID": se["USUBJID"].to_numpy(), "STDTC": se["SESTDTC"].to_numpy(dtype=object),
        "ENDTC": se["SEENDTC"].to_numpy(dtype=object), "ORDER": se["TAETORD"].to_numpy(),
    })
    observations = pd.DataFrame({"USUBJID": dataset["USUBJID"].to_numpy(),
                                 "DTC": dataset[dtc_var].to_numpy(dtype=object)})
    which = element_of(observations, elements, observation_without_time=observation_without_time,
                       element_start_without_time=element_start_without_time)
    # ``which`` holds positions in ``se`` (the labels of ``elements``), <NA> where no element holds the record
    held = which.notna().to_numpy()
    found = np.full(len(which), pd.NA, dtype=object)
    found[held] = se["EPOCH"].to_numpy(dtype=object)[which[held].to_numpy(dtype=np.int64)]
    return dataset.assign(**{new_var: found})


def derive_var_epoch_for(dataset: pd.DataFrame, dtc_var: str, se: pd.DataFrame, *,
                         conventions: Mapping[str, Any], observation_class: str) -> pd.DataFrame:
    """:func:`derive_var_epoch` with the spec's boundary rule for ``observation_class``."""
    without_time, start_without_time = boundary_rule(conventions, observation_class)
    return derive_var_epoch(dataset, dtc_var, se, observation_without_time=without_time,
                            element_start_without_time=start_without_time)
