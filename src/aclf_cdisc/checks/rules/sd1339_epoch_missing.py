"""SD1339 / CORE-000701: EPOCH is populated on subject records with a complete start or collection date.

A record whose --STDTC and --DTC are both partial (no complete date) is exempt: its epoch cannot be
determined without imputing a date (SDTMIG 3.4 §4.1.3.1 derives EPOCH from the record's date).
"""

import numpy as np

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import datasets_of, missing_mask
from aclf_cdisc.checks.rules._studyday import TRIAL_DESIGN, complete_dates
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    issues = []
    for name, frame in datasets_of(datasets, spec, "SDTM", needs=("EPOCH",),
                                   reads=lambda c: c == "EPOCH" or c.endswith("DTC")):
        if name in TRIAL_DESIGN or name.startswith("SUPP"):
            continue
        dated = np.zeros(len(frame), dtype=bool)
        for column in (f"{name[:2]}STDTC", f"{name[:2]}DTC"):
            if column in frame.columns:
                dated |= complete_dates(frame[column]).notna().to_numpy()
        for pos in map(int, np.flatnonzero(dated & missing_mask(frame["EPOCH"]).to_numpy())):
            issues.append(rule.issue("EPOCH is missing on a record with a complete date", dataset=name,
                                     row=int(pos) + 1, column="EPOCH", expected="an EPOCH of TA"))
    return issues
