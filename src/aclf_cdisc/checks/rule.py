"""The shape of a conformance rule: its catalogue entry (data) joined to the function that checks it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from aclf_cdisc.errors import Issue, Severity
from aclf_cdisc.spec.model import Spec

Datasets = Mapping[str, pd.DataFrame]
RuleFunction = Callable[..., list[Issue]]
Scope = Literal["standard", "study"]


@dataclass(frozen=True)
class Context:
    """What a run knows besides the frames and their metadata.

    define:            the define.xml to compare with the data (None: none given or found);
    define_expected:   whether a missing define.xml is a finding (a folder validation) or not (the
                       build, which writes define.xml after the checks);
    file_metadata:     the XPT/Dataset-JSON header metadata of each dataset read from a file, by name
                       (:class:`aclf_cdisc.transport.meta.XptDataset`); empty in the build.
    """

    define: Path | None = None
    define_expected: bool = False
    file_metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Rule:
    """A conformance rule. ``id`` is stable: reports, checklists and tests refer to it.

    Everything but ``check`` comes from the catalogue (aclf_cdisc/checks/catalogue.yaml).
    ``needs_context`` rules are called ``check(datasets, spec, rule, context)``; the others
    ``check(datasets, spec, rule)``. ``scope="study"`` rules need the study's own spec and run only
    in the build, never on a folder of somebody else's datasets.
    """

    id: str
    title: str
    severity: Severity
    standard: str  # "SDTM", "ADaM" or "ALL"
    check: RuleFunction
    module: str = ""
    category: str = ""
    description: str = ""
    ig: str = ""
    p21: tuple[str, ...] = ()
    cdisc: tuple[str, ...] = ()
    core: tuple[str, ...] = ()
    fda: tuple[str, ...] = ()
    gate: bool = False
    scope: Scope = "standard"
    needs_context: bool = False
    notes: str = ""

    def issue(self, message: str, **where: object) -> Issue:
        return Issue(rule=self.id, message=message, severity=self.severity, **where)  # type: ignore[arg-type]

    def run(self, datasets: Datasets, spec: Spec, context: Context | None = None) -> list[Issue]:
        if self.needs_context:
            return self.check(datasets, spec, self, context or Context())
        return self.check(datasets, spec, self)

    @property
    def publisher_ids(self) -> str:
        """Every publisher's ID for the rule, comma-joined (the P21 report's "Publisher ID" column)."""
        return ", ".join((*self.fda, *self.cdisc, *self.core))
