"""SD1212: when --STRESC holds a number, --STRESN holds the same number."""

import numpy as np

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import datasets_of, plain
from aclf_cdisc.checks.rules._results import as_number, result_pairs
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    issues = []
    for name, frame in datasets_of(datasets, spec, "SDTM", reads=lambda c: c.endswith(("STRESC", "STRESN"))):
        for prefix in result_pairs(frame, "STRESC", "STRESN"):
            stresc, stresn = as_number(frame[f"{prefix}STRESC"]), frame[f"{prefix}STRESN"].astype(float)
            differ = stresc.notna() & stresn.notna() & ~np.isclose(stresc, stresn, rtol=1e-9, atol=0)
            for pos in map(int, np.flatnonzero(differ.to_numpy())):
                issues.append(rule.issue(f"{prefix}STRESN differs from the number in {prefix}STRESC", dataset=name,
                                         row=int(pos) + 1, column=f"{prefix}STRESN",
                                         value=plain(frame[f"{prefix}STRESN"].iat[pos]),
                                         expected=str(frame[f"{prefix}STRESC"].iat[pos])))
    return issues
