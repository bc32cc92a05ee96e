"""EC (Exposure as Collected): every planned infusion of the infusion log (ex), blinded.

One record per planned infusion (raw ex row): ECOCCUR = Y when given, N when not (with the
reason in ECREASOC); ECPRESP = Y (the protocol schedules every infusion). The EDC holds kit
numbers only, so EC is blinded by construction: ECTRT names both possibilities (COM.EC) and the
collected dose is the volume infused (ECDOSE, ECDOSU = ``conventions.infusion_volume_unit``).
A missed infusion has no collected date: its ECSTDTC is the planned date (:func:`derive_planned_start`,
the TV planned study day from the first infusion, date only; COM.EC.ECSTDTC), which gives it an
EPOCH and ECSTDY; ECENDTC stays empty. ECLNKID (the visit of the infusion) links
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
from aclf_cdisc.sdtm.infusions import INFUSION_FORM, KIT_GROUP, assemble_infusions
from aclf_cdisc.sdtm.map_inputs import MapInputs
from aclf_cdisc.sdtm.mapping import Derivation, MappingContext, apply_mappings
from aclf_cdisc.sdtm.seq import derive_var_seq
from aclf_cdisc.sdtm.shared_inputs import SharedInputs
from aclf_cdisc.sdtm.study_day import compute_dy, iso_date_part
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
MAP_INPUTS = MapInputs(forms=(INFUSION_FORM,), columns=(KIT_GROUP,),
                       derivations=frozenset(DERIVATIONS))


def derive_var_lnkid(frame: pd.DataFrame, new_var: str, visit_var: str = "VISIT") -> pd.DataFrame:
    """--LNKID: the visit of the infusion (one planned infusion per subject and visit).

    >>> derive_var_lnkid(pd.DataFrame({"VISIT": ["Week 0", None]}), "ECLNKID")["ECLNKID"].tolist()
    ['Week 0', None]
    """
    out = frame.copy()
    out[new_var] = out[visit_var].astype(object).where(out[visit_var].notna(), None)
    return out


def derive_planned_start(frame: pd.DataFrame, spec: Spec, dm: pd.DataFrame, *, dtc_var: str = "ECSTDTC",
                         dy_var: str = "ECSTDY", occur_var: str = "ECOCCUR") -> pd.DataFrame:
    """ECSTDTC (and ECSTDY) of a planned infusion not given: its planned date, date only.

    The planned date is DM.RFSTDTC (study day 1, the first infusion) + the visit's planned study
    day (TV VISITDY) - 1 (no day 0). Records given, records with a date, visits without a planned
    day and subjects without RFSTDTC are left as they are.

    >>> from types import SimpleNamespace as N
    >>> spec = N(study=N(visits=(N(visit="Week 0", visitdy=1), N(visit="Week 2", visitdy=15))))
    >>> ec = pd.DataFrame({"USUBJID": ["A", "A"], "VISIT": ["Week 0", "Week 2"], "ECOCCUR": ["Y", "N"],
    ...                    "ECSTDTC": ["2024-01-03T10:00", None], "ECSTDY": [1.0, None]})
    >>> dm = pd.DataFrame({"USUBJID": ["A"], "RFSTDTC": ["2024-01-03T10:00"]})
    >>> derive_planned_start(ec, spec, dm)[["ECSTDTC", "ECSTDY"]].values.tolist()
    [['2024-01-03T10:00', 1.0], ['2024-01-17', 15.0]]
    """
    out = frame.copy()
    planned_day = {v.visit: v.visitdy for v in spec.study.visits if v.visitdy is not None}
    rfstdtc = out["USUBJID"].map(dm.set_index("USUBJID")["RFSTDTC"])
    day1 = pd.to_datetime(iso_date_part(rfstdtc), format="%Y-%m-%d", errors="coerce")
    offset = pd.to_timedelta(out["VISIT"].map(planned_day).astype(float) - 1, unit="D")
    planned = (day1 + offset).dt.strftime("%Y-%m-%d")
    missing = out[dtc_var].isna() & (out[occur_var] == "N") & planned.notna()
    out[dtc_var] = out[dtc_var].astype(object).where(~missing, planned)
    out[dy_var] = out[dy_var].where(~missing, compute_dy(out[dtc_var], rfstdtc).astype("float64"))
    return out


def map_infusion_log(raw: Any, spec: Spec, dataset: Dataset, derivations: dict[str, Derivation], *,
                     dm: pd.DataFrame, se: pd.DataFrame, visit_map: pd.DataFrame | None, blinded: bool,
                     planned: bool, found: list[Issue], options: dict[str, Any] | None = None,
                     shared: SharedInputs | None = None) -> pd.DataFrame:
    """The infusion log mapped to ``dataset`` (EC: every ``planned`` infusion; EX: those given), with
    VISIT/VISITNUM and --LNKID; problems are appended to ``found``.

    ``visit_map`` is :func:`aclf_cdisc.sdtm.visits.subject_visit_map` (built here when not given).
    ``shared``: the build's infusions given (:class:`SharedInputs`; not ``planned``, same
    ``blinded``), whose warnings are appended to ``found`` as when assembled here.
    """
    domain = dataset.name
    if shared is not None and not planned:
        assembled = shared.infusions()
        found += shared.infusion_warnings
    else:
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
    frame = derive_planned_start(frame, spec, dm)
    frame = derive_var_epoch_for(frame, "ECSTDTC", se, conventions=spec.study.conventions,
                                 observation_class=dataset.class_)
    settle_issues(found, issues, DOMAIN)
    frame = derive_var_seq(frame, "ECSEQ", order=["VISITNUM", "ECSTDTC"])
    return conform_to_spec(frame, dataset)
