"""The validation report: every Issue of a build (schemas, rules, define, transport) in three files.

``validation.csv``  one row per issue, stable columns and order (for diffing two builds, or Excel);
``validation.json`` summary counts by severity, rule and dataset, then the issues (for tools);
``validation.html`` one self-contained page for people, shaped like the Pinnacle 21 Excel report a
                    reviewer knows: an issue summary (rule ID, title, severity, count, datasets), a
                    summary by dataset, then per-rule details (dataset, record, variable, value,
                    expected) with at most ``max_details`` records each.

Rule titles come from the catalogue (:data:`~aclf_cdisc.checks.catalogue.RULES`); other codes (``schema.*``,
``define.*``, ``xpt.*``, ``sdtm.*`` ...) are shown by their code. Output bytes depend only on the
issues and ``build_info``: no clock, no set or dict-order dependence.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aclf_cdisc.checks.catalogue import RULES, RULES_BY_ID
from aclf_cdisc.checks.rule import Rule
from aclf_cdisc.errors import SEVERITIES, Issue

CSV_COLUMNS = ("rule", "title", "severity", "dataset", "row", "column", "value", "expected", "message", "file")
MAX_DETAILS = 50  # records listed per rule in the HTML page; the CSV has them all
SOURCES = {  # prefix of a non-rule code: where the finding comes from
    "schema": "Spec schema",
    "define": "Define-XML",
    "xpt": "XPT transport",
    "sdtm": "SDTM build",
    "adam": "ADaM build",
    "spec": "Spec",
    "raw": "Raw input",
    "package": "Package",
    "validate": "Folder validation",
}
_SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}
_RULE_RANK = {rule.id: i for i, rule in enumerate(RULES)}


# --------------------------------------------------------------------------------------------
# ordering and wording
# --------------------------------------------------------------------------------------------
def rule_title(code: str) -> str:
    """The registry title of a rule ID; for other codes, where they come from and the code's check."""
    if code in RULES_BY_ID:
        return RULES_BY_ID[code].title
    prefix, _, rest = code.partition(".")
    if prefix in SOURCES and rest:
        return f"{SOURCES[prefix]}: {rest}"
    return code


def _natural(text: str) -> tuple[Any, ...]:
    """Sort key that orders digit runs by number (AESEQ=9 before AESEQ=10)."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", text) if part)


def _row_key(row: int | str | None) -> tuple[Any, ...]:
    if row is None:
        return (0,)
    if isinstance(row, int):
        return (1, row)
    return (2, _natural(str(row)))


def _rule_key(code: str) -> tuple[Any, ...]:
    return (0, _RULE_RANK[code], "") if code in _RULE_RANK else (1, 0, code)


def sort_key(issue: Issue) -> tuple[Any, ...]:
    """Severity, then registry order (other codes after, by code), dataset, record, variable, value."""
    return (
        _SEVERITY_RANK.get(issue.severity, len(SEVERITIES)),
        _rule_key(issue.rule),
        issue.dataset or "",
        _row_key(issue.row),
        issue.column or "",
        text(issue.value),
        issue.message,
        issue.file or "",
    )


class SortedIssues(list[Issue]):
    """Issues already in report order (:func:`sort_key`): sorting them again changes nothing, so
    :func:`sorted_issues` hands them back as they are instead of computing every key again."""


def sorted_issues(issues: Iterable[Issue]) -> SortedIssues:
    """``issues`` in report order; a :class:`SortedIssues` list comes back as it is.

    >>> a, b = Issue("SD0002", "x", severity="warning"), Issue("SD0002", "y", severity="error")
    >>> ordered = sorted_issues([a, b])
    >>> [i.severity for i in ordered], sorted_issues(ordered) is ordered
    (['error', 'warning'], True)
    """
    if isinstance(issues, SortedIssues):
        return issues
    return SortedIssues(sorted(issues, key=sort_key))


def text(value: Any) -> str:
    """A value as report text: missing as empty, floats as Python writes them, tuples comma-joined."""
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return repr(value)
    if isinstance(value, tuple):
        return ", ".join(text(v) for v in value)
    return str(value)


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if isinstance(value, tuple | list):
        return [_json_value(v) for v in value]
    if hasattr(value, "item"):  # numpy scalar
        return _json_value(value.item())
    return str(value)


# --------------------------------------------------------------------------------------------
# summary
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class RuleSummary:
    rule: str
    title: str
    severity: str
    count: int
    datasets: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "title": self.title, "severity": self.severity, "count": self.count,
                "datasets": list(self.datasets)}


def rule_summaries(issues: Sequence[Issue]) -> list[RuleSummary]:
    """One row per (rule, severity), in report order (issues are sorted first)."""
    groups: dict[tuple[str, str], list[Issue]] = {}
    for issue in sorted_issues(issues):
        groups.setdefault((issue.rule, issue.severity), []).append(issue)
    return [
        RuleSummary(rule, rule_title(rule), severity, len(found),
                    tuple(sorted({i.dataset for i in found if i.dataset})))
        for (rule, severity), found in groups.items()
    ]


@dataclass(frozen=True)
class DatasetInfo:
    """A dataset the run looked at (the Dataset Summary lists every one, with or without findings)."""

    name: str
    label: str
    class_: str
    records: int
    source: str = ""


def explanation_for(issue_rule: str, dataset: str | None, explanations: Mapping[str, str] | None) -> str:
    """The explanation of a finding: ``RULE/DATASET`` first, then ``RULE`` (empty when none is given)."""
    if not explanations:
        return ""
    return explanations.get(f"{issue_rule}/{dataset}", explanations.get(issue_rule, ""))


def rules_table(rules: Sequence[Rule], issues: Sequence[Issue]) -> list[dict[str, Any]]:
    """Every rule that ran, with its publisher IDs, how many findings it gave and whether it fired."""
    found: dict[str, int] = {}
    for issue in issues:
        found[issue.rule] = found.get(issue.rule, 0) + 1
    return [{"rule": r.id, "p21": ", ".join(r.p21), "publisher": r.publisher_ids, "title": r.title,
             "description": r.description, "ig": r.ig, "category": r.category, "severity": r.severity,
             "found": found.get(r.id, 0), "status": "fired" if found.get(r.id) else "passed"} for r in rules]


def dataset_table(datasets: Sequence[DatasetInfo], issues: Sequence[Issue]) -> list[dict[str, Any]]:
    """Every dataset with its label, class, records and counts by severity (findings without a dataset last)."""
    counts: dict[str, dict[str, Any]] = {row["dataset"]: row for row in dataset_counts(issues)}
    rows: list[dict[str, Any]] = []
    for info in sorted(datasets, key=lambda d: d.name):
        empty: dict[str, Any] = {"dataset": info.name, **dict.fromkeys(SEVERITIES, 0), "total": 0}
        row = counts.pop(info.name, empty)
        rows.append({"dataset": info.name, "label": info.label, "class": info.class_, "records": info.records,
                     "source": info.source, **{sev: row[sev] for sev in SEVERITIES}, "total": row["total"]})
    for name, row in sorted(counts.items()):
        rows.append({"dataset": name, "label": "", "class": "", "records": None, "source": "",
                     **{sev: row[sev] for sev in SEVERITIES}, "total": row["total"]})
    return rows


def severity_counts(issues: Iterable[Issue]) -> dict[str, int]:
    counts: dict[str, int] = dict.fromkeys(SEVERITIES, 0)
    for issue in issues:
        counts[issue.severity] = counts.get(issue.severity, 0) + 1
    return counts


def dataset_counts(issues: Iterable[Issue]) -> list[dict[str, Any]]:
    """Per dataset (issues without one under "(none)"): counts by severity and total, by dataset name."""
    table: dict[str, dict[str, int]] = {}
    for issue in issues:
        row = table.setdefault(issue.dataset or "(none)", dict.fromkeys(SEVERITIES, 0))
        row[issue.severity] = row.get(issue.severity, 0) + 1
    return [{"dataset": name, **counts, "total": sum(counts.values())} for name, counts in sorted(table.items())]


def summary(issues: Sequence[Issue]) -> dict[str, Any]:
    return {
        "total": len(issues),
        "by_severity": severity_counts(issues),
        "by_rule": [s.as_dict() for s in rule_summaries(issues)],
        "by_dataset": dataset_counts(issues),
    }


# --------------------------------------------------------------------------------------------
# the three files
# --------------------------------------------------------------------------------------------
def render_csv(issues: Sequence[Issue]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for issue in sorted_issues(issues):
        writer.writerow([
            issue.rule, rule_title(issue.rule), issue.severity, issue.dataset or "", text(issue.row),
            issue.column or "", text(issue.value), issue.expected or "", issue.message, issue.file or "",
        ])
    return buffer.getvalue()


def render_json(issues: Sequence[Issue], *, title: str, build_info: Mapping[str, Any],
                rules: Sequence[Rule] | None = None, datasets: Sequence[DatasetInfo] | None = None,
                explanations: Mapping[str, str] | None = None) -> str:
    document: dict[str, Any] = {
        "title": title,
        "build": {str(k): _json_value(v) for k, v in build_info.items()},
        "summary": summary(issues),
    }
    if datasets is not None:
        document["datasets"] = dataset_table(datasets, issues)
    if rules is not None:
        document["rules"] = rules_table(rules, issues)
    document["issues"] = [
        {"rule": i.rule, "title": rule_title(i.rule), "severity": i.severity, "dataset": i.dataset,
         "row": i.row, "column": i.column, "value": _json_value(i.value), "expected": i.expected,
         "message": i.message, "file": i.file,
         **({"explanation": explanation_for(i.rule, i.dataset, explanations)} if explanations else {})}
        for i in sorted_issues(issues)
    ]
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


_CSS = """
body{font-family:-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:2rem auto;max-width:75rem;
color:#1b1f23;line-height:1.4;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.3rem}h2{font-size:1.25rem;margin-top:2.2rem;border-bottom:2px solid #d0d7de;
padding-bottom:.2rem}h3{font-size:1.05rem;margin:1.6rem 0 .4rem}
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem;font-size:.9rem}
th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f5f7}tr:nth-child(even) td{background:#fafbfc}
td.num{text-align:right;font-variant-numeric:tabular-nums}
table.compact{width:auto}table.compact td,table.compact th{min-width:5rem}
code,.mono{font-family:SFMono-Regular,Consolas,Menlo,monospace;font-size:.85rem}
.sev{display:inline-block;border-radius:.7rem;padding:0 .55rem;font-size:.8rem;font-weight:600;color:#fff}
.sev-error{background:#c62828}.sev-warning{background:#b26a00}.sev-note{background:#546e7a}
.totals span{margin-right:1.2rem;font-size:1.05rem}
.meta th{width:14rem}.filter{margin:.3rem 0;padding:.2rem .4rem;width:18rem}
tr.passed td{color:#57606a}.why{background:#fff8e1;padding:.3rem .6rem;border-left:3px solid #b26a00}
.more{color:#57606a;font-style:italic}
.ok{color:#1a7f37;font-weight:600}
a{color:#0550ae;text-decoration:none}a:hover{text-decoration:underline}
"""


def _e(value: Any) -> str:
    return html.escape(text(value) if not isinstance(value, str) else value, quote=True)


def _anchor(rule: str, severity: str) -> str:
    return "rule-" + re.sub(r"[^A-Za-z0-9_-]", "_", f"{rule}-{severity}")


def _badge(severity: str) -> str:
    return f'<span class="sev sev-{_e(severity)}">{_e(severity)}</span>'


_JS = """
document.querySelectorAll("table.grid").forEach(function (table) {
  var input = document.createElement("input");
  input.type = "search"; input.placeholder = "Filter rows..."; input.className = "filter";
  table.parentNode.insertBefore(input, table);
  var body = table.tBodies[0];
  input.addEventListener("input", function () {
    var needle = input.value.toLowerCase();
    Array.prototype.forEach.call(body.rows, function (row) {
      row.style.display = row.textContent.toLowerCase().indexOf(needle) >= 0 ? "" : "none";
    });
  });
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
    th.title = "Sort"; th.style.cursor = "pointer";
    th.addEventListener("click", function () {
      var up = th.getAttribute("data-order") !== "asc";
      th.setAttribute("data-order", up ? "asc" : "desc");
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].textContent.trim(), y = b.cells[col].textContent.trim();
        var nx = parseFloat(x), ny = parseFloat(y);
        var c = (!isNaN(nx) && !isNaN(ny) && String(nx) === x && String(ny) === y) ? nx - ny : x.localeCompare(y);
        return up ? c : -c;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
"""


def _grid(headers: Sequence[str], rows: Iterable[str], *, css: str = "grid") -> list[str]:
    return [f'<table class="{css}">', "<thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in headers) + "</tr></thead>",
            "<tbody>", *rows, "</tbody>", "</table>"]


def render_html(issues: Sequence[Issue], *, title: str, build_info: Mapping[str, Any],
                max_details: int = MAX_DETAILS, rules: Sequence[Rule] | None = None,
                datasets: Sequence[DatasetInfo] | None = None, explanations: Mapping[str, str] | None = None) -> str:
    """One self-contained page: summary, datasets, issue summary, details, and every rule that ran.

    Tables sort on a click on their header and filter as one types (inline script, no server).
    """
    ordered = sorted_issues(issues)
    counts = severity_counts(ordered)
    out: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{_e(title)}</title>",
        f"<style>{_CSS.strip()}</style>",
        "</head>",
        "<body>",
        f"<h1>{_e(title)}</h1>",
    ]
    if build_info:
        out.append('<table class="meta">')
        out += [f"<tr><th>{_e(str(k))}</th><td>{_e(v)}</td></tr>" for k, v in build_info.items()]
        out.append("</table>")
    out.append('<p class="totals">' + "".join(
        f"<span>{_badge(s)} <strong>{counts[s]}</strong></span>" for s in SEVERITIES) + "</p>")
    if not ordered:
        out.append('<p class="ok">No issues found.</p>')
    else:
        headers = ["Rule ID", "Title", "Severity", "Found", "Datasets"] + (["Explanation"] if explanations else [])
        rows = []
        for s in rule_summaries(ordered):
            why = f"<td>{_e(explanation_for(s.rule, None, explanations))}</td>" if explanations else ""
            rows.append(f'<tr><td class="mono"><a href="#{_anchor(s.rule, s.severity)}">{_e(s.rule)}</a></td>'
                        f"<td>{_e(s.title)}</td><td>{_badge(s.severity)}</td><td class=\"num\">{s.count}</td>"
                        f"<td>{_e(', '.join(s.datasets))}</td>{why}</tr>")
        out += ["<h2>Issue summary</h2>", *_grid(headers, rows)]

    if datasets is not None:
        rows = [f'<tr><td class="mono">{_e(r["dataset"])}</td><td>{_e(r["label"])}</td><td>{_e(r["class"])}</td>'
                f'<td class="num">{_e(r["records"])}</td>'
                + "".join(f'<td class="num">{r[s]}</td>' for s in SEVERITIES) + "</tr>"
                for r in dataset_table(datasets, ordered)]
        out += ["<h2>Dataset summary</h2>",
                *_grid(["Dataset", "Label", "Class", "Records", *(f"{s.capitalize()}s" for s in SEVERITIES)], rows)]
    elif ordered:
        rows = [f'<tr><td class="mono">{_e(row["dataset"])}</td>'
                + "".join(f'<td class="num">{row[s]}</td>' for s in SEVERITIES)
                + f'<td class="num">{row["total"]}</td></tr>' for row in dataset_counts(ordered)]
        out += ["<h2>Dataset summary</h2>",
                *_grid(["Dataset", *(f"{s.capitalize()}s" for s in SEVERITIES), "Total"], rows, css="grid compact")]

    if ordered:
        out.append("<h2>Details</h2>")
        groups: dict[tuple[str, str], list[Issue]] = {}
        for issue in ordered:
            groups.setdefault((issue.rule, issue.severity), []).append(issue)
        for (rule, severity), found in groups.items():
            out.append(f'<h3 id="{_anchor(rule, severity)}"><code>{_e(rule)}</code> {_e(rule_title(rule))} '
                       f"{_badge(severity)} <small>({len(found)})</small></h3>")
            reasons = {explanation_for(rule, i.dataset, explanations) for i in found} - {""}
            out += [f'<p class="why"><strong>Explanation:</strong> {_e(w)}</p>' for w in sorted(reasons)]
            rows = [f'<tr><td class="mono">{_e(issue.dataset or "")}</td><td class="mono">{_e(issue.row)}</td>'
                    f'<td class="mono">{_e(issue.column or "")}</td><td class="mono">{_e(issue.value)}</td>'
                    f"<td>{_e(issue.expected or '')}</td><td>{_e(issue.message)}</td></tr>"
                    for issue in found[:max_details]]
            out += _grid(["Dataset", "Record", "Variable", "Value", "Expected", "Message"], rows)
            if len(found) > max_details:
                out.append(f'<p class="more">... and {len(found) - max_details} more records of {_e(rule)} '
                           "in validation.csv</p>")

    if rules is not None:
        rows = [f'<tr class="{r["status"]}"><td class="mono">{_e(r["rule"])}</td><td>{_e(r["publisher"])}</td>'
                f'<td>{_e(r["title"])}</td><td>{_e(r["category"])}</td><td>{_badge(r["severity"])}</td>'
                f'<td class="num">{r["found"]}</td><td>{_e(r["status"])}</td><td>{_e(r["ig"])}</td></tr>'
                for r in rules_table(rules, ordered)]
        out += ["<h2>Rules</h2>", "<p>Every rule that ran, whether it fired or passed.</p>",
                *_grid(["Rule ID", "Publisher IDs", "Message", "Category", "Severity", "Found", "Status",
                        "IG text"], rows)]
    out += [f'<script type="text/javascript">{_JS.strip()}</script>', "</body>", "</html>"]
    return "\n".join(out) + "\n"


def write_reports(issues: Iterable[Issue], folder: str | Path, *, title: str, build_info: Mapping[str, Any],
                  max_details: int = MAX_DETAILS, rules: Sequence[Rule] | None = None,
                  datasets: Sequence[DatasetInfo] | None = None, frames: Mapping[str, Any] | None = None,
                  explanations: Mapping[str, str] | None = None) -> dict[str, Path]:
    """Write validation.csv, .json and .html (and, given the rules and datasets that ran, validation.xlsx).

    ``build_info`` (study, standard versions, checklist, engine ...) is shown as given, in its own
    order; nothing else varies between two runs over the same issues.
    """
    issues = sorted_issues(issues)  # once, for every file
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    extra: dict[str, Any] = {"rules": rules, "datasets": datasets, "explanations": explanations}
    contents = {
        "csv": render_csv(issues),
        "json": render_json(issues, title=title, build_info=build_info, **extra),
        "html": render_html(issues, title=title, build_info=build_info, max_details=max_details, **extra),
    }
    paths = {}
    for kind, body in contents.items():
        path = target / f"validation.{kind}"
        path.write_bytes(body.encode("utf-8"))
        paths[kind] = path
    if rules is not None and datasets is not None:
        from aclf_cdisc.checks.workbook import write_workbook

        paths["xlsx"] = write_workbook(target / "validation.xlsx", issues, title=title, info=build_info,
                                       rules=rules, datasets=datasets, frames=frames, explanations=explanations)
    return paths


def render_text_summary(issues: Iterable[Issue], *, first: int = 5) -> str:
    """Counts by severity and rule, then the first few errors, for the terminal."""
    ordered = sorted_issues(issues)
    counts = severity_counts(ordered)
    lines = ["Validation: " + ", ".join(f"{counts[s]} {s}{'' if counts[s] == 1 else 's'}" for s in SEVERITIES)]
    if not ordered:
        return lines[0] + "\n"
    summaries = rule_summaries(ordered)
    width = max(len(s.rule) for s in summaries)
    for s in summaries:
        datasets = f" ({', '.join(s.datasets)})" if s.datasets else ""
        lines.append(f"  {s.rule:<{width}}  {s.severity:<7}  {s.count:>6}  {s.title}{datasets}")
    errors = [i for i in ordered if i.severity == "error"]
    if errors:
        lines.append(f"First {min(first, len(errors))} of {len(errors)} errors:")
        lines += [f"  {issue.render()}" for issue in errors[:first]]
    return "\n".join(lines) + "\n"
