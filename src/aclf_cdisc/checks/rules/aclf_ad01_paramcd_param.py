"""ACLF-AD-01: PARAMCD and PARAM map one to one within each BDS dataset."""

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import datasets_of
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    issues = []
    for name, frame in datasets_of(datasets, spec, "ADaM", needs=("PARAMCD", "PARAM"),
                                   reads=lambda c: c in ("PARAMCD", "PARAM")):
        pairs = frame[["PARAMCD", "PARAM"]].dropna().astype(str).drop_duplicates()
        for one, other in (("PARAMCD", "PARAM"), ("PARAM", "PARAMCD")):
            for key, group in pairs.groupby(one)[other]:
                values = sorted(group)
                if len(values) > 1:
                    issues.append(rule.issue(f"{one} {key!r} has {len(values)} values of {other}", dataset=name,
                                             column=one, value=str(key), expected=f"one {other}: {', '.join(values)}"))
    return issues
