"""SD0002: a variable the spec marks Required (core Req) is never null (SDTMIG: CG0014, CG0208)."""

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import held_variable, missing_mask, variables_of
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    issues = []
    for name, columns in variables_of(datasets, spec, "SDTM"):
        if name not in spec.datasets:
            continue
        for var in spec.datasets[name].variables:
            if var.core != "Req" or var.name not in columns:
                continue
            # compacted where held so: its categories are judged
            for pos in missing_mask(held_variable(datasets, name, var.name)).to_numpy().nonzero()[0]:
                issues.append(rule.issue(f"{var.name} is Required but null", dataset=name, row=int(pos) + 1,
                                         column=var.name, expected="a value (core Req)"))
    return issues
