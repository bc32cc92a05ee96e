"""SD1020 / FDA TRC 1736: an SDTM delivery includes DM."""

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import has_standard
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    if not has_standard(datasets, spec, "SDTM") or "DM" in datasets:
        return []
    return [rule.issue("dm.xpt is missing: the FDA rejects an SDTM delivery without it", dataset="DM")]
