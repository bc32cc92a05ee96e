"""SD1117: no two records of a dataset are equal in every variable other than --SEQ.

The first record of a group is kept; each later copy is reported, naming the record it repeats.
"""

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import datasets_of
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    issues = []
    for name, frame in datasets_of(datasets, spec, "SDTM"):
        columns = [c for c in frame.columns if not (isinstance(c, str) and len(c) == 5 and c.endswith("SEQ"))]
        if not columns or frame.empty:
            continue
        data = frame[columns].reset_index(drop=True).astype(object)
        data = data.where(data.notna(), None)
        first_of: dict[tuple[object, ...], int] = {}
        for pos, record in enumerate(data.itertuples(index=False, name=None)):
            if record in first_of:
                first = first_of[record]
                issues.append(rule.issue(f"record {pos + 1} repeats record {first} in every variable but --SEQ",
                                         dataset=name, row=pos + 1, value=f"same as record {first}"))
            else:
                first_of[record] = pos + 1
    return issues


RULE = Rule("SD1117", "Duplicate records", "warning", "SDTM", check)
