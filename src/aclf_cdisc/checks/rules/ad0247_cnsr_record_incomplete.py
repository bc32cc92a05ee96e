"""AD0247: a record with CNSR populated also has AVAL, STARTDT and one of ADT/ADTM populated.

One issue per record and missing variable (ADT/ADTM reported as ADT, or ADTM when only it exists). A
variable absent from the dataset is AD0245/AD0246's finding and is not repeated here for every record.
"""

import pandas as pd

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import datasets_of, missing_mask
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    issues = []
    for name, frame in datasets_of(datasets, spec, "ADaM", needs=("CNSR",)):
        data = frame.reset_index(drop=True)
        populated = ~missing_mask(data["CNSR"])
        needs = {c: missing_mask(data[c]) for c in ("AVAL", "STARTDT") if c in data.columns}
        dates = [c for c in ("ADT", "ADTM") if c in data.columns]
        if dates:
            date_missing = pd.Series(True, index=data.index)
            for column in dates:
                date_missing &= missing_mask(data[column])
            needs[dates[0] if len(dates) == 1 else "ADT"] = date_missing
        for pos in range(len(data)):
            if not populated.iat[pos]:
                continue
            for column, missing in needs.items():
                if missing.iat[pos]:
                    issues.append(rule.issue(f"CNSR is populated but {column} is not", dataset=name, row=pos + 1,
                                             column=column, expected=f"{column} populated when CNSR is"))
    return issues

