"""ACLF-EX-01: every EX record has an EC record that collected it as given (ECOCCUR = Y).

EX holds the administrations derived from EC (exposure as collected). An EX record is linked to
EC by --LNKID when both datasets carry it, else by start date/time; it is flagged when no EC
record of the same subject with that link has ECOCCUR = Y (absent ECOCCUR counts as given). A
build without EC is not checked. This catches exposures that the collected log records as not
given, or that the log does not hold at all.
"""

from __future__ import annotations

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import has_columns
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    ex, ec = datasets.get("EX"), datasets.get("EC")
    if ex is None or ec is None:
        return []
    by_link = "EXLNKID" in ex.columns and "ECLNKID" in ec.columns
    ex_key, ec_key = ("EXLNKID", "ECLNKID") if by_link else ("EXSTDTC", "ECSTDTC")
    if not has_columns(ex, "USUBJID", ex_key) or not has_columns(ec, "USUBJID", ec_key):
        return []
    given = ec if "ECOCCUR" not in ec.columns else ec[ec["ECOCCUR"].fillna("Y") == "Y"]
    collected = set(zip(given["USUBJID"], given[ec_key], strict=True))
    issues: list[Issue] = []
    for pos, (subject, key) in enumerate(zip(ex["USUBJID"], ex[ex_key], strict=True)):
        if (subject, key) not in collected:
            issues.append(rule.issue(f"EX record has no EC record collected as given ({ec_key} = {key})",
                                     dataset="EX", row=pos + 1, column=ex_key, value=key,
                                     expected=f"an EC record of {subject} with {ec_key} = {key} and ECOCCUR = Y"))
    return issues

