"""ACLF-TTE-03: AVAL (days) = ADT - STARTDT + 1 on every time-to-event record with all three populated.

Records whose AVALU is populated and not DAYS are skipped (a different time unit).
"""

import numpy as np

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import as_days, datasets_of, plain, text_or_none
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec

TOLERANCE = 1e-9


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    issues = []
    for name, frame in datasets_of(datasets, spec, "ADaM", needs=("CNSR", "STARTDT", "ADT", "AVAL")):
        data = frame.reset_index(drop=True)
        expected = as_days(data["ADT"]) - as_days(data["STARTDT"]) + 1
        aval = data["AVAL"].astype(float)
        wrong = (aval - expected).abs() > TOLERANCE
        if "AVALU" in data.columns:
            units = data["AVALU"].map(text_or_none)
            wrong &= units.isna() | units.str.upper().isin(["DAYS", "DAY"])
        for pos in map(int, np.flatnonzero(wrong.fillna(False).to_numpy(dtype=bool))):
            issues.append(rule.issue("AVAL is not ADT - STARTDT + 1", dataset=name, row=pos + 1, column="AVAL",
                                     value=plain(aval.iat[pos]), expected=f"{plain(expected.iat[pos]):g} days"))
    return issues

