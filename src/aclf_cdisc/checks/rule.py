"""The shape of a conformance rule and the registry the build runs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import pandas as pd

from aclf_cdisc.errors import Issue, Severity
from aclf_cdisc.spec.model import Spec

Datasets = Mapping[str, pd.DataFrame]
RuleFunction = Callable[[Datasets, Spec, "Rule"], list[Issue]]


@dataclass(frozen=True)
class Rule:
    """A conformance rule. ``id`` is stable: reports, checklists and tests refer to it."""

    id: str
    title: str
    severity: Severity
    standard: str  # "SDTM", "ADaM" or "ALL"
    check: RuleFunction

    def issue(self, message: str, **where: object) -> Issue:
        return Issue(rule=self.id, message=message, severity=self.severity, **where)  # type: ignore[arg-type]

    def run(self, datasets: Datasets, spec: Spec) -> list[Issue]:
        return self.check(datasets, spec, self)

