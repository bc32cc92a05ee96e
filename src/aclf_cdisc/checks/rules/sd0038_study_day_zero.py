"""SD0038: study day variables (--DY, --STDY, --ENDY) are never 0."""

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import datasets_of
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    issues = []
    for name, frame in datasets_of(datasets, spec, "SDTM", reads=lambda c: c.endswith("DY")):
        for column in frame.columns:
            if not (column.endswith("DY") and len(column) in (4, 6, 7)) or frame[column].dtype.kind != "f":
                continue
            for pos in (frame[column] == 0).to_numpy().nonzero()[0]:
                issues.append(rule.issue("study day 0 does not exist", dataset=name, row=int(pos) + 1,
                                         column=column, value=0, expected="... -1, 1, 2 ..."))
    return issues

