"""SD0057: every variable the spec marks Expected (core Exp) is in the dataset."""

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules.sd0056_required_variable_missing import missing_variables
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    return missing_variables(datasets, spec, rule, "Exp")

