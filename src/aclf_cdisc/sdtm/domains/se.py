"""SE (Subject Elements): the elements each subject actually passed through, derived from dates.

Rules (MT.SE.ELEMENTS; element codes and epochs from study.yaml TE/TA):

1. SCRN starts at informed consent (DM.RFICDTC).
2. MSC1/PBO1 starts at the first stage-1 infusion (element by the infused kit's treatment).
3. INT starts 3 weeks after the first stage-1 infusion date (study day 22).
4. MSC2/PBO2 starts at the first stage-2 infusion; without a stage-2 infusion there is none.
5. FU starts 2 weeks after the first stage-2 infusion date; for a re-randomized subject never
   infused at stage 2, at the stage-2 randomization; otherwise 4 weeks after the first stage-1
   infusion date (study day 29).
6. A subject randomized but never infused: SCRN ends at randomization, then an unplanned element
   (ETCD UNPLAN, SEUPDES "Randomized, not treated").
7. An element with a rule-based start (INT, FU) that would start on or after the end of
   participation (DM.RFPENDTC) or on or after the next element is dropped. Each SEENDTC is the
   next element's SESTDTC; the last element ends at RFPENDTC.

TAETORD comes from TA for the subject's actual (else planned) arm, or from the element's unique
TAETORD across arms (the partial path MSC is not a TA arm). EPOCH is the element's TA epoch.
Blinded builds (no kit contents): stage elements are ETCD BLINDED, EPOCH still by stage.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import numpy as np
import pandas as pd

from aclf_cdisc.errors import Issue
from aclf_cdisc.sdtm.conform import conform_to_spec
from aclf_cdisc.sdtm.infusions import assemble_infusions
from aclf_cdisc.sdtm.irt import BLINDED, MSC, PBO, assemble_randomization, require_irt
from aclf_cdisc.sdtm.seq import derive_var_seq
from aclf_cdisc.sdtm.study_day import compute_dy
from aclf_cdisc.spec.model import Spec

DOMAIN = "SE"
ETCD_BY_STAGE: dict[tuple[int, str | None], str] = {
    (1, MSC): "MSC1", (1, PBO): "PBO1", (2, MSC): "MSC2", (2, PBO): "PBO2", (1, None): BLINDED, (2, None): BLINDED,
}
EPOCH_OF_STAGE_ELEMENT = {1: "MSC1", 2: "MSC2"}  # blinded stage elements take the epoch of these
INT_START_DAYS = 21  # INT starts 3 weeks after the first stage-1 infusion (TE INT)
FU_AFTER_STAGE1_DAYS = 28  # FU after INT for subjects without stage 2 (TE FU)
FU_AFTER_STAGE2_DAYS = 14  # stage-2 element lasts 2 weeks (TE MSC2/PBO2)
UNPLANNED = "UNPLAN"
NOT_TREATED = "Randomized, not treated"


def _value(value: Any) -> Any:
    return None if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)) else value


def _date(dtc: Any) -> pd.Timestamp | None:
    if _value(dtc) is None:
        return None
    text = str(dtc)[:10]
    if len(text) != 10:
        return None
    return pd.Timestamp(text)


def _plus(dtc: Any, days: int) -> str | None:
    day = _date(dtc)
    return None if day is None else (day + pd.Timedelta(days=days)).strftime("%Y-%m-%d")


FirstInfusion = tuple[Any, Any]  # (EXSTDTC, TRTGRP) of a subject's first infusion of a stage


def first_infusions(infusions: pd.DataFrame, stage: int) -> dict[Hashable, FirstInfusion]:
    """USUBJID -> (EXSTDTC, TRTGRP) of each subject's first ``stage`` infusion.

    First in EXSTDTC order, ties in record order (a stable sort), as :func:`subject_elements`
    picks it from one subject's infusions.
    """
    staged = infusions[infusions["STAGE"] == stage].sort_values("EXSTDTC", kind="mergesort")
    first = staged.drop_duplicates("USUBJID", keep="first")
    first = first[first["USUBJID"].notna()]
    return dict(zip(first["USUBJID"].tolist(),
                    zip(first["EXSTDTC"].to_numpy(dtype=object), first["TRTGRP"].to_numpy(dtype=object),
                        strict=True), strict=True))


def subject_elements(subject: dict[str, Any], infusions: pd.DataFrame) -> list[dict[str, Any]]:
    """The element records (ETCD, SESTDTC, SEENDTC, SEUPDES) of one subject, in time order.

    ``subject`` holds RFICDTC, RFPENDTC, RAND1DTC, RAND2DTC; ``infusions`` that subject's
    administered infusions (STAGE, EXSTDTC, TRTGRP).
    """
    firsts = []
    for stage in (1, 2):
        staged = infusions[infusions["STAGE"] == stage].sort_values("EXSTDTC", kind="mergesort")
        firsts.append(None if staged.empty else (staged.iloc[0]["EXSTDTC"], staged.iloc[0]["TRTGRP"]))
    return planned_elements(subject, firsts[0], firsts[1])


def planned_elements(subject: dict[str, Any], first1: FirstInfusion | None,
                     first2: FirstInfusion | None) -> list[dict[str, Any]]:
    """:func:`subject_elements` from the subject's first stage-1 and stage-2 infusions (None: none)."""
    # (ETCD, start (None: not derivable), rule-based start?, SEUPDES)
    planned: list[tuple[str, str | None, bool, str | None]] = []
    if subject.get("RFICDTC"):
        planned.append(("SCRN", subject["RFICDTC"], False, None))
    if first1 is not None:
        start1, group1 = first1
        planned.append((ETCD_BY_STAGE[(1, group1)], start1, False, None))
        planned.append(("INT", _plus(start1, INT_START_DAYS), True, None))
        if first2 is not None:
            start2, group2 = first2
            planned.append((ETCD_BY_STAGE[(2, group2)], start2, False, None))
            planned.append(("FU", _plus(start2, FU_AFTER_STAGE2_DAYS), True, None))
        elif subject.get("RAND2DTC"):
            planned.append(("FU", subject["RAND2DTC"], True, None))
        else:
            planned.append(("FU", _plus(start1, FU_AFTER_STAGE1_DAYS), True, None))
    elif subject.get("RAND1DTC"):
        planned.append((UNPLANNED, subject["RAND1DTC"], False, NOT_TREATED))
    end = _date(subject.get("RFPENDTC"))
    kept: list[tuple[str, str | None, bool, str | None]] = []
    for k, element in enumerate(planned):
        etcd, start, rule_based, _ = element
        start_day = _date(start)
        if start is None:
            continue
        if rule_based:
            following = [_date(e[1]) for e in planned[k + 1:] if not e[2] and e[1]]
            if end is not None and start_day is not None and start_day >= end:
                continue
            if following and start_day is not None and following[0] is not None and start_day >= following[0]:
                continue
        kept.append(element)
    records = []
    blinded_seen = 0
    for k, (etcd, start, _, updes) in enumerate(kept):
        stop = kept[k + 1][1] if k + 1 < len(kept) else subject.get("RFPENDTC")
        stage = None
        if etcd == BLINDED:
            blinded_seen += 1
            stage = blinded_seen
        records.append({"ETCD": etcd, "SESTDTC": start, "SEENDTC": stop, "SEUPDES": updes, "_k": k,
                        "_stage": stage})
    return records


def _ta_lookups(spec: Spec) -> tuple[dict[tuple[str, str], int], dict[str, int | None], dict[str, str]]:
    by_arm: dict[tuple[str, str], int] = {}
    orders: dict[str, set[int]] = {}
    epochs: dict[str, str] = {}
    for row in spec.study.trial_arms:
        by_arm[(row["ARMCD"], row["ETCD"])] = int(row["TAETORD"])
        orders.setdefault(row["ETCD"], set()).add(int(row["TAETORD"]))
        epochs.setdefault(row["ETCD"], row["EPOCH"])
    unique = {etcd: (next(iter(o)) if len(o) == 1 else None) for etcd, o in orders.items()}
    return by_arm, unique, epochs


def stage_epochs(spec: Spec) -> dict[int, str]:
    """Randomization stage -> the TA epoch of its treatment elements (TREATMENT 1, TREATMENT 2)."""
    epochs = _ta_lookups(spec)[2]
    return {stage: epochs[etcd] for stage, etcd in EPOCH_OF_STAGE_ELEMENT.items()}


def build_se(raw: Any, spec: Spec, *, dm: pd.DataFrame, blinded: bool = False,
             issues: list[Issue] | None = None) -> pd.DataFrame:
    """Build SE from DM (RFICDTC, RFPENDTC, RFSTDTC, arms), the infusion log and the IRT dates."""
    require_irt(raw, blinded, DOMAIN)
    dataset = spec.dataset(DOMAIN)
    infusions = assemble_infusions(raw, spec, blinded=blinded, issues=issues)
    rand = assemble_randomization(raw, spec, blinded=blinded).set_index("USUBJID")
    first1, first2 = first_infusions(infusions, 1), first_infusions(infusions, 2)
    by_arm, unique_order, epochs = _ta_lookups(spec)
    element_text = {e.etcd: e.element for e in spec.study.elements}
    records = []
    dm = dm.astype(object).where(dm.notna(), None)
    for row in dm.itertuples(index=False):
        subject = {
            "RFICDTC": row.RFICDTC, "RFPENDTC": row.RFPENDTC,
            "RAND1DTC": _value(rand["RAND1DTC"].get(row.USUBJID)) if len(rand) else None,
            "RAND2DTC": _value(rand["RAND2DTC"].get(row.USUBJID)) if len(rand) else None,
        }
        arm = row.ACTARMCD or row.ARMCD
        for record in planned_elements(subject, first1.get(row.USUBJID), first2.get(row.USUBJID)):
            etcd = record["ETCD"]
            epoch_etcd = etcd
            element = element_text.get(etcd)
            if etcd == BLINDED:
                epoch_etcd = EPOCH_OF_STAGE_ELEMENT[record["_stage"]]
                element = f"Blinded treatment, stage {record['_stage']}"
            order = by_arm.get((arm, etcd)) if isinstance(arm, str) and arm else None
            record.update({
                "STUDYID": spec.study.studyid, "DOMAIN": DOMAIN, "USUBJID": row.USUBJID,
                "ELEMENT": element,
                "TAETORD": order if order is not None else unique_order.get(etcd),
                "EPOCH": epochs.get(epoch_etcd),
                "_RFSTDTC": row.RFSTDTC,
            })
            records.append(record)
    columns = [*dataset.variable_names, "_k", "_RFSTDTC"]
    frame = pd.DataFrame.from_records(records) if records else pd.DataFrame(columns=columns)
    frame["SESTDY"] = compute_dy(frame["SESTDTC"], frame["_RFSTDTC"]).astype("float64")
    frame["SEENDY"] = compute_dy(frame["SEENDTC"], frame["_RFSTDTC"]).astype("float64")
    frame = derive_var_seq(frame, "SESEQ", order=["_k"])
    return conform_to_spec(frame, dataset)
