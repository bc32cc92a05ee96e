"""The validation report as an Excel workbook in the layout Pinnacle 21 users know.

Sheets: Validation Summary (inputs, standard, CT and MedDRA versions, checklist, engine), Dataset
Summary (every dataset: label, class, records, counts by severity), Issue Summary (per dataset, the
rules that fired: ID, message, severity, found), Details (one row per finding: dataset, record,
USUBJID, --SEQ, variables, values, rule, message, severity, explanation) and Rules (every rule that
ran: ID, publisher IDs, message, description, category, severity, found, fired/passed).

The bytes depend only on the content: document properties carry a fixed date and the zip entries
a fixed timestamp, so two runs over the same findings write the same file.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from aclf_cdisc.checks.report import (
    DatasetInfo,
    dataset_table,
    explanation_for,
    rule_summaries,
    rule_title,
    rules_table,
    sorted_issues,
    text,
)
from aclf_cdisc.checks.rule import Rule
from aclf_cdisc.errors import SEVERITIES, Issue

FIXED_TIME = datetime(2000, 1, 1)  # document properties: no clock in the output
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
SEVERITY_WORDS = {"error": "Error", "warning": "Warning", "note": "Notice"}
HEADER = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE3EA")
DETAIL_COLUMNS = ("Domain", "Record", "USUBJID", "--SEQ", "Variables", "Values", "Pinnacle 21 ID", "Message",
                  "Category", "Severity", "Explanation")


def _table(ws: Worksheet, headers: Sequence[str], rows: Sequence[Sequence[Any]], *, widths: Sequence[int]) -> None:
    ws.append(list(headers))
    for cell in ws[ws.max_row]:
        cell.font, cell.fill = HEADER, HEADER_FILL
    first = ws.max_row
    for row in rows:
        ws.append([_cell(v) for v in row])
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = ws.cell(row=first + 1, column=1)
    if rows:
        ws.auto_filter.ref = f"A{first}:{get_column_letter(len(headers))}{ws.max_row}"


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return text(value)


def _record_keys(issue: Issue, datasets: Mapping[str, Any] | None) -> tuple[Any, Any]:
    """USUBJID and --SEQ of the finding's record, when it names one and the frame is at hand."""
    if (datasets is None or not isinstance(issue.row, int) or issue.dataset is None or issue.dataset not in datasets
            or issue.file is not None):  # a row cited in the raw export is not a dataset record
        return None, None
    frame = datasets[issue.dataset]
    if not 1 <= issue.row <= len(frame):
        return None, None
    subject = frame["USUBJID"].iat[issue.row - 1] if "USUBJID" in frame.columns else None
    seq_col = f"{issue.dataset[:2]}SEQ"
    seq = frame[seq_col].iat[issue.row - 1] if seq_col in frame.columns else None
    return _cell(subject), _cell(seq.item() if seq is not None and hasattr(seq, "item") else seq)


def _cited_frames(issues: Sequence[Issue], frames: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The frames of the datasets whose records the findings cite, each read from ``frames`` once
    (a compacted store rebuilds a dataset on every read: :mod:`aclf_cdisc.compact`)."""
    if frames is None:
        return None
    cited = {i.dataset for i in issues if isinstance(i.row, int) and i.dataset is not None and i.file is None}
    return {name: frames[name] for name in sorted(cited) if name in frames}


def build_workbook(issues: Sequence[Issue], *, title: str, info: Mapping[str, Any], rules: Sequence[Rule],
                   datasets: Sequence[DatasetInfo], frames: Mapping[str, Any] | None = None,
                   explanations: Mapping[str, str] | None = None) -> Workbook:
    ordered = sorted_issues(issues)
    categories = {r.id: r.category for r in rules}
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Validation Summary"
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append([])
    for key, value in info.items():
        ws.append([str(key), _cell(value)])
    ws.append([])
    for severity in SEVERITIES:
        ws.append([f"{SEVERITY_WORDS[severity]}s", sum(1 for i in ordered if i.severity == severity)])
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 28, 70

    table = dataset_table(datasets, ordered)
    _table(wb.create_sheet("Dataset Summary"),
           ["Domain", "Label", "Class", "Source", "Records", *(f"{SEVERITY_WORDS[s]}s" for s in SEVERITIES)],
           [[r["dataset"], r["label"], r["class"], r["source"], r["records"], *(r[s] for s in SEVERITIES)]
            for r in table], widths=[10, 40, 30, 24, 10, 10, 10, 10])

    summary_rows = []
    for dataset in sorted({i.dataset or "" for i in ordered}):
        for s in rule_summaries([i for i in ordered if (i.dataset or "") == dataset]):
            summary_rows.append([dataset or "(study)", s.rule, s.title, SEVERITY_WORDS.get(s.severity, s.severity),
                                 s.count, explanation_for(s.rule, dataset or None, explanations)])
    _table(wb.create_sheet("Issue Summary"), ["Source", "Pinnacle 21 ID", "Message", "Severity", "Found",
                                              "Explanation"], summary_rows, widths=[10, 16, 60, 10, 8, 60])

    detail_rows = []
    cited = _cited_frames(ordered, frames)
    for issue in ordered:
        subject, seq = _record_keys(issue, cited)
        detail_rows.append([issue.dataset or "", issue.row if isinstance(issue.row, int) else text(issue.row),
                            subject, seq, issue.column or "", text(issue.value), issue.rule, issue.message,
                            categories.get(issue.rule, ""), SEVERITY_WORDS.get(issue.severity, issue.severity),
                            explanation_for(issue.rule, issue.dataset, explanations)])
    _table(wb.create_sheet("Details"), DETAIL_COLUMNS, detail_rows,
           widths=[10, 8, 20, 8, 16, 30, 14, 60, 14, 10, 50])

    _table(wb.create_sheet("Rules"), ["Pinnacle 21 ID", "Publisher ID", "Message", "Description", "Category",
                                      "Severity", "Found", "Status", "IG text"],
           [[r["rule"], r["publisher"], r["title"], r["description"], r["category"],
             SEVERITY_WORDS.get(r["severity"], r["severity"]), r["found"], r["status"], r["ig"]]
            for r in rules_table(rules, ordered)], widths=[14, 30, 50, 60, 14, 10, 8, 8, 60])
    wb.properties.creator = "aclf-cdisc"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    return wb


def workbook_bytes(wb: Workbook) -> bytes:
    """The .xlsx bytes with fixed zip timestamps (openpyxl's save() would stamp the clock)."""
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            fixed = zipfile.ZipInfo(item.filename, date_time=ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            target.writestr(fixed, source.read(item.filename))
    return out.getvalue()


def write_workbook(path: Path, issues: Sequence[Issue], **content: Any) -> Path:
    path.write_bytes(workbook_bytes(build_workbook(issues, **content)))
    return path


__all__ = ["build_workbook", "rule_title", "workbook_bytes", "write_workbook"]
