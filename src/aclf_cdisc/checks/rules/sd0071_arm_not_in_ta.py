"""SD0071: each DM subject's ARMCD/ARM (and ACTARMCD/ACTARM) pair is a TA arm, with the IG's exemptions.

Exempt: SCRNFAIL, NOTASSGN (and for actual arms NOTTRT, UNPLAN) and empty codes; and, when the study
uses multi-stage arm assignment (SDTMIG 3.4 DM assumption 4), a code that is the leading part of a
multi-stage TA arm code: the path of a subject whose assignment stopped after an early stage.
A study is multi-stage when some TA arm has TABRANCH on more than one element.
"""

import numpy as np
import pandas as pd

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import NOT_TREATED_ARMS, missing_mask
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec

EXEMPT = NOT_TREATED_ARMS | {"UNPLAN"}


def multi_stage_arms(ta: pd.DataFrame) -> set[str]:
    """TA arm codes with a branch on more than one element."""
    if "TABRANCH" not in ta.columns:
        return set()
    branches = ta[~missing_mask(ta["TABRANCH"])].groupby("ARMCD")["TABRANCH"].size()
    return set(branches[branches > 1].index.astype(str))


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    dm, ta = datasets.get("DM"), datasets.get("TA")
    if dm is None or ta is None or not {"ARMCD", "ARM"} <= set(ta.columns):
        return []
    pairs = set(zip(ta["ARMCD"].astype(str).str.strip(), ta["ARM"].astype(str).str.strip(), strict=True))
    staged = multi_stage_arms(ta)
    issues = []
    for code_col, arm_col in (("ARMCD", "ARM"), ("ACTARMCD", "ACTARM")):
        if code_col not in dm.columns or arm_col not in dm.columns:
            continue
        codes = dm[code_col].astype("string").str.strip().fillna("")
        arms = dm[arm_col].astype("string").str.strip().fillna("")
        known = np.array([pair in pairs for pair in zip(codes, arms, strict=True)], dtype=bool)
        exempt = codes.str.upper().isin(EXEMPT).to_numpy(dtype=bool) | (codes == "").to_numpy(dtype=bool)
        partial = np.array([any(full != code and full.startswith(code) for full in staged) for code in codes],
                           dtype=bool)
        for pos in map(int, np.flatnonzero(~known & ~exempt & ~partial)):
            issues.append(rule.issue(f"{code_col}/{arm_col} is not an arm of TA", dataset="DM", row=int(pos) + 1,
                                     column=code_col, value=f"{codes.iat[pos]} / {arms.iat[pos]}",
                                     expected="an ARMCD/ARM pair of TA"))
    return issues
