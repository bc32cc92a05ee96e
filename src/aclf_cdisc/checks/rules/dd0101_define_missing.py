"""DD0101 / FDA TRC 1736: the datasets come with a define.xml (checked on a folder, not in the build)."""

from aclf_cdisc.checks.rule import Context, Datasets, Rule
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule, context: Context) -> list[Issue]:
    if not context.define_expected or context.define is not None or not datasets:
        return []
    return [rule.issue("no define.xml given (--define) or found beside the datasets", expected="define.xml")]
