"""AD0245: a dataset with CNSR also has STARTDT (the time origin of the time-to-event analysis)."""

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import variables_of
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    return [rule.issue(f"{name} has CNSR but no STARTDT", dataset=name, column="STARTDT",
                       expected="STARTDT present when CNSR is")
            for name, columns in variables_of(datasets, spec, "ADaM") if "CNSR" in columns and "STARTDT" not in columns]

