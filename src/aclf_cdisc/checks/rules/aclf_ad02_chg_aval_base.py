"""ACLF-AD-02: CHG = AVAL - BASE where CHG is populated; a CHG without AVAL or BASE is a finding too."""

import numpy as np

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import datasets_of, plain
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    issues = []
    for name, frame in datasets_of(datasets, spec, "ADaM", needs=("AVAL", "BASE", "CHG"),
                                   reads=lambda c: c in ("AVAL", "BASE", "CHG")):
        aval, base, chg = (frame[c].astype(float) for c in ("AVAL", "BASE", "CHG"))
        expected = aval - base
        wrong = chg.notna() & (expected.isna() | ~np.isclose(chg, expected, rtol=1e-9, atol=1e-12))
        for pos in map(int, np.flatnonzero(wrong.to_numpy())):
            issues.append(rule.issue("CHG is not AVAL - BASE", dataset=name, row=int(pos) + 1, column="CHG",
                                     value=plain(chg.iat[pos]),
                                     expected=f"AVAL - BASE = {plain(aval.iat[pos])} - {plain(base.iat[pos])}"))
    return issues
