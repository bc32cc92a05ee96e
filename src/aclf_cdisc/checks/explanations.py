"""Explanations of accepted findings, written once in the spec (study.yaml ``conventions.validation``).

Each names a rule (a catalogue ID or another issue code) and optionally a dataset; the report shows
it beside every finding it covers and the cSDRG quotes it. Keys: ``RULE/DATASET`` or ``RULE``.
"""

from __future__ import annotations

from collections.abc import Iterable

from aclf_cdisc.checks.report import explanation_for
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def spec_explanations(spec: Spec) -> dict[str, str]:
    """``{"RULE/DATASET" or "RULE": text}`` from the spec (empty when it has none)."""
    entries = spec.study.conventions.get("validation", {}).get("explanations", [])
    out: dict[str, str] = {}
    for entry in entries:
        key = f"{entry['rule']}/{entry['dataset']}" if entry.get("dataset") else str(entry["rule"])
        out[key] = " ".join(str(entry["explanation"]).split())
    return out


def unexplained(issues: Iterable[Issue], explanations: dict[str, str]) -> list[Issue]:
    """Warnings and errors no explanation covers (what a final build must still answer for)."""
    return [i for i in issues if i.severity in ("error", "warning")
            and not explanation_for(i.rule, i.dataset, explanations)]
