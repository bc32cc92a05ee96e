"""SD1082: a character variable's length is not above the longest value it holds (FDA TCG).

The declared lengths are the ones the XPT file is written with: the spec's Variable.length, where
``None`` ("auto") means the writer uses the longest value, so it cannot be too long. Lengths count
bytes (UTF-8). SUPP-- datasets are checked too: the TCG exempts them only from the study-wide
maximum, not from their own data, and Pinnacle 21 flags them (QVAL, QORIG, QEVAL on the CDISC pilot).
Variables null on every record are left to the "missing value for all records" checks, as Pinnacle
21 does on the pilot. :func:`length_issues` takes any declared lengths, so the written XPT metadata
can be checked the same way.
"""

from collections.abc import Mapping

import pandas as pd

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import specified_datasets_of
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Dataset, Spec

ALLOWED_EXCESS = 0  # bytes a declared length may exceed the longest value


def longest_value(series: pd.Series) -> int:
    """Longest value in bytes, trailing blanks dropped (0 when every value is missing)."""
    distinct = pd.unique(series.to_numpy(dtype=object))  # each distinct value measured once
    lengths = [len(v.rstrip(" ").encode("utf-8")) for v in distinct if isinstance(v, str)]
    return max([0, *lengths])


def length_issues(rule: Rule, dataset: str, frame: pd.DataFrame, declared: Mapping[str, int | None],
                  *, allowed_excess: int = ALLOWED_EXCESS) -> list[Issue]:
    """One issue per character column whose declared length exceeds its longest value."""
    issues = []
    for column, length in declared.items():
        if length is None or column not in frame.columns:
            continue
        longest = longest_value(frame[column])
        if longest > 0 and length - longest > allowed_excess:
            issues.append(rule.issue(f"{column} is declared {length} bytes but its longest value is {longest} "
                                     f"(excess {length - longest})", dataset=dataset, column=column,
                                     value=length, expected=f"length {longest}"))
    return issues


def _declared(dataset: Dataset) -> list[str]:
    """The text variables the spec gives a length (the others are as long as their longest value)."""
    return [v.name for v in dataset.variables if not v.is_numeric and v.length is not None]


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    issues = []
    for name, frame, dataset in specified_datasets_of(datasets, spec, "SDTM", reads=_declared):
        declared = {v.name: v.length for v in dataset.variables if not v.is_numeric}
        issues.extend(length_issues(rule, name, frame, declared))
    return issues

