"""AD0019: ADSL population flags (--FL ending in population names) are Y or N, never empty."""

import pandas as pd

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec

POPULATION_FLAGS = ("ITTFL", "SAFFL", "FASFL", "PPROTFL", "COMPLFL", "RANDFL", "ENRLFL")


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    adsl = datasets.get("ADSL")
    if adsl is None:
        return []
    issues = []
    for flag in (f for f in POPULATION_FLAGS if f in adsl.columns):
        bad = ~adsl[flag].isin(["Y", "N"])
        values = adsl[flag].tolist()
        for pos in map(int, bad.to_numpy().nonzero()[0]):
            value = None if pd.isna(values[pos]) else values[pos]
            issues.append(rule.issue("population flag must be Y or N", dataset="ADSL", row=pos + 1,
                                     column=flag, value=value, expected="Y or N"))
    return issues

