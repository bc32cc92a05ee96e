"""EX (Exposure): one record per infusion actually administered (ex.EXYN = Y).

An infusion planned but not given (EXYN = N, with a reason) is not an exposure and has no EX
record (SDTMIG 3.4 EX holds administrations; the not-done log stays in the aCRF). The EDC holds
kit numbers only; the treatment comes from the IRT kit list (``irt_kits``, blinded). Placebo is
named and dosed deliberately: EXTRT = PLACEBO, EXDOSE = 0 in the hUC-MSC dose unit (COM.PLACEBO).
The hUC-MSC dose and unit are the trial summary's DOSE/DOSU rows (study.yaml), so they are stated
once. Kit number -> EXREFID.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from aclf_cdisc.errors import InputError, Issue
from aclf_cdisc.sdtm.conform import conform_to_spec
from aclf_cdisc.sdtm.dates import raw_to_iso8601
from aclf_cdisc.sdtm.domains.dm import BLINDED, MSC, PBO, get_form, require_irt, with_usubjid
from aclf_cdisc.sdtm.epoch import derive_var_epoch
from aclf_cdisc.sdtm.mapping import Derivation, MappingContext, apply_mappings
from aclf_cdisc.sdtm.seq import derive_var_seq
from aclf_cdisc.sdtm.study_day import compute_dy
from aclf_cdisc.sdtm.visits import derive_vars_visit, fold_name
from aclf_cdisc.spec.model import Spec

DOMAIN = "EX"
# Randomization stage of each infusion visit (protocol: weeks 0, 1, 2 stage 1; weeks 4, 5 stage 2).
STAGE_BY_FOLDER: dict[str, int] = {"week 0": 1, "week 1": 1, "week 2": 1, "week 4": 2, "week 5": 2}
EXTRT_BY_GROUP: dict[str, str] = {MSC: "hUC-MSC", PBO: "PLACEBO"}
PLACEBO_DOSE_FORM = "INJECTION, SOLUTION"  # 5% human serum albumin in 0.9% saline (COM.PLACEBO)


def trial_summary_value(spec: Spec, parmcd: str) -> str | None:
    for row in spec.study.trial_summary:
        if row.get("TSPARMCD") == parmcd:
            return row.get("TSVAL")
    return None


def assemble_infusions(raw: Any, spec: Spec, *, blinded: bool = False,
                       issues: list[Issue] | None = None) -> pd.DataFrame:
    """One row per administered infusion: ``ex.*`` and ``irt_kits.TRTGRP`` columns, plus USUBJID,
    STAGE (1/2), EXSTDTC, EXENDTC (ISO 8601) and TRTGRP (hUC-MSC/Placebo; None when blinded).

    Errors (unknown kit, unknown infusion visit, unreadable date/time) raise :class:`InputError`;
    a kit dispensed to another subject is a warning appended to ``issues``.
    """
    ex = with_usubjid(get_form(raw, "ex"), spec)
    found: list[Issue] = []
    given = ex[ex["EXYN"].fillna("").str.upper() == "Y"].reset_index(drop=True)
    frame = pd.DataFrame({"USUBJID": given["USUBJID"], "_row": given["_row"]})
    for column in ex.columns:
        if column not in ("USUBJID", "_row"):
            frame[f"ex.{column}"] = given[column].to_numpy()
    frame["STAGE"] = given["VISIT"].map(lambda v: STAGE_BY_FOLDER.get(fold_name(v)) if v is not None else None)
    for pos in np.flatnonzero(frame["STAGE"].isna().to_numpy()):
        found.append(Issue(rule="sdtm.infusion-visit-unknown", message="infusion recorded at a visit with no dose",
                           file="ex.csv", dataset=DOMAIN, row=int(frame["_row"].iat[pos]), column="VISIT",
                           value=frame["ex.VISIT"].iat[pos], expected=", ".join(sorted(STAGE_BY_FOLDER))))
    for target, clock in (("EXSTDTC", "EXSTTIM"), ("EXENDTC", "EXENTIM")):
        values, bad = raw_to_iso8601(frame["ex.EXDAT"], frame[f"ex.{clock}"], dataset=DOMAIN, variable=target,
                                     file="ex.csv", rows=frame["_row"])
        frame[target] = values
        found += bad
    frame["TRTGRP"] = None
    frame["irt_kits.TRTGRP"] = None
    if not blinded:
        kits = get_form(raw, "irt_kits")
        kits = kits.drop_duplicates("KITNO")
        content = kits.set_index("KITNO")["TRTGRP"]
        owner = kits.set_index("KITNO")["SUBJID"]
        frame["irt_kits.TRTGRP"] = frame["ex.KITNO"].map(content)
        frame["TRTGRP"] = frame["irt_kits.TRTGRP"].map(
            lambda v: next((g for g in (MSC, PBO) if v is not None and str(v).casefold() == g.casefold()), None))
        for pos in np.flatnonzero(frame["TRTGRP"].isna().to_numpy()):
            found.append(Issue(rule="sdtm.kit-unknown", message="infused kit is not in the IRT kit list",
                               file="ex.csv", dataset=DOMAIN, row=int(frame["_row"].iat[pos]), column="KITNO",
                               value=frame["ex.KITNO"].iat[pos], expected="a KITNO of irt_kits with TRTGRP"))
        other = frame["ex.KITNO"].map(owner)
        for pos in np.flatnonzero((other.notna() & (other != frame["ex.SUBJID"])).to_numpy()):
            found.append(Issue(rule="sdtm.kit-other-subject", severity="warning",
                               message="infused kit was dispensed to another subject", file="ex.csv",
                               dataset=DOMAIN, row=int(frame["_row"].iat[pos]), column="KITNO",
                               value=frame["ex.KITNO"].iat[pos], expected=f"a kit of {frame['ex.SUBJID'].iat[pos]}"))
    errors = [i for i in found if i.severity == "error"]
    if errors:
        raise InputError(errors, f"EX: {len(errors)} infusion record(s) cannot be used")
    if issues is not None:
        issues.extend(found)
    return frame.astype(object).where(frame.notna(), None)


# ------------------------------------------------------------------------------------------
# derivations
# ------------------------------------------------------------------------------------------
def _blinded(context: MappingContext) -> bool:
    return bool(context.options.get("blinded", False))


def derive_studyid(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    return pd.Series(context.spec.study.studyid, index=frame.index, dtype=object)


def derive_usubjid(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    return frame["USUBJID"].astype(object)


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
    return pd.Series(np.where(frame["EXDOSE"].notna(), unit, None), index=frame.index, dtype=object)


def derive_exdosfrm(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    form = trial_summary_value(context.spec, "DOSFRM")
    return frame["TRTGRP"].map({MSC: form, PBO: PLACEBO_DOSE_FORM}).astype(object)


def _rfstdtc(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    dm = context.domains["DM"].set_index("USUBJID")["RFSTDTC"]
    return frame["USUBJID"].map(dm)


def derive_exstdy(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    return compute_dy(frame["EXSTDTC"], _rfstdtc(frame, context)).astype("float64")


def derive_exendy(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    return compute_dy(frame["EXENDTC"], _rfstdtc(frame, context)).astype("float64")


DERIVATIONS: dict[str, Derivation] = {
    "derive_studyid": derive_studyid,
    "derive_usubjid": derive_usubjid,
    "derive_extrt": derive_extrt,
    "derive_exdose": derive_exdose,
    "derive_exdosu": derive_exdosu,
    "derive_exdosfrm": derive_exdosfrm,
    "derive_exstdy": derive_exstdy,
    "derive_exendy": derive_exendy,
}


def build_ex(raw: Any, spec: Spec, *, dm: pd.DataFrame, se: pd.DataFrame, visit_map: pd.DataFrame | None = None,
             blinded: bool = False, issues: list[Issue] | None = None) -> pd.DataFrame:
    """Build EX: administered infusions with treatment from the kit list, EPOCH from SE, --DY from DM.

    ``visit_map`` is :func:`aclf_cdisc.sdtm.domains.sv.visit_map` (built here when not given).
    """
    from aclf_cdisc.sdtm.domains.sv import visit_map as build_visit_map

    require_irt(raw, blinded, DOMAIN)
    dataset = spec.dataset(DOMAIN)
    found: list[Issue] = []
    assembled = assemble_infusions(raw, spec, blinded=blinded, issues=found)
    frame, mapped = apply_mappings(assembled, dataset, spec, DERIVATIONS, domains={"DM": dm, "SE": se},
                                   options={"blinded": blinded})
    found += mapped
    vmap = visit_map if visit_map is not None else build_visit_map(raw, spec)
    frame, visit_issues = derive_vars_visit(frame, "ex.VISIT", vmap, spec.study, domain=DOMAIN, file="ex.csv",
                                            row_var="_row")
    found += visit_issues
    frame = derive_var_epoch(frame, "EXSTDTC", se)
    errors = [i for i in found if i.severity == "error"]
    if errors:
        raise InputError(errors, f"EX: {len(errors)} raw value(s) cannot be mapped")
    if issues is not None:
        issues.extend(found)
    frame = derive_var_seq(frame, "EXSEQ", order=["EXSTDTC", "VISITNUM"])
    return conform_to_spec(frame, dataset)
