"""ACLF-EPOCH-01: a record's EPOCH does not start after the record.

For every SDTM dataset with EPOCH and a timing variable (--DTC, else --STDTC), a record whose
EPOCH names an epoch the subject enters later than the record (its date/time is before the
earliest SESTDTC of the subject's SE elements with that EPOCH) is flagged. Full date/times are
compared when both sides have a time; otherwise the dates are compared, so only a record on an
earlier day is flagged then (the same-day, date-only case is the study's stated boundary
convention, not an error). Partial dates and records without EPOCH are not checked. Needs SE.
This is the check that catches epochs assigned by date alone, e.g. a pre-dose Week 0 lab drawn
at 07:30 put in TREATMENT 1 whose element starts with the 11:50 infusion.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import held_variable, variables_of
from aclf_cdisc.compact import coded
from aclf_cdisc.errors import Issue
from aclf_cdisc.sdtm.text import distinct_text
from aclf_cdisc.spec.model import Spec

_TIMED = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?"


def _timing_variable(name: str, columns: list[str]) -> str | None:
    return next((v for v in (f"{name}DTC", f"{name}STDTC") if v in columns), None)


def _moments(dtc: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(date, date/time or NaT, has a time) of ISO 8601 values; partial dates give NaT. Each
    distinct text is read once."""
    codes, text = distinct_text(dtc)
    day = pd.to_datetime(text.str.slice(0, 10).where(text.str.fullmatch(r"\d{4}-\d{2}-\d{2}.*").fillna(False)),
                         format="%Y-%m-%d", errors="coerce")
    timed = text.str.fullmatch(_TIMED).fillna(False).astype(bool)
    moment = pd.to_datetime(text.where(timed), format="ISO8601", errors="coerce")
    return tuple(pd.Series(part.to_numpy()[codes], index=dtc.index)  # type: ignore[return-value]
                 for part in (day, moment, timed))


def _numbered(column: pd.Series, numbers: dict[object, int]) -> np.ndarray:
    """Each record's value as its number in ``numbers`` (-1: missing, or not among them), looked up
    once per distinct value (a compacted column's categories: its records are not rebuilt)."""
    codes, distinct = coded(column)
    return np.array([numbers.get(value, -1) for value in distinct] + [-1], dtype=np.int64)[codes]


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    se = datasets.get("SE")
    if se is None or se.empty or not {"USUBJID", "EPOCH", "SESTDTC"} <= set(se.columns):
        return []
    day, moment, timed = _moments(se["SESTDTC"])
    starts = pd.DataFrame({"USUBJID": se["USUBJID"].to_numpy(), "EPOCH": se["EPOCH"].to_numpy(),
                           "_sday": day.to_numpy(), "_smoment": moment.to_numpy(), "_stimed": timed.to_numpy()})
    starts = starts.dropna(subset=["_sday", "USUBJID", "EPOCH"]).sort_values(["_sday", "_smoment"], kind="mergesort")
    first = starts.drop_duplicates(["USUBJID", "EPOCH"], keep="first")
    # each subject's first element of each epoch, at number subject x epochs + epoch
    subjects = {value: i for i, value in enumerate(pd.unique(first["USUBJID"].to_numpy(dtype=object)))}
    epochs = {value: i for i, value in enumerate(pd.unique(first["EPOCH"].to_numpy(dtype=object)))}
    at = (first["USUBJID"].map(subjects).to_numpy() * len(epochs) + first["EPOCH"].map(epochs).to_numpy())
    element: dict[str, np.ndarray] = {"_has": np.zeros(len(subjects) * len(epochs), dtype=bool)}
    element["_has"][at] = True  # the subject enters that epoch
    for part in ("_sday", "_smoment", "_stimed"):
        found = first[part].to_numpy()
        element[part] = np.empty(len(subjects) * len(epochs), dtype=found.dtype)
        element[part][at] = found
    issues: list[Issue] = []
    for name, columns in variables_of(datasets, spec, "SDTM"):
        variable = _timing_variable(name, columns)
        if name == "SE" or variable is None or "EPOCH" not in columns or "USUBJID" not in columns:
            continue
        subject = _numbered(held_variable(datasets, name, "USUBJID"), subjects)
        epoch = _numbered(held_variable(datasets, name, "EPOCH"), epochs)
        values = held_variable(datasets, name, variable)
        day, moment, timed = _moments(values)
        slots = np.where((subject >= 0) & (epoch >= 0), subject * len(epochs) + epoch, -1)
        has = np.append(element["_has"], False)[slots]  # slot -1: the last, False
        known = np.flatnonzero(has & day.notna().to_numpy())  # a dated record, and its epoch's first element
        if not len(known):
            continue
        slot = slots[known]
        both_timed = timed.to_numpy()[known] & element["_stimed"][slot]
        early = np.where(both_timed, moment.to_numpy()[known] < element["_smoment"][slot],
                         day.to_numpy()[known] < element["_sday"][slot])
        epoch_names = list(epochs)
        for pos, at_slot in zip(known[early].tolist(), slot[early].tolist(), strict=True):
            start = element["_smoment"][at_slot] if element["_stimed"][at_slot] else element["_sday"][at_slot]
            label = epoch_names[at_slot % len(epochs)]
            issues.append(rule.issue(f"{variable} is before the subject's first {label} element starts "
                                     f"({pd.Timestamp(start)})", dataset=name, row=pos + 1, column=variable,
                                     value=values.iloc[pos],
                                     expected=f"on or after the first SESTDTC of EPOCH {label}"))
    return issues
