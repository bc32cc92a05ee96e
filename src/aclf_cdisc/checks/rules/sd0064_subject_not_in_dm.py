"""SD0064: every subject in a subject-level domain appears in DM.

An empty USUBJID (missing, or blank as read back from an XPT file) names no subject: RELREC's
dataset-level relationships have none.
"""

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.compact import read_column
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    if "DM" not in datasets:
        return []
    known = set(datasets["DM"]["USUBJID"])
    issues = []
    for name in sorted(datasets):
        subjects = None if name == "DM" else read_column(datasets, name, "USUBJID")  # the one variable
        if subjects is None:
            continue
        named = subjects.notna() & subjects.astype("string").str.strip().ne("").fillna(False)
        unknown = named & ~subjects.isin(known)
        for subject in sorted(subjects[unknown].unique()):
            issues.append(rule.issue("subject is not in DM", dataset=name, column="USUBJID", value=subject))
    return issues

