"""SV (Subject Visits): one record per visit folder of the sv form, planned visits not done included.

* Planned (TV) visits: SVPRESP = Y and SVOCCUR = Y/N from VISYN; a planned visit not done has no
  dates (SDTMIG 3.4 SV assumptions). The reason a visit was missed is not collected, so SVREASOC
  is not submitted.
* Unscheduled folders ("Unscheduled n"): SVPRESP and SVOCCUR empty (--OCCUR is only used with
  --PRESP = Y); VISITNUM = preceding scheduled VISITNUM + 0.01 x k and VISIT "UNSCHEDULED x.xx"
  (:func:`aclf_cdisc.sdtm.visits.derive_visit_map`, shared by every domain through
  :func:`aclf_cdisc.sdtm.visits.subject_visit_map`).
* SVSTDTC = SVENDTC = the visit date (single-day visits); --DY from DM.RFSTDTC. SDTMIG 3.4 SV
  (a special-purpose domain) has no EPOCH variable, so none is added; a visit's epoch follows
  from SE.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from aclf_cdisc.errors import Issue
from aclf_cdisc.sdtm.assemble import frame_file, get_form, prefix_columns, with_usubjid
from aclf_cdisc.sdtm.conform import conform_to_spec
from aclf_cdisc.sdtm.derivations import COMMON_DERIVATIONS, study_day
from aclf_cdisc.sdtm.finish import settle_issues
from aclf_cdisc.sdtm.map_inputs import MapInputs
from aclf_cdisc.sdtm.mapping import Derivation, MappingContext, apply_mappings
from aclf_cdisc.sdtm.visits import derive_vars_visit, is_unscheduled, subject_visit_map
from aclf_cdisc.spec.model import Spec

DOMAIN = "SV"
FORM = "sv"


def _scheduled(frame: pd.DataFrame) -> pd.Series:
    return ~is_unscheduled(frame["sv.VISIT"].fillna(""))


def derive_svpresp(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    return pd.Series("Y", index=frame.index, dtype=object).where(_scheduled(frame), None)


def derive_svoccur(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    done = frame["sv.VISYN"].fillna("").str.upper().astype(object).rename(None)
    return done.where(done.isin(["Y", "N"]) & _scheduled(frame), None)


DERIVATIONS: dict[str, Derivation] = {
    **COMMON_DERIVATIONS,
    "derive_svpresp": derive_svpresp,
    "derive_svoccur": derive_svoccur,
    "derive_svstdy": study_day("SVSTDTC"),
    "derive_svendy": study_day("SVENDTC"),
}
MAP_INPUTS = MapInputs(forms=(FORM,), derivations=frozenset(DERIVATIONS))


def build_sv(raw: Any, spec: Spec, *, dm: pd.DataFrame, se: pd.DataFrame, visit_map: pd.DataFrame | None = None,
             issues: list[Issue] | None = None) -> pd.DataFrame:
    """Build SV from the sv form: VISITNUM/VISIT/VISITDY from TV, --DY from DM (``se`` kept for a uniform signature).

    ``visit_map``: :func:`aclf_cdisc.sdtm.visits.subject_visit_map` of ``raw``, built here when None.
    """
    dataset = spec.dataset(DOMAIN)
    form = get_form(raw, FORM)
    assert form is not None  # required form: get_form raised InputError when it is missing
    sv = with_usubjid(form, spec)
    found: list[Issue] = []
    dupes = sv[sv.duplicated(["USUBJID", "VISIT"], keep=False)]
    found += [Issue(rule="sdtm.duplicate-visit", message="visit folder recorded twice for the subject",
                    file=frame_file(sv, FORM), dataset=DOMAIN, row=int(r), column="VISIT", value=v)
              for v, r in zip(dupes["VISIT"], dupes["_row"], strict=True)]
    assembled = prefix_columns(sv, FORM)
    frame, mapped = apply_mappings(assembled, dataset, spec, DERIVATIONS, domains={"DM": dm, "SE": se})
    found += mapped
    if visit_map is None:
        visit_map = subject_visit_map(raw, spec)
    frame, visit_issues = derive_vars_visit(frame, "sv.VISIT", visit_map, spec.study, domain=DOMAIN,
                                            file=frame_file(sv, FORM), row_var="_row")
    found += visit_issues
    visitdy = {float(v.visitnum): v.visitdy for v in spec.study.visits}
    frame["VISITDY"] = frame["VISITNUM"].map(visitdy).astype("float64")
    settle_issues(found, issues, DOMAIN)
    return conform_to_spec(frame, dataset)
