"""EX (Exposure): one record per infusion actually administered, derived from EC.

EX holds exactly the EC records with ECOCCUR = Y (linked by EXLNKID = ECLNKID); a planned
infusion not given stays in EC only (ECOCCUR = N with ECREASOC), and so does the volume infused
(ECDOSE in mL: EX states the dose in the protocol's unit, cells, and SDTMIG EX has no volume
variable; a SUPPEX copy would only repeat EC). The EDC holds
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

from aclf_cdisc.errors import DerivationError, Issue
from aclf_cdisc.sdtm.assemble import form_file
from aclf_cdisc.sdtm.conform import conform_to_spec
from aclf_cdisc.sdtm.derivations import COMMON_DERIVATIONS, study_day
from aclf_cdisc.sdtm.domains.ec import map_infusion_log
from aclf_cdisc.sdtm.epoch import derive_var_epoch_for
from aclf_cdisc.sdtm.finish import settle_issues
from aclf_cdisc.sdtm.infusions import INFUSION_FORM, KIT_GROUP
from aclf_cdisc.sdtm.irt import BLINDED, MSC, PBO, require_irt
from aclf_cdisc.sdtm.map_inputs import MapInputs
from aclf_cdisc.sdtm.mapping import Derivation, MappingContext
from aclf_cdisc.sdtm.seq import derive_var_seq
from aclf_cdisc.sdtm.shared_inputs import SharedInputs
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
MAP_INPUTS = MapInputs(forms=(INFUSION_FORM,), columns=(KIT_GROUP,),
                       derivations=frozenset(DERIVATIONS))


def given_in_ec(frame: pd.DataFrame, ec: pd.DataFrame, lnkid_var: str = "EXLNKID") -> pd.Series:
    """True for the assembled infusions EC records as given (ECOCCUR = Y, same USUBJID and link id).

    >>> ec = pd.DataFrame({"USUBJID": ["A", "A"], "ECLNKID": ["Week 0", "Week 1"], "ECOCCUR": ["Y", "N"]})
    >>> given_in_ec(pd.DataFrame({"USUBJID": ["A", "A"], "EXLNKID": ["Week 0", "Week 1"]}), ec).tolist()
    [True, False]
    """
    occurred = ec[ec["ECOCCUR"] == "Y"]
    keys = set(zip(occurred["USUBJID"], occurred["ECLNKID"], strict=True))
    return pd.Series([(u, k) in keys for u, k in zip(frame["USUBJID"], frame[lnkid_var], strict=True)],
                     index=frame.index, dtype=bool)


def build_ex(raw: Any, spec: Spec, *, dm: pd.DataFrame, se: pd.DataFrame, ec: pd.DataFrame,
             visit_map: pd.DataFrame | None = None, blinded: bool = False,
             issues: list[Issue] | None = None, shared: SharedInputs | None = None) -> pd.DataFrame:
    """Build EX from EC: the infusions EC records as given, treatment from the kit list, EPOCH from
    SE, --DY from DM. An infusion given in the log but not in EC as given is an error.

    ``visit_map`` is :func:`aclf_cdisc.sdtm.visits.subject_visit_map` (built here when not given).
    ``shared``: the build's infusions given (:class:`SharedInputs`, same ``blinded``); EX reports
    their warnings.
    """
    require_irt(raw, blinded, DOMAIN)
    dataset = spec.dataset(DOMAIN)
    found: list[Issue] = []
    frame = map_infusion_log(raw, spec, dataset, DERIVATIONS, dm=dm, se=se, visit_map=visit_map, blinded=blinded,
                             planned=False, found=found, options={"blinded": blinded},
                             shared=shared)
    settle_issues(found, issues, DOMAIN)
    in_ec = given_in_ec(frame, ec)
    if not in_ec.all():
        file = form_file(raw, "ex")
        raise DerivationError([
            Issue(rule="sdtm.ex-not-in-ec", dataset=DOMAIN, file=file, row=int(r["_row"]), column="EXLNKID",
                  value=r["EXLNKID"], message="infusion given but EC has no ECOCCUR = Y record for it",
                  expected="an EC record with the same USUBJID, ECLNKID and ECOCCUR = Y")
            for _, r in frame[~in_ec].iterrows()], "EX must be derived from EC")
    frame = derive_var_epoch_for(frame, "EXSTDTC", se, conventions=spec.study.conventions,
                                 observation_class=dataset.class_)
    frame = derive_var_seq(frame, "EXSEQ", order=["EXSTDTC", "VISITNUM"])
    return conform_to_spec(frame, dataset)
