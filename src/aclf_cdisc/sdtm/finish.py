"""The last steps every domain builder shares: settle its Issues, number --SEQ, conform to the spec."""

from __future__ import annotations

import pandas as pd

from aclf_cdisc.errors import InputError, Issue
from aclf_cdisc.sdtm.conform import conform_to_spec
from aclf_cdisc.sdtm.seq import derive_var_seq
from aclf_cdisc.spec.model import Dataset


def settle_issues(found: list[Issue], issues: list[Issue] | None, dataset: str,
                  what: str = "raw value(s) cannot be mapped") -> None:
    """Raise every error of ``found`` at once (an :class:`InputError`); else hand them all to ``issues``."""
    errors = [i for i in found if i.severity == "error"]
    if errors:
        raise InputError(errors, f"{dataset}: {len(errors)} {what}")
    if issues is not None:
        issues.extend(found)


def finish(frame: pd.DataFrame, dataset: Dataset, found: list[Issue], issues: list[Issue] | None,
           seq_var: str) -> pd.DataFrame:
    """Raise on errors, hand warnings to ``issues``, number --SEQ in sort order, conform to the spec."""
    settle_issues(found, issues, dataset.name)
    order = [k for k in (*dataset.sort_order, *dataset.keys) if k != seq_var]
    numbered = derive_var_seq(frame, seq_var, order=list(dict.fromkeys(order)))
    return conform_to_spec(numbered, dataset)
