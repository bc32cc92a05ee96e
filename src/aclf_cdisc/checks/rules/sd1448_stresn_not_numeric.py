"""SD1448 / CORE-000732: --STRESN is null when --STRESC is not a number."""

import numpy as np

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import datasets_of, plain
from aclf_cdisc.checks.rules._results import as_number, populated, result_pairs
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    issues = []
    for name, frame in datasets_of(datasets, spec, "SDTM", reads=lambda c: c.endswith(("STRESC", "STRESN"))):
        for prefix in result_pairs(frame, "STRESC", "STRESN"):
            stresc = frame[f"{prefix}STRESC"]
            bad = populated(stresc) & as_number(stresc).isna().to_numpy() & frame[f"{prefix}STRESN"].notna().to_numpy()
            for pos in map(int, np.flatnonzero(bad)):
                issues.append(rule.issue(f"{prefix}STRESN is populated but {prefix}STRESC is not a number",
                                         dataset=name, row=int(pos) + 1, column=f"{prefix}STRESN",
                                         value=f"{prefix}STRESC={stresc.iat[pos]}, "
                                               f"{prefix}STRESN={plain(frame[f'{prefix}STRESN'].iat[pos])}",
                                         expected=f"{prefix}STRESN null"))
    return issues
