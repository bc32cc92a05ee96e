"""AD0246: a dataset with CNSR also has ADT or ADTM (the date of the event or censoring)."""

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import variables_of
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    return [rule.issue(f"{name} has CNSR but neither ADT nor ADTM", dataset=name, column="ADT",
                       expected="ADT or ADTM present when CNSR is")
            for name, columns in variables_of(datasets, spec, "ADaM")
            if "CNSR" in columns and "ADT" not in columns and "ADTM" not in columns]

