"""SD1017: planned SV visits (SVUPDES null) have a VISITNUM of TV."""

import numpy as np

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import missing_mask, plain
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    sv, tv = datasets.get("SV"), datasets.get("TV")
    if sv is None or tv is None or "VISITNUM" not in sv.columns or "VISITNUM" not in tv.columns:
        return []
    planned = missing_mask(sv["SVUPDES"]).to_numpy() if "SVUPDES" in sv.columns else np.ones(len(sv), dtype=bool)
    numbers = sv["VISITNUM"].astype(float)
    bad = planned & numbers.notna().to_numpy() & ~numbers.isin(set(tv["VISITNUM"].astype(float))).to_numpy()
    return [rule.issue("planned visit not in TV", dataset="SV", row=int(pos) + 1, column="VISITNUM",
                       value=plain(numbers.iat[pos]), expected="a VISITNUM of TV (or SVUPDES populated)")
            for pos in np.flatnonzero(bad)]
