"""SD0070: a DM subject who was assigned and treated has at least one EX record.

Subjects are exempt when ARMCD is SCRNFAIL or NOTASSGN, or ACTARMCD is SCRNFAIL, NOTASSGN, NOTTRT or
empty (never treated); the codes compare case-insensitively, as Pinnacle 21 does (the CDISC pilot's
``Scrnfail`` subjects are not flagged in its report). Needs both DM and EX in the build.
"""

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import NOT_ASSIGNED_ARMS, NOT_TREATED_ARMS, arm_code, has_columns, text_or_none
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    dm, ex = datasets.get("DM"), datasets.get("EX")
    if not has_columns(dm, "USUBJID", "ACTARMCD") or not has_columns(ex, "USUBJID"):
        return []
    exposed = set(ex["USUBJID"].dropna())
    armcd = dm["ARMCD"].tolist() if "ARMCD" in dm.columns else [None] * len(dm)
    issues = []
    for pos, (subject, planned, actual) in enumerate(zip(dm["USUBJID"].tolist(), armcd, dm["ACTARMCD"].tolist(),
                                                         strict=True)):
        actual_text = text_or_none(actual)
        if actual_text is None or actual_text.upper() in NOT_TREATED_ARMS or arm_code(planned) in NOT_ASSIGNED_ARMS:
            continue
        if subject not in exposed:
            issues.append(rule.issue(f"no EX record for subject treated in ACTARMCD={actual_text}", dataset="DM",
                                     row=pos + 1, column="USUBJID", value=subject,
                                     expected="at least one EX record"))
    return issues

