"""EC (Exposure as Collected): every planned infusion of the infusion log (ex), blinded.

One record per planned infusion (raw ex row): ECOCCUR = Y when given, N when not (with the
reason in ECREASOC); ECPRESP = Y (the protocol schedules every infusion). The EDC holds kit
numbers only, so EC is blinded by construction: ECTRT names both possibilities (COM.EC) and the
collected dose is the volume infused (ECDOSE, ECDOSU = ``conventions.infusion_volume_unit``).
Missed infusions have no date, so no EPOCH or --DY. ECLNKID (the visit of the infusion) links
each given infusion to its EX record (EXLNKID); EX holds exactly the EC records with ECOCCUR = Y,
unblinded through the IRT kit list (:func:`aclf_cdisc.sdtm.domains.ex.build_ex`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from aclf_cdisc.errors import Issue
from aclf_cdisc.sdtm.assemble import form_file
from aclf_cdisc.sdtm.conform import conform_to_spec
from aclf_cdisc.sdtm.derivations import COMMON_DERIVATIONS, study_day
from aclf_cdisc.sdtm.epoch import derive_var_epoch_for
from aclf_cdisc.sdtm.finish import settle_issues
from aclf_cdisc.sdtm.infusions import assemble_infusions
from aclf_cdisc.sdtm.mapping import Derivation, MappingContext, apply_mappings
from aclf_cdisc.sdtm.seq import derive_var_seq
from aclf_cdisc.sdtm.visits import derive_vars_visit, subject_visit_map
from aclf_cdisc.spec.model import Dataset, Spec

DOMAIN = "EC"
VOLUME_UNIT = "infusion_volume_unit"  # key of spec.study.conventions: the unit of ex.EXVOL


def derive_ecdosu(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    """The volume unit of the study spec where a volume was collected; empty otherwise."""
    unit = context.spec.study.conventions[VOLUME_UNIT]
    return pd.Series(unit, index=frame.index, dtype=object).where(frame["ECDOSE"].notna(), None)


DERIVATIONS: dict[str, Derivation] = {
    **COMMON_DERIVATIONS,
    "derive_ecdosu": derive_ecdosu,
    "derive_ecstdy": study_day("ECSTDTC"),
    "derive_ecendy": study_day("ECENDTC"),
}


def derive_var_lnkid(frame: pd.DataFrame, new_var: str, visit_var: str = "VISIT") -> pd.DataFrame:
    """--LNKID: the visit of the infusion (one planned infusion per subject and visit).

    >>> derive_var_lnkid(pd.DataFrame({"VISIT": ["Week 0", None]}), "ECLNKID")["ECLNKID"].tolist()
    ['Week 0', None]
    """
    out = frame.copy()
    out[new_var] = out[visit_var].astype(object).where(out[visit_var].notna(), None)
    return out


def map_infusion_log(raw: Any, spec: Spec, dataset: Dataset, derivations: dict[str, Derivation], *,
                     dm: pd.DataFrame, se: pd.DataFrame, visit_map: pd.DataFrame | None, blinded: bool,
                     planned: bool, found: list[Issue], options: dict[str, Any] | None = None) -> pd.DataFrame:
    """The infusion log mapped to ``dataset`` (EC: every ``planned`` infusion; EX: those given), with
    VISIT/VISITNUM and --LNKID; problems are appended to ``found``.

    ``visit_map`` is :func:`aclf_cdisc.sdtm.visits.subject_visit_map` (built here when not given).
    """
    domain = dataset.name
    assembled = assemble_infusions(raw, spec, blinded=blinded, planned=planned, issues=found)
    frame, mapped = apply_mappings(assembled, dataset, spec, derivations, domains={"DM": dm, "SE": se},
                                   options=options)
    found += mapped
    vmap = visit_map if visit_map is not None else subject_visit_map(raw, spec)
    frame, visit_issues = derive_vars_visit(frame, "ex.VISIT", vmap, spec.study, domain=domain,
                                            file=form_file(raw, "ex"),
                                            row_var="_row")
    found += visit_issues
    return derive_var_lnkid(frame, f"{domain}LNKID")


def build_ec(raw: Any, spec: Spec, *, dm: pd.DataFrame, se: pd.DataFrame, visit_map: pd.DataFrame | None = None,
             issues: list[Issue] | None = None) -> pd.DataFrame:
    """Build EC from the infusion log: every planned infusion, EPOCH from SE, --DY from DM."""
    dataset = spec.dataset(DOMAIN)
    found: list[Issue] = []
    frame = map_infusion_log(raw, spec, dataset, DERIVATIONS, dm=dm, se=se, visit_map=visit_map, blinded=True,
                             planned=True, found=found)
    frame = derive_var_epoch_for(frame, "ECSTDTC", se, conventions=spec.study.conventions,
                                 observation_class=dataset.class_)
    settle_issues(found, issues, DOMAIN)
    frame = derive_var_seq(frame, "ECSEQ", order=["VISITNUM", "ECSTDTC"])
    return conform_to_spec(frame, dataset)
