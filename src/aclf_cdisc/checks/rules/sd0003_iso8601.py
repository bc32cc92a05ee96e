"""SD0003: every *DTC value (--DTC, --STDTC, --ENDTC, RFSTDTC, RFXSTDTC, DTHDTC, BRTHDTC ...) is ISO 8601.

Partial dates are right-truncated; unknown middle components are written as a hyphen (SDTMIG v3.4
section 4.4.4); complete components must name a real day (2023-02-30 fails). Missing values pass:
nullability is SD0002's business.
"""

import numpy as np

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import datasets_of, distinct_batch_results, is_missing
from aclf_cdisc.checks.rules._iso8601 import is_valid, surely_valid
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    issues = []
    for name, frame in datasets_of(datasets, spec, "SDTM", reads=lambda c: c.endswith("DTC")):
        for column in (c for c in frame.columns if isinstance(c, str) and c.endswith("DTC")):
            invalid = np.flatnonzero(distinct_batch_results(frame[column], _invalid, missing=False, dtype=bool))
            values = frame[column].tolist() if len(invalid) else []
            for pos in invalid:
                issues.append(rule.issue(f"{column} is not a valid ISO 8601 date/time", dataset=name,
                                         row=int(pos) + 1, column=column, value=values[pos],
                                         expected="YYYY[-MM[-DD[Thh[:mm[:ss]]]]], a real calendar date"))
    return issues


def _invalid(values: list[object]) -> np.ndarray:
    """Which values are not ISO 8601 (a missing value is not judged here: SD0002's business); the
    plain date/times are read together (:func:`surely_valid`), the rest one by one."""
    texts = [value.rstrip(" ") if isinstance(value, str) else "" for value in values]
    invalid = ~surely_valid(texts)
    for pos in np.flatnonzero(invalid).tolist():
        value = values[pos]
        invalid[pos] = not is_missing(value) and (not isinstance(value, str) or not is_valid(texts[pos]))
    return invalid

