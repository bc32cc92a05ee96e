"""drop_duplicate_records / key_conflicts: exact re-entries dropped with a warning, key clashes reported."""

import pandas as pd

from aclf_cdisc.sdtm.duplicates import drop_duplicate_records, key_conflicts


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "USUBJID": ["A", "A", "A", "B", "A", "B"],
        "TESTCD": ["ALT", "ALT", "AST", "ALT", "alt", "ALT"],
        "RESULT": ["5", "5", None, None, "5", None],
        "__row": [7, 2, 3, 4, 5, 6],
    })


def test_01_later_copies_are_dropped_and_each_warning_names_the_lowest_row_of_its_group():
    issues: list = []
    out = drop_duplicate_records(_frame(), ["USUBJID", "TESTCD", "RESULT"], dataset="LB", file="lb.csv",
                                 issues=issues)
    assert out["__row"].tolist() == [7, 3, 4, 5]  # the first record in frame order is kept
    assert [(i.rule, i.severity, i.row, i.value, i.file, i.dataset) for i in issues] == [
        ("sdtm.duplicate-record", "warning", 2, "duplicate of row 2", "lb.csv", "LB"),
        ("sdtm.duplicate-record", "warning", 6, "duplicate of row 4", "lb.csv", "LB"),  # missing equals missing
    ]


def test_02_no_duplicates_returns_the_frame_and_no_issue():
    issues: list = []
    frame = _frame().iloc[[0, 2, 3]]
    assert drop_duplicate_records(frame, ["USUBJID", "TESTCD"], dataset="LB", file="lb.csv", issues=issues) is frame
    assert issues == []


def test_03_different_records_under_one_key_are_errors():
    frame = _frame().iloc[[0, 2, 3]].assign(TESTCD="ALT")
    found = key_conflicts(frame, ["USUBJID", "TESTCD"], dataset="LB", file="lb.csv")
    assert [(i.rule, i.severity, i.row, i.value) for i in found] == [
        ("sdtm.duplicate-key", "error", 7, "A | ALT"), ("sdtm.duplicate-key", "error", 3, "A | ALT")]
