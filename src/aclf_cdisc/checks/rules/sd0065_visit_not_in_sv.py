"""SD0065: every USUBJID/VISITNUM of a subject domain is an SV visit (records with --STAT populated are exempt)."""

import numpy as np
import pandas as pd

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import datasets_of, missing_mask, plain
from aclf_cdisc.checks.rules._studyday import TRIAL_DESIGN
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    sv = datasets.get("SV")
    if sv is None or not {"USUBJID", "VISITNUM"} <= set(sv.columns):
        return []
    visits = pd.MultiIndex.from_arrays([sv["USUBJID"].astype(str), sv["VISITNUM"].astype(float)])
    issues = []
    for name, frame in datasets_of(datasets, spec, "SDTM", needs=("USUBJID", "VISITNUM"),
                                   reads=lambda c: c in ("USUBJID", "VISITNUM") or c.endswith("STAT")):
        if name in TRIAL_DESIGN or name == "SV":
            continue
        keys = pd.MultiIndex.from_arrays([frame["USUBJID"].astype(str), frame["VISITNUM"].astype(float)])
        bad = ~keys.isin(visits) & frame["VISITNUM"].notna().to_numpy()
        stat = f"{name[:2]}STAT"
        if stat in frame.columns:
            bad &= missing_mask(frame[stat]).to_numpy()
        for pos in map(int, np.flatnonzero(bad)):
            issues.append(rule.issue("USUBJID/VISITNUM is not a visit in SV", dataset=name, row=int(pos) + 1,
                                     column="VISITNUM", value=f"{frame['USUBJID'].iat[pos]} "
                                                              f"VISITNUM={plain(frame['VISITNUM'].iat[pos])}",
                                     expected="a record of SV"))
    return issues
