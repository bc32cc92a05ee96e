"""on_or_after_start: whether an observation falls at or after the start of a period (element).

Not a rule of its own: it asks :func:`aclf_cdisc.sdtm.epoch.element_of`, the SDTM EPOCH rule,
whether the observation lies in an open-ended element starting at ``start``. So APERIOD, the stage
baselines that depend on it and SDTM EPOCH place a record on the same side of a boundary, by one
function of one spec convention (study.yaml ``conventions.epoch_boundary``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from aclf_cdisc.sdtm.epoch import AFTER, BEFORE, END_OF_DAY, START_OF_DAY, element_of
from aclf_cdisc.sdtm.text import map_distinct

BOUNDARY_RULES = (BEFORE, AFTER)
START_RULES = (START_OF_DAY, END_OF_DAY)


def _as_text(values: Any) -> pd.Series:
    """ISO 8601 text: text as given, datetime64 values as "YYYY-MM-DDThh:mm" (they have a time)."""
    series = values if isinstance(values, pd.Series) else pd.Series(values)
    series = series.reset_index(drop=True)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        text = series.dt.strftime("%Y-%m-%dT%H:%M")
        return text.astype(object).where(series.notna(), None)
    text = series.astype(object).where(series.notna(), None)
    return map_distinct(text, lambda v: None if pd.isna(v) else str(v).strip())


def on_or_after_start(observed: Any, start: Any, *, observation_without_time: str = BEFORE,
                      element_start_without_time: str = START_OF_DAY) -> np.ndarray:
    """True where an observation is at or after a period start, element by element.

    Permitted values: ``observed`` and ``start`` are equal-length sequences of ISO 8601 text
    ("2023-11-02T13:35", "2023-11-02") or datetime64 values (a datetime64 value has a time);
    ``observation_without_time`` ("before" | "after") and ``element_start_without_time``
    ("start_of_day" | "end_of_day") are the words of study.yaml ``conventions.epoch_boundary``
    (read them with :func:`aclf_cdisc.sdtm.epoch.boundary_rule`).

    Details (:func:`aclf_cdisc.sdtm.epoch.element_of`, the EPOCH rule, per element):
      1. Either side missing or partial: False (no comparison is possible).
      2. Both sides have a time: observed >= start (an observation at the very minute of the
         start belongs to the period that starts, as an element starts at its SESTDTC).
      3. A start without a time sits at the start (or end) of its day.
      4. An observation without a time on the day of a timed start: False under "before" (a
         pre-dose assessment), True under "after".

    Returns: a boolean numpy array.

    Example::

        >>> on_or_after_start(["2023-11-02T09:00", "2023-11-02T14:00", "2023-11-02", "2023-11-03"],
        ...                   ["2023-11-02T13:35"] * 4).tolist()
        [False, True, False, True]
        >>> on_or_after_start(["2023-11-02"], ["2023-11-02T13:35"], observation_without_time="after").tolist()
        [True]
        >>> on_or_after_start(["2023-11-02T09:00", "2023-11-01"], ["2023-11-02", "2023-11-02"]).tolist()
        [True, False]
    """
    if observation_without_time not in BOUNDARY_RULES:
        raise ValueError(f"`observation_without_time` must be one of {BOUNDARY_RULES}")
    if element_start_without_time not in START_RULES:
        raise ValueError(f"`element_start_without_time` must be one of {START_RULES}")
    obs, st = _as_text(observed), _as_text(start)
    if len(obs) != len(st):
        raise ValueError(f"`observed` has {len(obs)} values, `start` {len(st)}")
    if len(obs) == 0:
        return np.zeros(0, dtype=bool)
    # the answer depends on the (observation, start) texts alone: each distinct pair is judged
    # once, against the open-ended element of its start (one element per distinct start)
    obs_codes, _ = pd.factorize(obs.to_numpy(dtype=object))
    st_codes, st_texts = pd.factorize(st.to_numpy(dtype=object))
    pair_codes, _ = pd.factorize((obs_codes.astype(np.int64) + 1) * (len(st_texts) + 1) + (st_codes + 1))
    first = np.unique(pair_codes, return_index=True)[1]  # one record of each pair, in pair order
    elements = pd.DataFrame({"USUBJID": np.arange(len(st_texts)).astype(str),
                             "STDTC": np.asarray(st_texts, dtype=object), "ENDTC": None, "ORDER": 1})
    observations = pd.DataFrame({"USUBJID": st_codes[first].astype(str), "DTC": obs.to_numpy(dtype=object)[first]})
    which = element_of(observations, elements, observation_without_time=observation_without_time,
                       element_start_without_time=element_start_without_time)
    return which.notna().to_numpy(dtype=bool)[pair_codes]
