"""EX (Exposure): one record per infusion actually administered (ex.EXYN = Y).

An infusion planned but not given (EXYN = N, with a reason) is not an exposure and has no EX
record (SDTMIG 3.4 EX holds administrations; the not-done log stays in the aCRF). The EDC holds
kit numbers only; the treatment comes from the IRT kit list (``irt_kits``, blinded; joined in
:func:`aclf_cdisc.sdtm.infusions.assemble_infusions`). Placebo is
named and dosed deliberately: EXTRT = PLACEBO, EXDOSE = 0 in the hUC-MSC dose unit (COM.PLACEBO).
The hUC-MSC dose and unit are the trial summary's DOSE/DOSU rows (study.yaml), so they are stated
once. Kit number -> EXREFID.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from aclf_cdisc.errors import Issue
from aclf_cdisc.sdtm.conform import conform_to_spec
from aclf_cdisc.sdtm.derivations import COMMON_DERIVATIONS, study_day
from aclf_cdisc.sdtm.epoch import derive_var_epoch_for
from aclf_cdisc.sdtm.finish import settle_issues
from aclf_cdisc.sdtm.infusions import assemble_infusions
from aclf_cdisc.sdtm.irt import BLINDED, MSC, PBO, require_irt
from aclf_cdisc.sdtm.mapping import Derivation, MappingContext, apply_mappings
from aclf_cdisc.sdtm.seq import derive_var_seq
from aclf_cdisc.sdtm.visits import derive_vars_visit, subject_visit_map
from aclf_cdisc.spec.model import Spec

DOMAIN = "EX"
EXTRT_BY_GROUP: dict[str, str] = {MSC: "hUC-MSC", PBO: "PLACEBO"}
PLACEBO_DOSE_FORM = "INJECTION, SOLUTION"  # 5% human serum albumin in 0.9% saline (COM.PLACEBO)


def trial_summary_value(spec: Spec, parmcd: str) -> str | None:
    for row in spec.study.trial_summary:
        if row.get("TSPARMCD") == parmcd:
            return row.get("TSVAL")
    return None


# ------------------------------------------------------------------------------------------
# derivations
# ------------------------------------------------------------------------------------------
def _blinded(context: MappingContext) -> bool:
    return bool(context.options.get("blinded", False))


def derive_extrt(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    if _blinded(context):
        return pd.Series(BLINDED, index=frame.index, dtype=object)
    return frame["TRTGRP"].map(EXTRT_BY_GROUP).astype(object)


def derive_exdose(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    """hUC-MSC: the protocol dose (TS DOSE); placebo: 0 (no cells); blinded: empty."""
    dose = float(trial_summary_value(context.spec, "DOSE") or "nan")
    values = frame["TRTGRP"].map({MSC: dose, PBO: 0.0})
    return values.astype("float64") if not _blinded(context) else pd.Series(np.nan, index=frame.index)


def derive_exdosu(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    unit = trial_summary_value(context.spec, "DOSU")
    return pd.Series([unit] * len(frame), index=frame.index, dtype=object).where(frame["EXDOSE"].notna(), None)


def derive_exdosfrm(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    form = trial_summary_value(context.spec, "DOSFRM")
    return frame["TRTGRP"].map({MSC: form, PBO: PLACEBO_DOSE_FORM}).astype(object)


DERIVATIONS: dict[str, Derivation] = {
    **COMMON_DERIVATIONS,
    "derive_extrt": derive_extrt,
    "derive_exdose": derive_exdose,
    "derive_exdosu": derive_exdosu,
    "derive_exdosfrm": derive_exdosfrm,
    "derive_exstdy": study_day("EXSTDTC"),
    "derive_exendy": study_day("EXENDTC"),
}


def build_ex(raw: Any, spec: Spec, *, dm: pd.DataFrame, se: pd.DataFrame, visit_map: pd.DataFrame | None = None,
             blinded: bool = False, issues: list[Issue] | None = None) -> pd.DataFrame:
    """Build EX: administered infusions with treatment from the kit list, EPOCH from SE, --DY from DM.

    ``visit_map`` is :func:`aclf_cdisc.sdtm.visits.subject_visit_map` (built here when not given).
    """
    require_irt(raw, blinded, DOMAIN)
    dataset = spec.dataset(DOMAIN)
    found: list[Issue] = []
    assembled = assemble_infusions(raw, spec, blinded=blinded, issues=found)
    frame, mapped = apply_mappings(assembled, dataset, spec, DERIVATIONS, domains={"DM": dm, "SE": se},
                                   options={"blinded": blinded})
    found += mapped
    vmap = visit_map if visit_map is not None else subject_visit_map(raw, spec)
    frame, visit_issues = derive_vars_visit(frame, "ex.VISIT", vmap, spec.study, domain=DOMAIN, file="ex.csv",
                                            row_var="_row")
    found += visit_issues
    frame = derive_var_epoch_for(frame, "EXSTDTC", se, conventions=spec.study.conventions,
                                 observation_class=dataset.class_)
    settle_issues(found, issues, DOMAIN)
    frame = derive_var_seq(frame, "EXSEQ", order=["EXSTDTC", "VISITNUM"])
    return conform_to_spec(frame, dataset)
