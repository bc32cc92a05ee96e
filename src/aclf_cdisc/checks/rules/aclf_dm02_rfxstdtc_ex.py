"""ACLF-DM-02: RFXSTDTC is the subject's earliest EXSTDTC and RFXENDTC the latest EXENDTC (EXSTDTC if none).

Compared on the date part (first 10 characters); subjects without EX records are SD0070's business.
"""

import pandas as pd

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import missing_mask, text_or_none
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def _dates(series: pd.Series) -> pd.Series:
    return series.astype("string").str.strip().str.slice(0, 10).where(~missing_mask(series))


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    dm, ex = datasets.get("DM"), datasets.get("EX")
    if dm is None or ex is None or "EXSTDTC" not in ex.columns or "USUBJID" not in ex.columns:
        return []
    subjects = ex["USUBJID"].astype(str)
    starts = _dates(ex["EXSTDTC"])
    ends = _dates(ex["EXENDTC"]).fillna(starts) if "EXENDTC" in ex.columns else starts
    expected = {"RFXSTDTC": starts.groupby(subjects).min(), "RFXENDTC": ends.groupby(subjects).max()}
    issues = []
    for column, by_subject in expected.items():
        if column not in dm.columns:
            continue
        given = _dates(dm[column])
        for pos, subject in enumerate(dm["USUBJID"].astype(str)):
            want = by_subject.get(subject)
            if want is None or pd.isna(want):
                continue
            if text_or_none(given.iat[pos]) != want:
                issues.append(rule.issue(f"{column} is not the {'first' if column == 'RFXSTDTC' else 'last'} "
                                         "EX date", dataset="DM", row=pos + 1, column=column,
                                         value=text_or_none(dm[column].iat[pos]), expected=f"{want} ({subject})"))
    return issues
