"""ACLF-XPT-01: dataset and variable metadata fit SAS XPORT v5 (FDA TCG §3.3).

Names: at most 8 characters, letters, digits and underscores, not starting with a digit; labels at
most 40 characters; character values at most 200 bytes. Read from the file headers on a folder
(``context.file_metadata``), from the spec and the data in the build.
"""

import re

from aclf_cdisc.checks.rule import Context, Datasets, Rule
from aclf_cdisc.compact import held_column
from aclf_cdisc.errors import Issue
from aclf_cdisc.limits import longest_text_bytes
from aclf_cdisc.spec.model import Spec

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,7}$")
MAX_LABEL, MAX_CHAR = 40, 200


def _longest(datasets: Datasets, name: str, variable: str) -> int | None:
    """The longest value of one text variable in bytes (None if the dataset lacks it): from its
    distinct values, a compacted column's categories (nothing rebuilt)."""
    column = held_column(datasets, name, variable)
    return None if column is None else longest_text_bytes(column)


def check(datasets: Datasets, spec: Spec, rule: Rule, context: Context) -> list[Issue]:
    issues = []
    for name in sorted(datasets):
        meta = context.file_metadata.get(name)
        if meta is not None:
            label = meta.label
            variables = [(v.name, v.label, v.length if v.is_char else None) for v in meta.variables]
        elif name in spec.datasets:
            ds = spec.datasets[name]
            label = ds.label
            variables = [(v.name, v.label, None if v.is_numeric else _longest(datasets, name, v.name))
                         for v in ds.variables]
        else:
            continue
        if not NAME.match(name):
            issues.append(rule.issue("dataset name is not a SAS v5 name", dataset=name, value=name,
                                     expected="<= 8 letters, digits or _"))
        if len(label or "") > MAX_LABEL:
            issues.append(rule.issue("dataset label longer than 40 characters", dataset=name, value=label,
                                     expected="<= 40 characters"))
        for var_name, var_label, length in variables:
            where = {"dataset": name, "column": var_name}
            if not NAME.match(var_name):
                issues.append(rule.issue("variable name is not a SAS v5 name", **where, value=var_name,
                                         expected="<= 8 letters, digits or _"))
            if len(var_label or "") > MAX_LABEL:
                issues.append(rule.issue("variable label longer than 40 characters", **where, value=var_label,
                                         expected="<= 40 characters"))
            if length is not None and length > MAX_CHAR:
                issues.append(rule.issue("character variable longer than 200 bytes", **where, value=length,
                                         expected="<= 200 bytes"))
    return issues
