"""SD2232 / FDA TRC 1734: TS has a populated SSTDTC (study start date) record."""

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import missing_mask, ts_rows
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    rows = ts_rows(datasets, "SSTDTC")
    if rows is None:
        return []  # no TS at all: SD1115
    if rows.empty or missing_mask(rows["TSVAL"]).all():
        return [rule.issue("TS has no populated SSTDTC record", dataset="TS", column="TSPARMCD", expected="SSTDTC")]
    return []
