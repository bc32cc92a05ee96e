"""SD0090/SD0091: AESDTH = 'Y' exactly when AEOUT = 'FATAL'."""

import numpy as np

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    ae = datasets.get("AE")
    if ae is None or not {"AESDTH", "AEOUT"} <= set(ae.columns):
        return []
    fatal = (ae["AEOUT"].astype("string").str.strip() == "FATAL").fillna(False).to_numpy(dtype=bool)
    death = (ae["AESDTH"].astype("string").str.strip() == "Y").fillna(False).to_numpy(dtype=bool)
    return [rule.issue("AESDTH and AEOUT disagree on death", dataset="AE", row=int(pos) + 1,
                       column="AESDTH" if fatal[pos] else "AEOUT",
                       value=f"AEOUT={ae['AEOUT'].iat[pos]}, AESDTH={ae['AESDTH'].iat[pos]}",
                       expected="AESDTH='Y' exactly when AEOUT='FATAL'")
            for pos in map(int, np.flatnonzero(fatal != death))]
