"""ACLF-ADSL-00 / FDA TRC 1736: an ADaM delivery includes ADSL."""

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import has_standard
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    if not has_standard(datasets, spec, "ADaM") or "ADSL" in datasets:
        return []
    return [rule.issue("adsl.xpt is missing: the FDA rejects an ADaM delivery without it", dataset="ADSL")]
