"""SD1117: no two records of a dataset are equal in every variable other than --SEQ.

The first record of a group is kept; each later copy is reported, naming the record it repeats.
"""

import numpy as np
import pandas as pd

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import held_datasets_of
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    issues = []
    for name, frame in held_datasets_of(datasets, spec, "SDTM"):  # equality only: coded values will do
        columns = [c for c in frame.columns if not (isinstance(c, str) and len(c) == 5 and c.endswith("SEQ"))]
        if not columns or frame.empty:
            continue
        first = _first_equal_record(frame[columns])
        for pos in map(int, np.flatnonzero(first != np.arange(len(frame)))):
            issues.append(rule.issue(f"record {pos + 1} repeats record {first[pos] + 1} in every variable but --SEQ",
                                     dataset=name, row=int(pos) + 1, value=f"same as record {first[pos] + 1}"))
    return issues


def _first_equal_record(data: pd.DataFrame) -> np.ndarray:
    """For each record, the position of the first record equal to it in every column (itself if none).

    Values compare as Python objects (1 == 1.0 == True) with every missing value (None, NaN,
    NaT, pd.NA) equal to every other: each column is coded by its distinct values, then records
    by their codes.
    """
    record = np.zeros(len(data), dtype=np.int64)
    for i in range(data.shape[1]):
        codes, uniques = pd.factorize(data.iloc[:, i])
        # codes are -1 for missing; combine with the record codes so far and renumber
        record, _ = pd.factorize(record * (len(uniques) + 1) + (codes + 1))
    _, first_index, inverse = np.unique(record, return_index=True, return_inverse=True)
    return first_index[inverse]

