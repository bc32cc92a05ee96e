"""The RULES registry: every rule module is registered once, IDs are unique, report order is SD, CT, AD, ACLF."""

import importlib
import pkgutil

import aclf_cdisc.checks.rules as rules_package
from aclf_cdisc.checks.rules import RULES, RULES_BY_ID


def test_every_rule_module_is_registered_once():
    modules = [m.name for m in pkgutil.iter_modules(rules_package.__path__) if not m.name.startswith("_")]
    registered = [importlib.import_module(f"{rules_package.__name__}.{m}").RULE for m in sorted(modules)]
    assert sorted(r.id for r in registered) == sorted(r.id for r in RULES)
    assert len(RULES_BY_ID) == len(RULES)


def test_rule_ids_and_module_names_agree():
    for module in pkgutil.iter_modules(rules_package.__path__):
        if module.name.startswith("_"):
            continue
        rule = importlib.import_module(f"{rules_package.__name__}.{module.name}").RULE
        assert module.name.startswith(rule.id.lower().replace("-", "").replace("aclf", "aclf_"))
        assert rule.title and rule.severity in ("error", "warning", "note")


def test_report_order_groups_sdtm_ct_adam_then_project_rules():
    prefixes = [r.id[:2] if not r.id.startswith("ACLF") else "ACLF" for r in RULES]
    groups = [p for i, p in enumerate(prefixes) if i == 0 or prefixes[i - 1] != p]
    assert groups == ["SD", "CT", "AD", "ACLF"]
    for group in groups:
        ids = [r.id for r, p in zip(RULES, prefixes, strict=True) if p == group]
        assert ids == sorted(ids)
