"""ACLF-DM-02: RFXSTDTC is the subject's earliest EXSTDTC and RFXENDTC the latest EXENDTC (EXSTDTC if none).

Compared on the date part (first 10 characters); subjects without EX records are SD0070's business.
"""

import pandas as pd

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import has_columns, missing_mask, text_or_none
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def _dates(series: pd.Series) -> pd.Series:
    return series.astype("string").str.strip().str.slice(0, 10).where(~missing_mask(series))


def _extreme_by_subject(dates: pd.Series, subjects: pd.Series, *, last: bool) -> pd.Series:
    """The earliest (latest with ``last``) date text of each subject, by subject (none: no date).

    >>> _extreme_by_subject(pd.Series(["2024-02-01", None, "2024-01-05"]), pd.Series(["S1", "S1", "S1"]),
    ...                     last=False).to_dict()
    {'S1': '2024-01-05'}
    """
    frame = pd.DataFrame({"subject": subjects.to_numpy(dtype=object), "date": dates.to_numpy(dtype=object)})
    ordered = frame.dropna(subset=["date"]).sort_values(["subject", "date"], kind="mergesort")
    picked = ordered.drop_duplicates("subject", keep="last" if last else "first")
    return pd.Series(picked["date"].to_numpy(dtype=object), index=picked["subject"].to_numpy(dtype=object))


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    dm, ex = datasets.get("DM"), datasets.get("EX")
    if not has_columns(dm, "USUBJID") or not has_columns(ex, "EXSTDTC", "USUBJID"):
        return []
    subjects = ex["USUBJID"].astype(str)
    starts = _dates(ex["EXSTDTC"])
    ends = _dates(ex["EXENDTC"]).fillna(starts) if "EXENDTC" in ex.columns else starts
    expected = {"RFXSTDTC": _extreme_by_subject(starts, subjects, last=False),
                "RFXENDTC": _extreme_by_subject(ends, subjects, last=True)}
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
