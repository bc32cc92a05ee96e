"""SD0064: every subject in a subject-level domain appears in DM.

An empty USUBJID (missing, or blank as read back from an XPT file) names no subject: RELREC's
dataset-level relationships have none.
"""

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.compact import dataset_columns, read_columns
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    if "DM" not in datasets:
        return []
    known = set(datasets["DM"]["USUBJID"])
    issues = []
    for name in sorted(datasets):
        if name == "DM" or "USUBJID" not in dataset_columns(datasets, name):
            continue
        frame = read_columns(datasets, name, ["USUBJID"])  # the one variable, not the whole dataset
        named = frame["USUBJID"].notna() & frame["USUBJID"].astype("string").str.strip().ne("").fillna(False)
        unknown = named & ~frame["USUBJID"].isin(known)
        for subject in sorted(frame.loc[unknown, "USUBJID"].unique()):
            issues.append(rule.issue("subject is not in DM", dataset=name, column="USUBJID", value=subject))
    return issues

