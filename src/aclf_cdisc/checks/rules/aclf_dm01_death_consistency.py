"""ACLF-DM-01: DM.DTHFL agrees with the DS death record and fatal AEs; DTHDTC only with DTHFL = 'Y'."""

import pandas as pd

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import missing_mask
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def _subjects(frame: pd.DataFrame | None, column: str, value: str) -> set[str] | None:
    if frame is None or column not in frame.columns or "USUBJID" not in frame.columns:
        return None
    hit = frame[column].astype("string").str.strip().str.upper() == value
    return set(frame.loc[hit.fillna(False).to_numpy(dtype=bool), "USUBJID"].astype(str))


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    dm = datasets.get("DM")
    if dm is None or "DTHFL" not in dm.columns or "USUBJID" not in dm.columns:
        return []
    dead = (dm["DTHFL"].astype("string").str.strip() == "Y").fillna(False).to_numpy(dtype=bool)
    subjects = dm["USUBJID"].astype(str).to_numpy()
    ds_dead = _subjects(datasets.get("DS"), "DSDECOD", "DEATH")
    ae = datasets.get("AE")
    ae_dead = _subjects(ae, "AEOUT", "FATAL")
    if ae_dead is not None:
        ae_dead |= _subjects(ae, "AESDTH", "Y") or set()
    issues = []
    for pos, (subject, flag) in enumerate(zip(subjects, dead, strict=True)):
        where = {"dataset": "DM", "row": pos + 1, "column": "DTHFL", "value": subject}
        if ds_dead is not None and flag != (subject in ds_dead):
            issues.append(rule.issue("DTHFL='Y' without a DS death record" if flag
                                     else "DS records a death but DTHFL is not 'Y'", **where,
                                     expected="DTHFL='Y' exactly for subjects with DSDECOD='DEATH'"))
        if ae_dead is not None and not flag and subject in ae_dead:
            issues.append(rule.issue("a fatal AE but DTHFL is not 'Y'", **where, expected="DTHFL='Y'"))
    if "DTHDTC" in dm.columns:
        for pos in map(int, (~missing_mask(dm["DTHDTC"]).to_numpy() & ~dead).nonzero()[0]):
            issues.append(rule.issue("DTHDTC is populated but DTHFL is not 'Y'", dataset="DM", row=pos + 1,
                                     column="DTHDTC", value=subjects[pos], expected="DTHFL='Y'"))
    return issues
