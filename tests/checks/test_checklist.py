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


@pytest.mark.parametrize(("content", "rule", "row", "says"), [
    (b"\xff\xfeskip: [SD0083]\n", "checklist.invalid", 1, "the checklist is not UTF-8 text: byte 0xff at offset 0"),
    (b"skip: [SD0083]\nonly: [\n", "checklist.invalid", 3, "the checklist is not valid YAML: while parsing"),
    (b"[" * 50_000, "checklist.invalid", 1, "the checklist is not valid YAML: while increasing flow level"),
    (b"skip: [SD0083]\nskip: [SD0064]\n", "spec.yaml-duplicate-key", 2, "key 'skip' is given twice"),
])
def test_a_checklist_file_that_cannot_be_read_is_one_line_naming_its_place(tmp_path, capsys, content, rule, row,
                                                                          says):
    """A checklist that is not UTF-8 or nests without bound was an internal error (UnicodeDecodeError,
    RecursionError), a YAML syntax error a message over several lines, and a key given twice lost
    one of its values silently; each is one error naming the file and the line."""
    from aclf_cdisc.cli import main

    path = tmp_path / "checklist.yaml"
    path.write_bytes(content)
    with pytest.raises(AclfError) as refused:
        load_checklist(path)
    issue, = refused.value.issues
    assert (issue.rule, issue.file, issue.row) == (rule, str(path), row)
    assert says in issue.message and "\n" not in issue.render()
    data = tmp_path / "data"
    data.mkdir()
    assert main(["validate", str(data), "--checklist", str(path), "--out", str(tmp_path / "r")]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and f"[error] {rule}: " in err and "internal error" not in err
