"""SD0064: every subject in a subject-level domain appears in DM.

An empty USUBJID (missing, or blank as read back from an XPT file) names no subject: RELREC's
dataset-level relationships have none.
"""

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import is_missing
from aclf_cdisc.compact import distinct_of, held_column
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def _names_a_subject(value: object) -> bool:
    """Not missing, and not blank as text (as read back from an XPT file)."""
    return not is_missing(value) and str(value).strip() != ""


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    if "DM" not in datasets:
        return []
    dm_subjects = held_column(datasets, "DM", "USUBJID")
    if dm_subjects is None:
        return []  # a DM without USUBJID names no subject: SD0056 reports the variable missing
    known = set(dm_subjects)
    issues = []
    for name in sorted(datasets):
        subjects = None if name == "DM" else held_column(datasets, name, "USUBJID")  # the one variable
        if subjects is None:
            continue
        # each distinct subject once (a compacted column's categories: its records are not read)
        unknown = [subject for subject in distinct_of(subjects).tolist()
                   if _names_a_subject(subject) and subject not in known]
        for subject in sorted(unknown):
            issues.append(rule.issue("subject is not in DM", dataset=name, column="USUBJID", value=subject))
    return issues

