"""SD1115 / FDA TRC 1734: TS holds SSTDTC (study start date) as a complete ISO 8601 date."""

import re

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec

COMPLETE_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    if not any(s.standard == "SDTM" for s in spec.datasets.values()):
        return []
    ts = datasets.get("TS")
    if ts is None:
        return [rule.issue("ts.xpt is missing: the FDA rejects a package without it", dataset="TS")]
    rows = ts[ts["TSPARMCD"] == "SSTDTC"]
    if rows.empty:
        return [rule.issue("TS has no SSTDTC record", dataset="TS", column="TSPARMCD", expected="SSTDTC")]
    return [
        rule.issue("SSTDTC is not a complete ISO 8601 date", dataset="TS", column="TSVAL", value=value,
                   expected="YYYY-MM-DD")
        for value in rows["TSVAL"]
        if not COMPLETE_DATE.match(str(value))
    ]


RULE = Rule("SD1115", "TS study start date (SSTDTC) missing or incomplete", "error", "SDTM", check)
