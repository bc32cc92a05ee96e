"""What several domains of one build start from, assembled once per build and then shared.

DM, SE and EX read the infusions given (:func:`aclf_cdisc.sdtm.infusions.assemble_infusions`);
DM, SE and DS read the randomization (:func:`aclf_cdisc.sdtm.irt.assemble_randomization`).
:class:`SharedInputs` assembles each the first time a domain asks for it, so an error is raised
by the same domain, at the same step, as when every domain assembled its own; later domains get
the same frame (they read it, never change it). The infusions' warnings are kept for EX, the one
domain that reports them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from aclf_cdisc.errors import Issue
from aclf_cdisc.sdtm.infusions import assemble_infusions
from aclf_cdisc.sdtm.irt import assemble_randomization
from aclf_cdisc.spec.model import Spec


@dataclass
class SharedInputs:
    """The infusions given and the randomization of one build (``raw``, ``spec``, ``blinded``)."""

    raw: Any
    spec: Spec
    blinded: bool
    infusion_warnings: list[Issue] = field(default_factory=list)  # assemble_infusions' warnings (EX's)
    _infusions: pd.DataFrame | None = None
    _randomization: pd.DataFrame | None = None

    def infusions(self) -> pd.DataFrame:
        """:func:`assemble_infusions` (the infusions given), assembled on the first call."""
        if self._infusions is None:
            self._infusions = assemble_infusions(self.raw, self.spec, blinded=self.blinded,
                                                 issues=self.infusion_warnings)
        return self._infusions

    def randomization(self) -> pd.DataFrame:
        """:func:`assemble_randomization`, assembled on the first call."""
        if self._randomization is None:
            self._randomization = assemble_randomization(self.raw, self.spec, blinded=self.blinded)
        return self._randomization
