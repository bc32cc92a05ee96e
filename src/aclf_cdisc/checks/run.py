"""Run the spec-generated schemas and the conformance rules over a set of built datasets."""

from __future__ import annotations

import pandas as pd

from aclf_cdisc.checks.rule import Datasets
from aclf_cdisc.checks.rules import RULES
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec
from aclf_cdisc.spec.schemas import dataset_schema, validate_frame

REPORT_COLUMNS = ("rule", "severity", "dataset", "row", "column", "value", "expected", "message", "file")


def run_schemas(datasets: Datasets, spec: Spec) -> list[Issue]:
    """Validate each dataset against the pandera schema generated from its spec (lazily)."""
    issues: list[Issue] = []
    for name in sorted(datasets):
        issues.extend(validate_frame(datasets[name], dataset_schema(spec, name), dataset=name))
    return issues


def run_rules(datasets: Datasets, spec: Spec) -> list[Issue]:
    issues: list[Issue] = []
    for rule in RULES:
        issues.extend(rule.run(datasets, spec))
    return issues


def issues_frame(issues: list[Issue]) -> pd.DataFrame:
    """The report as a table, one row per Issue, in a stable order."""
    rows = [{c: getattr(i, c) for c in REPORT_COLUMNS} for i in issues]
    frame = pd.DataFrame(rows, columns=list(REPORT_COLUMNS))
    order = {"error": 0, "warning": 1, "note": 2}
    frame["_sev"] = frame["severity"].map(order)
    frame = frame.sort_values(["_sev", "rule", "dataset"], kind="mergesort").drop(columns="_sev")
    return frame.astype(object).where(frame.notna(), None).reset_index(drop=True)
