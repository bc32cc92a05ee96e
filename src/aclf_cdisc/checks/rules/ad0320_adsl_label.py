"""AD0320: the ADSL dataset label is "Subject-Level Analysis Dataset"."""

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec

ADSL_LABEL = "Subject-Level Analysis Dataset"


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    if "ADSL" not in spec.datasets or spec.datasets["ADSL"].label == ADSL_LABEL:
        return []
    return [rule.issue("ADSL label differs from the ADaMIG", dataset="ADSL", value=spec.datasets["ADSL"].label,
                       expected=ADSL_LABEL)]

