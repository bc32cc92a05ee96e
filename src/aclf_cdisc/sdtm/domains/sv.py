"""SV (Subject Visits): one record per visit folder of the sv form, planned visits not done included.

* Planned (TV) visits: SVPRESP = Y and SVOCCUR = Y/N from VISYN; a planned visit not done has no
  dates (SDTMIG 3.4 SV assumptions). The reason a visit was missed is not collected, so SVREASOC
  is not submitted.
* Unscheduled folders ("Unscheduled n"): SVPRESP and SVOCCUR empty (--OCCUR is only used with
  --PRESP = Y); VISITNUM = preceding scheduled VISITNUM + 0.01 x k and VISIT "UNSCHEDULED x.xx"
  (:func:`aclf_cdisc.sdtm.visits.derive_visit_map`, shared by every domain through :func:`visit_map`).
* SVSTDTC = SVENDTC = the visit date (single-day visits); --DY from DM.RFSTDTC. SDTMIG 3.4 SV
  (a special-purpose domain) has no EPOCH variable, so none is added; a visit's epoch follows
  from SE.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from aclf_cdisc.errors import InputError, Issue
from aclf_cdisc.sdtm.conform import conform_to_spec
from aclf_cdisc.sdtm.dates import raw_to_iso8601
from aclf_cdisc.sdtm.domains.dm import get_form, with_usubjid
from aclf_cdisc.sdtm.mapping import Derivation, MappingContext, apply_mappings
from aclf_cdisc.sdtm.study_day import compute_dy
from aclf_cdisc.sdtm.visits import derive_vars_visit, derive_visit_map, is_unscheduled
from aclf_cdisc.spec.model import Spec

DOMAIN = "SV"


def visit_map(raw: Any, spec: Spec) -> pd.DataFrame:
    """The subjects' visit map (USUBJID, FOLDER, VISITNUM, VISIT) from the visits that occurred.

    Every domain with an EDC folder uses this one map, so an unscheduled visit has the same
    VISITNUM everywhere.
    """
    sv = with_usubjid(get_form(raw, "sv"), spec)
    done = sv[sv["VISYN"].fillna("").str.upper() == "Y"].copy()
    done["_DTC"], _ = raw_to_iso8601(done["VISDAT"], dataset=DOMAIN, variable="SVSTDTC", file="sv.csv")
    return derive_visit_map(done, spec.study, folder_var="VISIT", dtc_var="_DTC")


def _scheduled(frame: pd.DataFrame) -> pd.Series:
    return ~is_unscheduled(frame["sv.VISIT"].fillna(""))


def derive_studyid(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    return pd.Series(context.spec.study.studyid, index=frame.index, dtype=object)


def derive_usubjid(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    return frame["USUBJID"].astype(object)


def derive_svpresp(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    return pd.Series(np.where(_scheduled(frame), "Y", None), index=frame.index, dtype=object)


def derive_svoccur(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    done = frame["sv.VISYN"].fillna("").str.upper()
    value = np.where(done == "Y", "Y", np.where(done == "N", "N", None))
    return pd.Series(np.where(_scheduled(frame), value, None), index=frame.index, dtype=object)


def _rfstdtc(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    return frame["USUBJID"].map(context.domains["DM"].set_index("USUBJID")["RFSTDTC"])


def derive_svstdy(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    return compute_dy(frame["SVSTDTC"], _rfstdtc(frame, context)).astype("float64")


def derive_svendy(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    return compute_dy(frame["SVENDTC"], _rfstdtc(frame, context)).astype("float64")


DERIVATIONS: dict[str, Derivation] = {
    "derive_studyid": derive_studyid,
    "derive_usubjid": derive_usubjid,
    "derive_svpresp": derive_svpresp,
    "derive_svoccur": derive_svoccur,
    "derive_svstdy": derive_svstdy,
    "derive_svendy": derive_svendy,
}


def build_sv(raw: Any, spec: Spec, *, dm: pd.DataFrame, se: pd.DataFrame,
             issues: list[Issue] | None = None) -> pd.DataFrame:
    """Build SV from the sv form: VISITNUM/VISIT/VISITDY from TV, --DY from DM (``se`` kept for a uniform signature)."""
    dataset = spec.dataset(DOMAIN)
    sv = with_usubjid(get_form(raw, "sv"), spec)
    found: list[Issue] = []
    dupes = sv[sv.duplicated(["USUBJID", "VISIT"], keep=False)]
    found += [Issue(rule="sdtm.duplicate-visit", message="visit folder recorded twice for the subject",
                    file="sv.csv", dataset=DOMAIN, row=int(r), column="VISIT", value=v)
              for v, r in zip(dupes["VISIT"], dupes["_row"], strict=True)]
    assembled = pd.DataFrame({"USUBJID": sv["USUBJID"], "_row": sv["_row"]})
    for column in sv.columns:
        if column not in ("USUBJID", "_row"):
            assembled[f"sv.{column}"] = sv[column]
    frame, mapped = apply_mappings(assembled, dataset, spec, DERIVATIONS, domains={"DM": dm, "SE": se})
    found += mapped
    frame, visit_issues = derive_vars_visit(frame, "sv.VISIT", visit_map(raw, spec), spec.study, domain=DOMAIN,
                                            file="sv.csv", row_var="_row")
    found += visit_issues
    visitdy = {float(v.visitnum): v.visitdy for v in spec.study.visits}
    frame["VISITDY"] = frame["VISITNUM"].map(visitdy).astype("float64")
    errors = [i for i in found if i.severity == "error"]
    if errors:
        raise InputError(errors, f"SV: {len(errors)} raw value(s) cannot be mapped")
    if issues is not None:
        issues.extend(found)
    return conform_to_spec(frame, dataset)
