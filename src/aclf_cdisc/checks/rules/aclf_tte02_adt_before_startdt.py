"""ACLF-TTE-02: in a time-to-event dataset the event/censoring date ADT is not before STARTDT."""

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import as_days, datasets_of, plain
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    issues = []
    for name, frame in datasets_of(datasets, spec, "ADaM", needs=("CNSR", "STARTDT", "ADT")):
        data = frame.reset_index(drop=True)
        before = (as_days(data["ADT"]) < as_days(data["STARTDT"])).fillna(False).astype(bool)
        for pos in map(int, before.to_numpy().nonzero()[0]):
            issues.append(rule.issue("ADT is before STARTDT", dataset=name, row=pos + 1, column="ADT",
                                     value=plain(data["ADT"].iat[pos]),
                                     expected=f"on or after STARTDT = {plain(data['STARTDT'].iat[pos])}"))
    return issues

