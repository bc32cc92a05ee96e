"""ACLF-TS-02 / CORE-000741: an interventional study's TS has INTMODEL, INTTYPE and PCLAS, each answered.

Answered: TSVAL populated, or TSVALNF populated when the value is not available (SDTMIG 3.4 TS
assumption: TSVALNF holds the null flavor when TSVAL is null). Applies when STYPE is INTERVENTIONAL
or absent.
"""

import pandas as pd

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import missing_mask
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec

PARAMETERS = ("INTMODEL", "INTTYPE", "PCLAS")


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    ts = datasets.get("TS")
    if ts is None or not {"TSPARMCD", "TSVAL"} <= set(ts.columns):
        return []
    codes = ts["TSPARMCD"].astype("string").str.strip()
    stype = set(ts.loc[(codes == "STYPE").fillna(False).to_numpy(dtype=bool), "TSVAL"].astype(str).str.upper())
    if stype and "INTERVENTIONAL" not in stype:
        return []
    answered = ~missing_mask(ts["TSVAL"]).to_numpy()
    if "TSVALNF" in ts.columns:
        answered |= ~missing_mask(ts["TSVALNF"]).to_numpy()
    have = set(codes[pd.Series(answered, index=ts.index)].dropna())
    return [rule.issue(f"TS has no answered {code} record", dataset="TS", column="TSPARMCD", value=code,
                       expected="TSVAL (or TSVALNF) populated")
            for code in PARAMETERS if code not in have]
