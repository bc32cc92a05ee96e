"""The validation report: stable CSV order, JSON summary counts, a readable HTML page, identical bytes twice."""

import csv
import json

from aclf_cdisc.checks.report import (
    CSV_COLUMNS,
    render_html,
    render_text_summary,
    rule_summaries,
    rule_title,
    sorted_issues,
    write_reports,
)
from aclf_cdisc.errors import Issue

ISSUES = [
    Issue("schema.isin", "SEX: value 'X' fails isin", "error", dataset="DM", row="USUBJID=S-2", column="SEX",
          value="X", expected="in codelist CL.SEX"),
    Issue("SD1082", "AETERM is declared 200 bytes", "warning", dataset="AE", column="AETERM", value=200,
          expected="length 12"),
    Issue("SD0003", "AESTDTC is not ISO 8601", "error", dataset="AE", row=10, column="AESTDTC", value="2023-9-1"),
    Issue("SD0003", "AESTDTC is not ISO 8601", "error", dataset="AE", row=9, column="AESTDTC", value="<script>"),
    Issue("SD0003", "RFSTDTC is not ISO 8601", "error", dataset="DM", row=1, column="RFSTDTC", value="x"),
    Issue("AD0019", "population flag must be Y or N", "error", dataset="ADSL", row=2, column="ITTFL", value=None),
    Issue("define.item-length", "length differs", "note", file="define.xml"),
]
BUILD = {"study": "NCT05985863", "CT": "SDTM 2025-03-28", "built": "2025-06-01T12:00:00Z"}


def test_sort_is_severity_then_registry_order_then_dataset_and_natural_record():
    got = [(i.severity, i.rule, i.dataset, i.row) for i in sorted_issues(reversed(ISSUES))]
    assert got == [
        ("error", "SD0003", "AE", 9), ("error", "SD0003", "AE", 10), ("error", "SD0003", "DM", 1),
        ("error", "AD0019", "ADSL", 2), ("error", "schema.isin", "DM", "USUBJID=S-2"),
        ("warning", "SD1082", "AE", None), ("note", "define.item-length", None, None)]


def test_titles_come_from_the_registry_and_other_codes_show_their_code():
    assert rule_title("SD0003") == "Invalid ISO 8601 value for variable"
    assert rule_title("schema.isin") == "Spec schema: isin"
    assert rule_title("define.item-length") == "Define-XML: item-length"
    assert rule_title("whatever") == "whatever"


def test_rule_summary_counts_and_datasets():
    rows = [(s.rule, s.severity, s.count, s.datasets) for s in rule_summaries(ISSUES)]
    assert rows[0] == ("SD0003", "error", 3, ("AE", "DM"))
    assert ("define.item-length", "note", 1, ()) in rows


def test_write_reports_csv_json_html(tmp_path):
    paths = write_reports(ISSUES, tmp_path / "out", title="NCT05985863 SDTM validation", build_info=BUILD)
    assert sorted(paths) == ["csv", "html", "json"]
    with paths["csv"].open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r[0] for r in rows[1:]] == ["SD0003", "SD0003", "SD0003", "AD0019", "schema.isin", "SD1082",
                                        "define.item-length"]
    assert rows[1][:7] == ["SD0003", "Invalid ISO 8601 value for variable", "error", "AE", "9", "AESTDTC", "<script>"]

    document = json.loads(paths["json"].read_text(encoding="utf-8"))
    assert document["build"] == BUILD
    assert document["summary"]["total"] == 7
    assert document["summary"]["by_severity"] == {"error": 5, "warning": 1, "note": 1}
    assert document["summary"]["by_rule"][0] == {"rule": "SD0003", "title": "Invalid ISO 8601 value for variable",
                                                 "severity": "error", "count": 3, "datasets": ["AE", "DM"]}
    assert {"dataset": "AE", "error": 2, "warning": 1, "note": 0, "total": 3} in document["summary"]["by_dataset"]
    assert document["issues"][3]["value"] is None and document["issues"][5]["value"] == 200

    page = paths["html"].read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert 'href="#rule-SD0003-error"' in page and 'id="rule-SD0003-error"' in page
    assert "NCT05985863" in page and "SDTM 2025-03-28" in page
    assert page.index("Issue summary") < page.index("Dataset summary") < page.index("Details")


def test_reports_are_byte_identical_across_runs_and_input_order(tmp_path):
    first = write_reports(ISSUES, tmp_path / "a", title="t", build_info=BUILD)
    second = write_reports(list(reversed(ISSUES)), tmp_path / "b", title="t", build_info=BUILD)
    for kind in ("csv", "json", "html"):
        assert first[kind].read_bytes() == second[kind].read_bytes()


def test_html_lists_at_most_max_details_records_per_rule():
    many = [Issue("SD0002", "null", "error", dataset="LB", row=n, column="LBTESTCD") for n in range(1, 8)]
    page = render_html(many, title="t", build_info={}, max_details=3)
    assert page.count("<td>null</td>") == 3
    assert "... and 4 more records of SD0002 in validation.csv" in page


def test_html_without_issues_says_so():
    assert "No issues found." in render_html([], title="t", build_info={})


def test_text_summary_counts_rules_and_first_errors():
    summary = render_text_summary(ISSUES, first=2)
    lines = summary.splitlines()
    assert lines[0] == "Validation: 5 errors, 1 warning, 1 note"
    assert any(line.split()[:3] == ["SD0003", "error", "3"] for line in lines)
    assert "First 2 of 5 errors:" in summary
    assert summary.count("[error]") == 2
    assert render_text_summary([]) == "Validation: 0 errors, 0 warnings, 0 notes\n"
