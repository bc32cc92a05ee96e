"""ACLF-TTE-01: CNSR is populated with 0 (event) or a positive integer (censored) on every record.

ADaM BDS for TTE v1.0 defines CNSR that way; Pinnacle 21 has no rule for the value itself.
"""

import math

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import datasets_of, is_missing, plain
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def valid_cnsr(value: object) -> bool:
    if is_missing(value) or isinstance(value, bool):
        return False
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return math.isfinite(number) and number >= 0 and number.is_integer()


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    issues = []
    for name, frame in datasets_of(datasets, spec, "ADaM", needs=("CNSR",)):
        for pos, value in enumerate(frame["CNSR"].tolist()):
            if not valid_cnsr(value):
                issues.append(rule.issue("CNSR is not 0 (event) or a positive integer (censored)", dataset=name,
                                         row=pos + 1, column="CNSR", value=plain(value),
                                         expected="0 or a positive integer"))
    return issues

