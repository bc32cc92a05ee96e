"""The catalogue: every rule module is catalogued once, IDs are unique, each entry is complete."""

import importlib
import pkgutil

import aclf_cdisc.checks.rules as rules_package
from aclf_cdisc.checks.catalogue import GATES, RULES, RULES_BY_ID, RULES_BY_MODULE


def test_every_rule_module_is_catalogued_once():
    modules = sorted(m.name for m in pkgutil.iter_modules(rules_package.__path__) if not m.name.startswith("_"))
    assert modules == sorted(RULES_BY_MODULE)
    assert len(RULES_BY_ID) == len(RULES) == len(modules)
    for name in modules:
        assert not hasattr(importlib.import_module(f"{rules_package.__name__}.{name}"), "RULE")


def test_rule_ids_and_module_names_agree():
    for rule in RULES:
        assert rule.module.startswith(rule.id.lower().replace("-", "").replace("aclf", "aclf_")), rule.id
        assert rule.title and rule.description and rule.ig and rule.severity in ("error", "warning", "note")
        assert rule.standard in ("SDTM", "ADaM", "ALL") and rule.scope in ("standard", "study")
        if not rule.id.startswith("ACLF-"):
            assert rule.id in rule.p21, rule.id  # a Pinnacle 21 ID is its own publisher ID


def test_fda_gates_are_the_rejection_criteria():
    assert {"SD1020", "SD1115", "SD2232", "SD2247", "SD2280", "DD0101", "ACLF-ADSL-00"} == GATES
    assert all(RULES_BY_ID[g].severity == "error" and any("eCTD" in f for f in RULES_BY_ID[g].fda) for g in GATES)


def test_docs_list_every_catalogued_rule(repo_root):
    page = (repo_root / "docs" / "validation.md").read_text(encoding="utf-8")
    assert [r.id for r in RULES if f"| {r.id} |" not in page] == []
