"""Checklists: presets draft/final, skip/only, severity overrides, and refusal of codes that match nothing."""

import pytest

from aclf_cdisc.checks.catalogue import (
    RULES,
    Checklist,
    apply_checklist,
    checklist_from_mapping,
    load_checklist,
    preset,
    select_rules,
)
from aclf_cdisc.errors import AclfError, Issue

ISSUES = [
    Issue("SD0003", "bad date", "error", dataset="AE", row=1),
    Issue("SD1115", "no SSTDTC", "error", dataset="TS"),
    Issue("SD0057", "Exp missing", "warning", dataset="AE"),
    Issue("schema.isin", "not in codelist", "error", dataset="DM"),
    Issue("schema.column_ordered", "order", "error", dataset="DM"),
]


def found(issues):
    return [(i.rule, i.severity) for i in issues]


def test_final_preset_keeps_everything_as_is():
    assert apply_checklist(ISSUES, preset("final")) == ISSUES
    assert select_rules(preset("final")) == RULES


def test_draft_preset_downgrades_errors_except_fda_gates():
    assert found(apply_checklist(ISSUES, preset("draft"))) == [
        ("SD0003", "warning"), ("SD1115", "error"), ("SD0057", "warning"), ("schema.isin", "warning"),
        ("schema.column_ordered", "warning")]


def test_yaml_skip_only_and_overrides(tmp_path):
    path = tmp_path / "checklist.yaml"
    path.write_text("preset: draft\nskip: [schema.column_ordered]\nseverity:\n  SD0057: note\n"
                    "  'schema.*': none\n  SD0003: error\n", encoding="utf-8")
    checklist = load_checklist(path)
    assert found(apply_checklist(ISSUES, checklist)) == [("SD0003", "error"), ("SD1115", "error"), ("SD0057", "note")]
    only = checklist_from_mapping({"only": ["SD00*"]})
    assert found(apply_checklist(ISSUES, only)) == [("SD0003", "error"), ("SD1115", "error"), ("SD0057", "warning")]
    gates = ["SD1020", "SD1115", "SD2232", "SD2247", "SD2280", "DD0101", "ACLF-ADSL-00"]
    assert [r.id for r in select_rules(only)] == [*gates, "SD0002", "SD0003", "SD0005", "SD0013", "SD0038", "SD0056",
                                                  "SD0057", "SD0063", "SD0064", "SD0065", "SD0070", "SD0071",
                                                  "SD0083", "SD0087", "SD0090"]


def test_fda_gates_are_errors_whatever_the_checklist_says():
    checklist = checklist_from_mapping({"preset": "draft", "skip": ["SD1115"], "severity": {"SD1115": "none"}})
    assert found(apply_checklist(ISSUES[:2], checklist)) == [("SD0003", "warning"), ("SD1115", "error")]
    assert "SD1115" in [r.id for r in select_rules(checklist)]


def test_notice_is_the_pinnacle_21_word_for_note():
    checklist = checklist_from_mapping({"severity": {"SD0057": "notice"}})
    assert found(apply_checklist(ISSUES[2:3], checklist)) == [("SD0057", "note")]


def test_most_specific_severity_pattern_wins():
    checklist = Checklist(severity={"SD*": "note", "SD0003": "warning"})
    assert found(apply_checklist(ISSUES[:3], checklist)) == [("SD0003", "warning"), ("SD1115", "error"),
                                                             ("SD0057", "note")]


@pytest.mark.parametrize(("content", "column", "value"), [
    ({"skip": ["SD9999"]}, "skip", "SD9999"),
    ({"severity": {"SD0003": "fatal"}}, "severity", "fatal"),
    ({"preset": "strict"}, "preset", "strict"),
    ({"skipp": ["SD0003"]}, "skipp", None),
])
def test_invalid_checklists_are_refused_with_the_offending_entry(content, column, value):
    with pytest.raises(AclfError) as caught:
        checklist_from_mapping(content, file="checklist.yaml")
    [issue] = caught.value.issues
    assert (issue.rule, issue.file, issue.column, issue.value) == ("checklist.invalid", "checklist.yaml", column, value)


def test_load_checklist_by_preset_name():
    assert load_checklist("draft").downgrade_errors and not load_checklist("final").downgrade_errors
