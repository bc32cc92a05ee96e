"""ACLF-LB-01: reference ranges are given only with continuous results.

A result is continuous when --ORRES is a number or a number censored at a quantitation limit
('<5', '>=200'): the test's reference range applies to it (documented choice; see the catalogue).
"""

import numpy as np

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import datasets_of
from aclf_cdisc.checks.rules._results import is_continuous, populated
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec

RANGES = ("ORNRLO", "ORNRHI", "STNRLO", "STNRHI")


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    issues = []
    for name, frame in datasets_of(datasets, spec, "SDTM", reads=lambda c: c.endswith(("ORRES", *RANGES))):
        prefix = name[:2]
        result = f"{prefix}ORRES"
        ranges = [f"{prefix}{r}" for r in RANGES if f"{prefix}{r}" in frame.columns]
        if result not in frame.columns or not ranges:
            continue
        categorical = populated(frame[result]) & ~is_continuous(frame[result])
        for column in ranges:
            for pos in map(int, np.flatnonzero(categorical & populated(frame[column]))):
                issues.append(rule.issue(f"{column} given for the non-numeric result {frame[result].iat[pos]!r}",
                                         dataset=name, row=int(pos) + 1, column=column,
                                         value=str(frame[column].iat[pos]), expected=f"{column} null"))
    return issues
