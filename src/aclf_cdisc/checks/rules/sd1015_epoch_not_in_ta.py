"""SD1015: EPOCH values are TA epochs (needs TA in the run)."""

import numpy as np

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import datasets_of, missing_mask
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    ta = datasets.get("TA")
    if ta is None or "EPOCH" not in ta.columns:
        return []
    epochs = set(ta["EPOCH"].dropna().astype(str).str.strip())
    issues = []
    for name, frame in datasets_of(datasets, spec, "SDTM", needs=("EPOCH",), reads=lambda c: c == "EPOCH"):
        if name == "TA":
            continue
        values = frame["EPOCH"].astype("string").str.strip()
        bad = ~missing_mask(frame["EPOCH"]).to_numpy() & ~values.isin(epochs).to_numpy(dtype=bool)
        for pos in map(int, np.flatnonzero(bad)):
            issues.append(rule.issue("EPOCH is not an epoch of TA", dataset=name, row=int(pos) + 1, column="EPOCH",
                                     value=values.iat[pos], expected=", ".join(sorted(epochs))))
    return issues
