"""SD0005: --SEQ must be unique for each USUBJID within a domain."""

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import datasets_of
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    issues = []
    for name, frame in datasets_of(datasets, spec, "SDTM", reads=lambda c: c == "USUBJID" or c.endswith("SEQ")):
        seq = f"{name[:2]}SEQ"
        if seq not in frame.columns or "USUBJID" not in frame.columns:
            continue
        dup = frame.duplicated(["USUBJID", seq], keep=False)
        for pos in map(int, dup.to_numpy().nonzero()[0]):
            issues.append(rule.issue(f"{seq} is not unique within the subject", dataset=name, row=int(pos) + 1,
                                     column=seq, value=f"{frame['USUBJID'].iat[pos]} {seq}={frame[seq].iat[pos]}"))
    return issues

