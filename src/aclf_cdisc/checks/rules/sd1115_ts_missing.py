"""SD1115 / FDA TRC 1734: an SDTM delivery includes TS."""

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import has_standard
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    if not has_standard(datasets, spec, "SDTM") or "TS" in datasets:
        return []
    return [rule.issue("ts.xpt is missing: the FDA rejects a study without it", dataset="TS")]
