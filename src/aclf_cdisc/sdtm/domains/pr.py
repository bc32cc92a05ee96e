"""PR (Procedures) and SUPPPR: liver transplantations from the ltx form.

Source: the raw ``ltx`` form, one record per transplanted subject. Needs DM (USUBJID, RFSTDTC
for PRSTDY) and SE (EPOCH).

* PRTRT is the pre-printed CRF procedure recoded to the sponsor term LIVER TRANSPLANTATION of
  CL.PRTRT. The CDISC Procedure codelist (C101858, the PRDECOD list) has no liver transplant term
  in CT 2025-03-28, so PRDECOD is not submitted (COM.PR).
* The donor type (ltx.PRDONOR: Deceased / Living) has no PR variable (PRINDC is the indication
  of the procedure), so it is the supplemental qualifier PRDONOR in SUPPPR, keyed by PRSEQ.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from aclf_cdisc.errors import Issue
from aclf_cdisc.sdtm.assemble import assemble_form, form_file
from aclf_cdisc.sdtm.conform import conform_to_spec
from aclf_cdisc.sdtm.derivations import COMMON_DERIVATIONS
from aclf_cdisc.sdtm.duplicates import drop_duplicate_records, key_conflicts
from aclf_cdisc.sdtm.finish import finish
from aclf_cdisc.sdtm.map_inputs import MapInputs
from aclf_cdisc.sdtm.mapping import Derivation, apply_mappings
from aclf_cdisc.sdtm.supp import build_supp
from aclf_cdisc.sdtm.timing import derive_timing
from aclf_cdisc.spec.model import Spec

DOMAIN = "PR"
FORM = "ltx"
#: SUPPPR qualifiers: QNAM -> raw ltx column (QLABEL/QORIG come from the SUPPPR value-level rows).
QUALIFIERS: dict[str, str] = {"PRDONOR": f"{FORM}.PRDONOR"}

DERIVATIONS: dict[str, Derivation] = {
    **COMMON_DERIVATIONS,
}
MAP_INPUTS = MapInputs(forms=(FORM,), derivations=frozenset(DERIVATIONS))


def build_pr_supppr(raw: Any, spec: Spec, *, dm: pd.DataFrame, se: pd.DataFrame,
                    issues: list[Issue] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Build PR and SUPPPR from the raw ltx form; errors raise InputError, warnings go to ``issues``."""
    dataset = spec.dataset(DOMAIN)
    found: list[Issue] = []
    assembled = assemble_form(raw, spec, FORM, dm, dataset=DOMAIN, issues=found)
    frame, mapped = apply_mappings(assembled, dataset, spec, DERIVATIONS)
    found += mapped
    frame = drop_duplicate_records(frame, ["USUBJID", "PRTRT", "PRSTDTC", f"{FORM}.PRDONOR"], dataset=DOMAIN,
                                   file=form_file(raw, FORM), issues=found)
    frame = derive_timing(frame, spec, dataset=DOMAIN, form=FORM, dtc_var="PRSTDTC", dy_var="PRSTDY", se=se,
                          visit_map=None, issues=found)
    found += key_conflicts(frame, [k for k in dataset.keys if k != "PRSEQ"], dataset=DOMAIN,
                           file=form_file(raw, FORM))
    pr = finish(frame, dataset, found, issues, "PRSEQ")
    # SUPPPR needs PRSEQ on the working frame: number it the same way finish() did.
    working = frame.merge(pr[["USUBJID", "PRTRT", "PRSTDTC", "PRSEQ"]], on=["USUBJID", "PRTRT", "PRSTDTC"],
                          how="left", validate="one_to_one")
    supp_spec = spec.dataset(f"SUPP{DOMAIN}")
    supp = build_supp(working, supp_spec, QUALIFIERS, idvar="PRSEQ")
    return pr, conform_to_spec(supp, supp_spec)


def build_pr(raw: Any, spec: Spec, *, dm: pd.DataFrame, se: pd.DataFrame,
             issues: list[Issue] | None = None) -> pd.DataFrame:
    """Build PR (see :func:`build_pr_supppr` for PR with its SUPPPR)."""
    return build_pr_supppr(raw, spec, dm=dm, se=se, issues=issues)[0]


def build_supppr(raw: Any, spec: Spec, *, dm: pd.DataFrame, se: pd.DataFrame,
                 issues: list[Issue] | None = None) -> pd.DataFrame:
    """Build SUPPPR (see :func:`build_pr_supppr`)."""
    return build_pr_supppr(raw, spec, dm=dm, se=se, issues=issues)[1]
