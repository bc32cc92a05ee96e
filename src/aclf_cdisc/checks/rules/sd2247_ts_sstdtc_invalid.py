"""SD2247 / FDA TRC 1734: the TS SSTDTC value is a complete ISO 8601 date."""

import re

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import is_missing, ts_rows
from aclf_cdisc.checks.rules._iso8601 import is_valid
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec

COMPLETE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    rows = ts_rows(datasets, "SSTDTC")
    if rows is None:
        return []
    return [rule.issue("SSTDTC is not a complete ISO 8601 date", dataset="TS", row=int(pos) + 1, column="TSVAL",
                       value=value, expected="YYYY-MM-DD")
            for pos, value in zip(rows.index, rows["TSVAL"], strict=True)
            if not is_missing(value) and not (COMPLETE_DATE.match(str(value)) and is_valid(str(value).strip()))]
