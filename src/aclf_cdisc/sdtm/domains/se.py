"""SE (Subject Elements): the elements each subject actually passed through, derived from dates.

Rules (MT.SE.ELEMENTS; element codes and epochs from study.yaml TE/TA):

1. SCRN starts at informed consent (DM.RFICDTC).
2. MSC1/PBO1 starts at the first stage-1 infusion (element by the infused kit's treatment).
3. INT starts one stage-1 element duration (TE TEDUR of MSC1/PBO1) after the first stage-1
   infusion date.
4. MSC2/PBO2 starts at the first stage-2 infusion; without a stage-2 infusion there is none.
5. FU starts one stage-2 element duration (TEDUR of MSC2/PBO2) after the first stage-2 infusion
   date; for a re-randomized subject never infused at stage 2, at the stage-2 randomization;
   otherwise the stage-1 element and INT durations (TEDUR) after the first stage-1 infusion date.
6. A subject randomized but never infused: SCRN ends at randomization, then an unplanned element
   (ETCD UNPLAN, SEUPDES "Randomized, not treated").
7. An element with a rule-based start (INT, FU) that would start on or after the end of
   participation (DM.RFPENDTC) or on or after the next element is dropped. Each SEENDTC is the
   next element's SESTDTC; the last element ends at RFPENDTC.

The rule-based day offsets are the TEDUR of specs/study.yaml ``elements`` (whole weeks and days,
:func:`element_days`); the elements of one stage share one duration, so a blinded build needs no
kit contents to place INT and FU.

TAETORD comes from TA for the subject's actual (else planned) arm, or from the element's unique
TAETORD across arms (the partial path MSC is not a TA arm). EPOCH is the element's TA epoch.
Blinded builds (no kit contents): stage elements are ETCD BLINDED, EPOCH still by stage.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from aclf_cdisc.errors import Issue, SpecError
from aclf_cdisc.sdtm.conform import conform_to_spec
from aclf_cdisc.sdtm.irt import BLINDED, MSC, PBO, require_irt
from aclf_cdisc.sdtm.seq import derive_var_seq
from aclf_cdisc.sdtm.shared_inputs import SharedInputs
from aclf_cdisc.sdtm.study_day import compute_dy
from aclf_cdisc.spec.model import Spec

DOMAIN = "SE"
ETCD_BY_STAGE: dict[tuple[int, str | None], str] = {
    (1, MSC): "MSC1", (1, PBO): "PBO1", (2, MSC): "MSC2", (2, PBO): "PBO2", (1, None): BLINDED, (2, None): BLINDED,
}
EPOCH_OF_STAGE_ELEMENT = {1: "MSC1", 2: "MSC2"}  # blinded stage elements take the epoch of these
INTERVAL = "INT"  # the element between the stage-1 treatment and stage 2 (or follow-up)
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
    return _day(text)


# a block's subjects share few distinct dates: each is parsed (and shifted) once
@lru_cache(maxsize=8192)
def _day(text: str) -> pd.Timestamp:
    return pd.Timestamp(text)


@lru_cache(maxsize=8192)
def _shifted(day: pd.Timestamp, days: int) -> str:
    return (day + pd.Timedelta(days=days)).strftime("%Y-%m-%d")


def _plus(dtc: Any, days: int) -> str | None:
    day = _date(dtc)
    return None if day is None else _shifted(day, days)


_WEEKS_DAYS = re.compile(r"P(?:(\d+)W)?(?:(\d+)D)?")


@dataclass(frozen=True)
class ElementDays:
    """Day offsets of the rule-based element starts, from TE TEDUR (specs/study.yaml ``elements``).

    ``stage1``: the stage-1 treatment element (INT starts this long after the first stage-1
    infusion); ``interval``: INT (FU of a subject without stage 2 starts ``stage1 + interval``
    days after the first stage-1 infusion); ``stage2``: the stage-2 treatment element (FU starts
    this long after the first stage-2 infusion).
    """

    stage1: int
    interval: int
    stage2: int


def duration_days(duration: str | None) -> int | None:
    """Days of an ISO 8601 duration in whole weeks and/or days; None for any other form.

    >>> duration_days("P3W"), duration_days("P1W2D"), duration_days("P10D")
    (21, 9, 10)
    >>> duration_days("P1M") is None, duration_days(None) is None, duration_days("P") is None
    (True, True, True)
    """
    match = _WEEKS_DAYS.fullmatch(duration or "")
    if match is None or (match.group(1) is None and match.group(2) is None):
        return None
    return 7 * int(match.group(1) or 0) + int(match.group(2) or 0)


def element_days(spec: Spec) -> ElementDays:
    """The :class:`ElementDays` of the study: TEDUR of each stage's treatment elements and of INT.

    A SpecError (rule ``spec.element-duration``) when an element used here has no TEDUR in whole
    weeks/days, or when the treatment elements of one stage state different durations (SE could
    not place INT/FU without knowing the arm, and a blinded build does not know it).
    """
    tedur = {e.etcd: e.duration for e in spec.study.elements}
    groups = {1: [e for (st, _), e in ETCD_BY_STAGE.items() if st == 1 and e != BLINDED],
              2: [e for (st, _), e in ETCD_BY_STAGE.items() if st == 2 and e != BLINDED]}
    problems: list[Issue] = []
    found: dict[str, int] = {}
    for name, etcds in (("stage1", groups[1]), ("interval", [INTERVAL]), ("stage2", groups[2])):
        days = {duration_days(tedur.get(etcd)) for etcd in etcds}
        only = days.pop() if len(days) == 1 else None
        if only is not None:
            found[name] = only
            continue
        problems.append(Issue(
            rule="spec.element-duration", file="specs/study.yaml", column="elements.duration",
            value=", ".join(f"{etcd}: {tedur.get(etcd)}" for etcd in etcds),
            message=f"SE places its rule-based element starts by TEDUR; {'/'.join(etcds)} "
                    "need one duration in whole weeks or days",
            expected="one ISO 8601 duration such as P3W shared by the elements"))
    if problems:
        raise SpecError(problems)
    return ElementDays(**found)


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


def subject_elements(subject: dict[str, Any], infusions: pd.DataFrame, days: ElementDays) -> list[dict[str, Any]]:
    """The element records (ETCD, SESTDTC, SEENDTC, SEUPDES) of one subject, in time order.

    ``subject`` holds RFICDTC, RFPENDTC, RAND1DTC, RAND2DTC; ``infusions`` that subject's
    administered infusions (STAGE, EXSTDTC, TRTGRP); ``days`` the study's :func:`element_days`.
    """
    firsts = []
    for stage in (1, 2):
        staged = infusions[infusions["STAGE"] == stage].sort_values("EXSTDTC", kind="mergesort")
        firsts.append(None if staged.empty else (staged.iloc[0]["EXSTDTC"], staged.iloc[0]["TRTGRP"]))
    return planned_elements(subject, firsts[0], firsts[1], days)


def planned_elements(subject: dict[str, Any], first1: FirstInfusion | None,
                     first2: FirstInfusion | None, days: ElementDays) -> list[dict[str, Any]]:
    """:func:`subject_elements` from the subject's first stage-1 and stage-2 infusions (None: none)."""
    # (ETCD, start (None: not derivable), rule-based start?, SEUPDES)
    planned: list[tuple[str, str | None, bool, str | None]] = []
    if subject.get("RFICDTC"):
        planned.append(("SCRN", subject["RFICDTC"], False, None))
    if first1 is not None:
        start1, group1 = first1
        planned.append((ETCD_BY_STAGE[(1, group1)], start1, False, None))
        planned.append((INTERVAL, _plus(start1, days.stage1), True, None))
        if first2 is not None:
            start2, group2 = first2
            planned.append((ETCD_BY_STAGE[(2, group2)], start2, False, None))
            planned.append(("FU", _plus(start2, days.stage2), True, None))
        elif subject.get("RAND2DTC"):
            planned.append(("FU", subject["RAND2DTC"], True, None))
        else:
            planned.append(("FU", _plus(start1, days.stage1 + days.interval), True, None))
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
             issues: list[Issue] | None = None, shared: SharedInputs | None = None) -> pd.DataFrame:
    """Build SE from DM (RFICDTC, RFPENDTC, RFSTDTC, arms), the infusion log and the IRT dates.

    ``shared``: the build's infusions and randomization (:class:`SharedInputs`, same ``blinded``).
    """
    require_irt(raw, blinded, DOMAIN)
    dataset = spec.dataset(DOMAIN)
    shared = shared if shared is not None else SharedInputs(raw, spec, blinded)
    infusions = shared.infusions()  # its warnings are EX's (build_ex): raised once
    rand = shared.randomization().set_index("USUBJID")
    first1, first2 = first_infusions(infusions, 1), first_infusions(infusions, 2)
    days = element_days(spec)
    by_arm, unique_order, epochs = _ta_lookups(spec)
    element_text = {e.etcd: e.element for e in spec.study.elements}
    records = []
    dm = dm.astype(object).where(dm.notna(), None)
    rand1, rand2 = rand["RAND1DTC"].to_dict(), rand["RAND2DTC"].to_dict()
    for row in dm.itertuples(index=False):
        subject = {
            "RFICDTC": row.RFICDTC, "RFPENDTC": row.RFPENDTC,
            "RAND1DTC": _value(rand1.get(row.USUBJID)), "RAND2DTC": _value(rand2.get(row.USUBJID)),
        }
        arm = row.ACTARMCD or row.ARMCD
        for record in planned_elements(subject, first1.get(row.USUBJID), first2.get(row.USUBJID), days):
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
