"""Administered infusions: the EDC infusion log joined to the IRT kit list.

The EDC holds kit numbers only; the treatment of each infusion comes from the kit list
(``irt_kits``; never read in a blinded build). DM (first/last infusion, actual arm), SE (the
treatment elements), EC (one record per planned infusion, ``planned=True``) and EX (one record
per infusion given) all start from :func:`assemble_infusions`; in a build, DM, SE and EX share one
assembly of the infusions given (:class:`aclf_cdisc.sdtm.shared_inputs.SharedInputs`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from aclf_cdisc.errors import Issue
from aclf_cdisc.sdtm.assemble import frame_file, get_form, prefix_columns, with_usubjid
from aclf_cdisc.sdtm.dates import raw_to_iso8601
from aclf_cdisc.sdtm.finish import settle_issues
from aclf_cdisc.sdtm.irt import MSC, PBO
from aclf_cdisc.sdtm.text import map_distinct
from aclf_cdisc.sdtm.visits import fold_name
from aclf_cdisc.spec.model import Spec

DOMAIN = "EX"  # the dataset infusion problems are reported against
INFUSION_FORM = "ex"  # the infusion log: EC and EX map its columns
KIT_GROUP = "irt_kits.TRTGRP"  # the kit content joined to each infusion (None when blinded)
INFUSION_VISITS = "infusion_visits"  # key of spec.study.conventions: the infusion visits of each stage


def infusion_visits(spec: Spec) -> dict[int, list[str]]:
    """Stage -> its scheduled infusion visits in order (``conventions.infusion_visits``)."""
    return {int(stage): [str(v) for v in visits] for stage, visits in spec.study.conventions[INFUSION_VISITS].items()}


def stage_by_folder(spec: Spec) -> dict[str, int]:
    """Folded EDC folder name -> randomization stage of the infusion given at that visit."""
    return {fold_name(visit): stage for stage, visits in infusion_visits(spec).items() for visit in visits}


def kit_treatment(content: object) -> str | None:
    """The treatment group (hUC-MSC or Placebo, case folded) of a kit's TRTGRP; None when missing or unknown.

    >>> kit_treatment("PLACEBO"), kit_treatment(None), kit_treatment("other")
    ('Placebo', None, None)
    """
    return next((g for g in (MSC, PBO) if content is not None and str(content).casefold() == g.casefold()), None)


def assemble_infusions(raw: Any, spec: Spec, *, blinded: bool = False, planned: bool = False,
                       issues: list[Issue] | None = None) -> pd.DataFrame:
    """One row per administered infusion (every planned one with ``planned=True``): ``ex.*`` and
    ``irt_kits.TRTGRP`` columns, plus USUBJID, STAGE (1/2), OCCUR (Y given / N not given),
    EXSTDTC, EXENDTC (ISO 8601) and TRTGRP (hUC-MSC/Placebo; None when blinded or not given).

    Errors (unknown kit, unknown infusion visit, unreadable date/time) raise :class:`InputError`;
    a kit dispensed to another subject is a warning appended to ``issues``.
    """
    form = get_form(raw, INFUSION_FORM)
    assert form is not None  # required form: get_form raised InputError when it is missing
    ex = with_usubjid(form, spec)
    found: list[Issue] = []
    occurred = (ex["EXYN"].fillna("").str.strip().str.upper() == "Y").to_numpy()
    given = (ex if planned else ex[occurred]).reset_index(drop=True)
    frame = prefix_columns(given, INFUSION_FORM)
    frame["OCCUR"] = np.where(occurred if planned else occurred[occurred], "Y", "N")
    was_given = (frame["OCCUR"] == "Y").to_numpy()
    # source values the Issues quote, looked up by row position (np.flatnonzero)
    rows, visits = frame["_row"].to_numpy(), frame["ex.VISIT"].to_numpy()
    stages = stage_by_folder(spec)
    frame["STAGE"] = map_distinct(given["VISIT"], lambda v: stages.get(fold_name(v)) if v is not None else None)
    for pos in np.flatnonzero(frame["STAGE"].isna().to_numpy()):
        found.append(Issue(rule="sdtm.infusion-visit-unknown", message="infusion recorded at a visit with no dose",
                           file=frame_file(ex, "ex"), dataset=DOMAIN, row=int(rows[pos]), column="VISIT",
                           value=visits[pos], expected=", ".join(sorted(stages))))
    for target, clock in (("EXSTDTC", "EXSTTIM"), ("EXENDTC", "EXENTIM")):
        values, bad = raw_to_iso8601(frame["ex.EXDAT"], frame[f"ex.{clock}"], dataset=DOMAIN, variable=target,
                                     file=frame_file(ex, "ex"), rows=frame["_row"])
        frame[target] = values
        found += bad
    frame["TRTGRP"] = None
    frame[KIT_GROUP] = None
    if not blinded:
        kit_list = get_form(raw, "irt_kits")
        assert kit_list is not None  # required form: get_form raised InputError when it is missing
        # the first record of each kit infused here (the kit list holds every kit of the study)
        kits = kit_list[kit_list["KITNO"].isin(frame["ex.KITNO"])].drop_duplicates("KITNO").set_index("KITNO")
        content, owner = kits["TRTGRP"], kits["SUBJID"]
        frame[KIT_GROUP] = frame["ex.KITNO"].map(content)
        kitnos, subjids = frame["ex.KITNO"].to_numpy(), frame["ex.SUBJID"].to_numpy()
        frame["TRTGRP"] = map_distinct(frame[KIT_GROUP], kit_treatment)
        for pos in np.flatnonzero(frame["TRTGRP"].isna().to_numpy() & was_given):
            found.append(Issue(rule="sdtm.kit-unknown", message="infused kit is not in the IRT kit list",
                               file=frame_file(ex, "ex"), dataset=DOMAIN, row=int(rows[pos]), column="KITNO",
                               value=kitnos[pos], expected="a KITNO of irt_kits with TRTGRP"))
        other = frame["ex.KITNO"].map(owner)
        for pos in np.flatnonzero((other.notna() & (other != frame["ex.SUBJID"])).to_numpy()):
            found.append(Issue(rule="sdtm.kit-other-subject", severity="warning",
                               message="infused kit was dispensed to another subject", file=frame_file(ex, "ex"),
                               dataset=DOMAIN, row=int(rows[pos]), column="KITNO",
                               value=kitnos[pos], expected=f"a kit of {subjids[pos]}"))
    settle_issues(found, issues, DOMAIN, "infusion record(s) cannot be used")
    return frame.astype(object).where(frame.notna(), None)
