"""General-observation timing of an assembled record frame: VISITNUM/VISIT, EPOCH and --DY."""

from __future__ import annotations

import pandas as pd

from aclf_cdisc.errors import Issue
from aclf_cdisc.raw.reader import ROW_COL
from aclf_cdisc.sdtm.assemble import RFSTDTC, frame_file
from aclf_cdisc.sdtm.epoch import derive_var_epoch_for
from aclf_cdisc.sdtm.study_day import compute_dy
from aclf_cdisc.sdtm.visits import derive_vars_visit
from aclf_cdisc.spec.model import Spec


def derive_timing(frame: pd.DataFrame, spec: Spec, *, dataset: str, form: str, dtc_var: str, dy_var: str,
                  se: pd.DataFrame, visit_map: pd.DataFrame | None, issues: list[Issue]) -> pd.DataFrame:
    """VISITNUM/VISIT (when the form has a VISIT folder), EPOCH from SE (the boundary rule of the
    dataset's class, MT.EPOCH) and --DY from RFSTDTC.

    ``frame`` comes from :func:`aclf_cdisc.sdtm.assemble.assemble_form` (``_RFSTDTC``, ``__row``).
    """
    out = frame
    if f"{form}.VISIT" in out.columns:
        out, found = derive_vars_visit(out, f"{form}.VISIT", visit_map if visit_map is not None else
                                       pd.DataFrame(columns=["USUBJID", "FOLDER", "VISITNUM", "VISIT"]),
                                       spec.study, domain=dataset, file=frame_file(frame, form), row_var=ROW_COL)
        issues.extend(found)
    # derive_var_epoch cannot as-of join an empty frame; there is nothing to attribute then
    out = out.assign(EPOCH=pd.Series(dtype=object)) if out.empty else derive_var_epoch_for(
        out, dtc_var, se, conventions=spec.study.conventions, observation_class=spec.dataset(dataset).class_)
    out[dy_var] = compute_dy(out[dtc_var], out[RFSTDTC]).astype("float64")
    return out
