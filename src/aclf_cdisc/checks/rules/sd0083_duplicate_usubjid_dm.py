"""SD0083: one record per subject in DM (and in ADSL)."""

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import has_columns
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    issues = []
    for name in ("DM", "ADSL"):
        frame = datasets.get(name)
        if not has_columns(frame, "USUBJID"):
            continue
        for pos in frame.duplicated("USUBJID", keep=False).to_numpy().nonzero()[0]:
            issues.append(rule.issue(f"duplicate USUBJID in {name}", dataset=name, row=int(pos) + 1,
                                     column="USUBJID", value=frame["USUBJID"].iat[int(pos)]))
    return issues

