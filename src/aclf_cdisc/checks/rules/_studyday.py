"""Study day from a --DTC and RFSTDTC (SDTMIG 3.4 §4.4.4): date portions only, no Day 0."""

from __future__ import annotations

import numpy as np
import pandas as pd

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import datasets_of, plain
from aclf_cdisc.errors import Issue
from aclf_cdisc.sdtm.text import by_distinct_text
from aclf_cdisc.spec.model import Spec

TRIAL_DESIGN = frozenset({"TA", "TE", "TI", "TS", "TV", "TD", "TM", "DM"})


def complete_dates(series: pd.Series) -> pd.Series:
    """The date portion of ISO 8601 text where it is a complete date, NaT otherwise (partial, missing);
    each distinct text read once."""
    return pd.Series(by_distinct_text(series, _complete_dates), index=series.index, name=series.name)


def _complete_dates(text: pd.Series) -> pd.Series:
    day = text.str.slice(0, 10)
    return pd.to_datetime(day.where(day.str.fullmatch(r"\d{4}-\d{2}-\d{2}")), format="%Y-%m-%d", errors="coerce")


def study_day(dates: pd.Series, reference: pd.Series) -> pd.Series:
    """(date - reference) + 1 on or after the reference, (date - reference) before it; NaN where either is NaT."""
    days = (dates - reference).dt.days.astype(float)
    return days.where(days < 0, days + 1)


def reference_starts(datasets: Datasets) -> pd.Series | None:
    """RFSTDTC (complete dates) by USUBJID, from DM; None without DM (or one without records or
    without those variables: no subject has a reference start)."""
    dm = datasets.get("DM")
    if dm is None or dm.empty or "RFSTDTC" not in dm.columns or "USUBJID" not in dm.columns:
        return None
    firsts = dm.drop_duplicates("USUBJID")
    return pd.Series(complete_dates(firsts["RFSTDTC"]).to_numpy(), index=firsts["USUBJID"].to_numpy())


def study_day_issues(datasets: Datasets, spec: Spec, rule: Rule, *, dtc: str, dy: str) -> list[Issue]:
    """Records whose --<dy> differs from the study day of --<dtc> (both present, complete dates)."""
    starts = reference_starts(datasets)
    if starts is None:
        return []
    issues = []
    for name, frame in datasets_of(datasets, spec, "SDTM",
                                   reads=lambda c: c == "USUBJID" or c.endswith((dtc, dy))):
        prefix = name[:2]
        dtc_col, dy_col = f"{prefix}{dtc}", f"{prefix}{dy}"
        if name in TRIAL_DESIGN or "USUBJID" not in frame.columns or dtc_col not in frame.columns \
                or dy_col not in frame.columns:
            continue
        reference = pd.Series(frame["USUBJID"].map(starts).to_numpy(), index=frame.index, dtype="datetime64[ns]")
        expected = study_day(complete_dates(frame[dtc_col]), reference)
        given = frame[dy_col].astype(float)
        wrong = expected.notna() & given.notna() & (expected != given)
        for pos in map(int, np.flatnonzero(wrong.to_numpy())):
            issues.append(rule.issue(f"{dy_col} is not the study day of {dtc_col} from RFSTDTC", dataset=name,
                                     row=int(pos) + 1, column=dy_col, value=plain(given.iat[pos]),
                                     expected=f"{plain(expected.iat[pos]):.0f} ({dtc_col}={frame[dtc_col].iat[pos]})"))
    return issues
