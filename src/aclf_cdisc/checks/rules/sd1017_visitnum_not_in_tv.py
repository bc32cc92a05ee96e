"""SD1017: planned SV visits (SVUPDES null) have a VISITNUM of TV.

Without an SVUPDES variable SV cannot say which visits were unplanned, so the rule does not apply
(as Pinnacle 21 does on the CDISC pilot, whose SV has unscheduled visits and no SVUPDES).
"""

import numpy as np

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import missing_mask, plain
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    sv, tv = datasets.get("SV"), datasets.get("TV")
    if sv is None or tv is None or not {"VISITNUM", "SVUPDES"} <= set(sv.columns) or "VISITNUM" not in tv.columns:
        return []
    planned = missing_mask(sv["SVUPDES"]).to_numpy()
    numbers = sv["VISITNUM"].astype(float)
    bad = planned & numbers.notna().to_numpy() & ~numbers.isin(set(tv["VISITNUM"].astype(float))).to_numpy()
    return [rule.issue("planned visit not in TV", dataset="SV", row=int(pos) + 1, column="VISITNUM",
                       value=plain(numbers.iat[pos]), expected="a VISITNUM of TV (or SVUPDES populated)")
            for pos in map(int, np.flatnonzero(bad))]
