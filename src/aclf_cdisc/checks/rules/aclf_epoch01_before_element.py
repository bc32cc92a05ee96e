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

import pandas as pd

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import datasets_of
from aclf_cdisc.errors import Issue
from aclf_cdisc.sdtm.text import distinct_text
from aclf_cdisc.spec.model import Spec

_TIMED = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?"


def _timing_variable(name: str, frame: pd.DataFrame) -> str | None:
    return next((v for v in (f"{name}DTC", f"{name}STDTC") if v in frame.columns), None)


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


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    se = datasets.get("SE")
    if se is None or se.empty or not {"USUBJID", "EPOCH", "SESTDTC"} <= set(se.columns):
        return []
    day, moment, timed = _moments(se["SESTDTC"])
    starts = pd.DataFrame({"USUBJID": se["USUBJID"].to_numpy(), "EPOCH": se["EPOCH"].to_numpy(),
                           "_sday": day.to_numpy(), "_smoment": moment.to_numpy(), "_stimed": timed.to_numpy()})
    starts = starts.dropna(subset=["_sday"]).sort_values(["_sday", "_smoment"], kind="mergesort")
    first = starts.drop_duplicates(["USUBJID", "EPOCH"], keep="first")
    issues: list[Issue] = []
    for name, frame in datasets_of(datasets, spec, "SDTM", needs=("EPOCH",),
                                   reads=lambda c: c in ("USUBJID", "EPOCH") or c.endswith("DTC")):
        variable = _timing_variable(name, frame)
        if name == "SE" or variable is None or "EPOCH" not in frame.columns or frame.empty:
            continue
        day, moment, timed = _moments(frame[variable])
        records = pd.DataFrame({"_row": range(1, len(frame) + 1), "USUBJID": frame["USUBJID"].to_numpy(),
                                "EPOCH": frame["EPOCH"].to_numpy(), "_day": day.to_numpy(),
                                "_moment": moment.to_numpy(), "_timed": timed.to_numpy(),
                                "_value": frame[variable].to_numpy(dtype=object)})
        records = records.dropna(subset=["_day", "EPOCH"]).merge(first, on=["USUBJID", "EPOCH"], how="inner")
        both_timed = records["_timed"] & records["_stimed"]
        early = (both_timed & (records["_moment"] < records["_smoment"])) | (
            ~both_timed & (records["_day"] < records["_sday"]))
        for r in records[early].sort_values("_row").to_dict("records"):
            start = r["_smoment"] if r["_stimed"] else r["_sday"]
            issues.append(rule.issue(f"{variable} is before the subject's first {r['EPOCH']} element starts ({start})",
                                     dataset=name, row=int(r["_row"]), column=variable, value=r["_value"],
                                     expected=f"on or after the first SESTDTC of EPOCH {r['EPOCH']}"))
    return issues

