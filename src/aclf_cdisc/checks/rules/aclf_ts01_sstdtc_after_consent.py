"""ACLF-TS-01: TS SSTDTC is not later than the earliest informed consent in DM.

The FDA Study Data Technical Conformance Guide defines the study start date as the earliest
date of informed consent among subjects; a TS SSTDTC after the first RFICDTC contradicts the
data and the eCTD study tagging. SSTDTC is an FDA technical rejection criterion, so this is an
error: the package is not built until TS or the consent dates are corrected.
"""

import pandas as pd

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import has_columns, ts_rows
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    rows, dm = ts_rows(datasets, "SSTDTC"), datasets.get("DM")
    if rows is None or not has_columns(dm, "RFICDTC", "USUBJID"):
        return []
    sstdtc = rows["TSVAL"].dropna()
    consent = dm["RFICDTC"].dropna().astype(str).str.slice(0, 10)
    if sstdtc.empty or consent.empty:
        return []
    start, first = str(sstdtc.iloc[0]), consent.min()
    if pd.isna(first) or first >= start:
        return []
    subject = dm.loc[dm["RFICDTC"].astype(str).str.startswith(first), "USUBJID"].iloc[0]
    return [rule.issue(f"TS SSTDTC {start} is after the earliest informed consent ({first}, {subject})",
                       dataset="TS", column="TSVAL", value=start, expected=f"on or before {first}")]

