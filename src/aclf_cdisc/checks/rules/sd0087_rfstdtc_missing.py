"""SD0087: RFSTDTC is populated for every randomized subject (ARMCD populated, not SCRNFAIL/NOTASSGN).

Arm codes compare case-insensitively, as Pinnacle 21 does.
"""

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import NOT_ASSIGNED_ARMS, arm_code, has_columns, text_or_none
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    dm = datasets.get("DM")
    if not has_columns(dm, "USUBJID", "ARMCD"):
        return []
    rfstdtc = dm["RFSTDTC"].tolist() if "RFSTDTC" in dm.columns else [None] * len(dm)
    issues = []
    for pos, (subject, armcd, start) in enumerate(zip(dm["USUBJID"].tolist(), dm["ARMCD"].tolist(), rfstdtc,
                                                      strict=True)):
        arm = arm_code(armcd)
        if arm is None or arm in NOT_ASSIGNED_ARMS or text_or_none(start) is not None:
            continue
        issues.append(rule.issue(f"RFSTDTC is missing for subject {subject} randomized to ARMCD={arm}",
                                 dataset="DM", row=pos + 1, column="RFSTDTC", value=None,
                                 expected="the reference start date"))
    return issues

