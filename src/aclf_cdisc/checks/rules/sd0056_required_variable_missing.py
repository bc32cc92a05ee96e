"""SD0056: every variable the spec marks Required (core Req) is in the dataset."""

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import variables_of
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Core, Spec


def missing_variables(datasets: Datasets, spec: Spec, rule: Rule, core: Core) -> list[Issue]:
    issues = []
    for name, columns in variables_of(datasets, spec, "SDTM"):
        if name not in spec.datasets:
            continue
        for var in spec.datasets[name].variables:
            if var.core == core and var.name not in columns:
                issues.append(rule.issue(f"{core} variable {var.name} is not in {name}", dataset=name,
                                         column=var.name, expected=f"{var.name} present (core {core})"))
    return issues


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    return missing_variables(datasets, spec, rule, "Req")

