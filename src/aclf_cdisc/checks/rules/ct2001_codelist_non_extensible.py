"""CT2001: values of a variable with a non-extensible codelist come from that codelist.

Codelists come from the spec (Variable.codelist); external dictionaries (MedDRA) and codelists
without terms are not checked. One issue per distinct failing value, at its first record, with the
number of records in the message (as the Pinnacle 21 report counts them).
"""

from collections import Counter
from functools import partial

import numpy as np

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import distinct_results, is_missing, plain
from aclf_cdisc.compact import held_column
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Codelist, Spec


def _allowed(codelist: Codelist) -> set[object]:
    if codelist.data_type in ("integer", "float"):
        return {float(v) for v in codelist.values}
    return set(codelist.values)


def _key(value: object, numeric: bool) -> object:
    if numeric:
        try:
            return float(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return value
    return value


def _outside(value: object, *, numeric: bool, allowed: set[object]) -> bool:
    return not is_missing(value) and _key(value, numeric) not in allowed


def codelist_issues(datasets: Datasets, spec: Spec, rule: Rule, *, extensible: bool) -> list[Issue]:
    issues = []
    for name in sorted(datasets):
        if name not in spec.datasets:
            continue
        kind = "extensible" if extensible else "non-extensible"
        checked = [(var, codelist) for var in spec.datasets[name].variables
                   if (codelist := spec.codelists.get(var.codelist or "")) is not None
                   and codelist.extensible == extensible and not codelist.external and codelist.terms]
        for var, codelist in checked:
            column = held_column(datasets, name, var.name)  # one variable at a time, compacted if held so
            if column is None:
                continue
            numeric = codelist.data_type in ("integer", "float")
            allowed = _allowed(codelist)
            outside = np.flatnonzero(distinct_results(
                column, partial(_outside, numeric=numeric, allowed=allowed), missing=False, dtype=bool))
            values = column.tolist() if len(outside) else []
            bad = [(int(pos), values[pos]) for pos in outside]
            counts = Counter(_key(v, numeric) for _, v in bad)
            seen: set[object] = set()
            for pos, value in bad:
                key = _key(value, numeric)
                if key in seen:
                    continue
                seen.add(key)
                issues.append(rule.issue(
                    f"{var.name} value not found in '{codelist.name}' {kind} codelist ({counts[key]} records)",
                    dataset=name, row=pos + 1, column=var.name, value=plain(value),
                    expected=f"a term of {codelist.oid}"))
    return issues


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    return codelist_issues(datasets, spec, rule, extensible=False)

