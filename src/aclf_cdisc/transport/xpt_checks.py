"""Checks a dataset must pass before a byte is written: metadata, frame columns, and the collector
that gathers per-cell findings while encoding (the first rows of each rule, then a count).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from aclf_cdisc.errors import Issue
from aclf_cdisc.limits import MAX_CHAR_BYTES, MAX_LABEL_BYTES, NAME_PATTERN
from aclf_cdisc.transport.meta import XptDataset, XptVariable
from aclf_cdisc.transport.xpt_format import EARLIEST_YEAR, LATEST_YEAR, MAX_VARIABLES, NUM_LENGTHS

MAX_ISSUES_PER_CHECK = 20  # per (rule, column): the first rows, then one summary issue

def issue_for(rule: str, message: str, meta: XptDataset, **where: Any) -> Issue:
    return Issue(rule=rule, message=message, dataset=meta.name, **where)


def _text_issues(text: str, what: str, limit: int, meta: XptDataset, column: str | None) -> list[Issue]:
    """ASCII-only, at most ``limit`` bytes (header text fields and labels)."""
    if not text.isascii():
        return [issue_for(f"xpt.{what}-non-ascii", f"{what} is not ASCII", meta, column=column, value=text,
                       expected="ASCII text")]
    if len(text) > limit:
        return [issue_for(f"xpt.{what}-too-long", f"{what} is {len(text)} bytes", meta, column=column,
                       value=text, expected=f"at most {limit} bytes")]
    return []


def _name_issues(name: str, meta: XptDataset, column: str | None) -> list[Issue]:
    if NAME_PATTERN.match(name):
        return []
    return [issue_for("xpt.name-invalid", f"name {name!r} is not a SAS V5 name", meta, column=column,
                   value=name, expected="1-8 characters, [A-Z][A-Z0-9_]*")]


def _format_issues(var: XptVariable, meta: XptDataset) -> list[Issue]:
    found = []
    for which, text in (("format", var.format), ("informat", var.informat)):
        try:
            name = (var.format_name if which == "format" else var.informat_name)
        except ValueError as exc:
            found.append(issue_for(f"xpt.{which}-invalid", str(exc), meta, column=var.name, value=text))
            continue
        if len(name) > 8:
            found.append(issue_for(f"xpt.{which}-invalid", f"{which} name over 8 characters", meta,
                                column=var.name, value=text, expected="a SAS format name of 1-8 characters"))
    return found


def _variable_issues(var: XptVariable, meta: XptDataset) -> list[Issue]:
    found = _name_issues(var.name, meta, var.name)
    found += _text_issues(var.label, "label", MAX_LABEL_BYTES, meta, var.name)
    found += _format_issues(var, meta)
    if var.type not in ("char", "num"):
        found.append(issue_for("xpt.type-invalid", "type must be char or num", meta, column=var.name,
                            value=var.type, expected="char or num"))
    elif var.is_char and not 1 <= var.length <= MAX_CHAR_BYTES:
        found.append(issue_for("xpt.length-invalid", "character length out of range", meta, column=var.name,
                            value=var.length, expected=f"1 to {MAX_CHAR_BYTES} bytes"))
    elif not var.is_char and var.length not in NUM_LENGTHS:
        found.append(issue_for("xpt.length-invalid", "numeric length out of range", meta, column=var.name,
                            value=var.length, expected="2 to 8 bytes"))
    return found


def _header_issues(meta: XptDataset) -> list[Issue]:
    found = []
    for field, text in (("sas_version", meta.sas_version), ("os_name", meta.os_name), ("type", meta.type),
                        ("sas_version", meta.lib_sas_version), ("os_name", meta.lib_os_name)):
        found += _text_issues(text, f"header-{field.replace('_', '-')}", 8, meta, None)
    for stamp in (meta.created, meta.modified, meta.lib_created, meta.lib_modified):
        if not EARLIEST_YEAR <= stamp.year <= LATEST_YEAR:
            found.append(issue_for("xpt.timestamp-range", "header timestamp has a two-digit year", meta,
                                value=stamp.isoformat(), expected=f"a year from {EARLIEST_YEAR} to {LATEST_YEAR}"))
    return found


def metadata_issues(meta: XptDataset) -> list[Issue]:
    """Every problem with the metadata alone (names, labels, lengths, formats, header fields)."""
    found = _name_issues(meta.name, meta, None)
    found += _text_issues(meta.label, "dataset-label", MAX_LABEL_BYTES, meta, None)
    found += _header_issues(meta)
    if not meta.variables:
        found.append(issue_for("xpt.no-variables", "a dataset needs at least one variable", meta))
    if len(meta.variables) > MAX_VARIABLES:
        found.append(issue_for("xpt.too-many-variables", "too many variables", meta,
                            value=len(meta.variables), expected=f"at most {MAX_VARIABLES}"))
    seen: set[str] = set()
    for var in meta.variables:
        if var.name.upper() in seen:
            found.append(issue_for("xpt.name-duplicate", f"variable {var.name} appears twice", meta,
                                column=var.name, value=var.name, expected="unique names"))
        seen.add(var.name.upper())
        found += _variable_issues(var, meta)
    return found


def frame_issues(df: pd.DataFrame, meta: XptDataset) -> list[Issue]:
    """Columns of the frame must be exactly the metadata's variables (order is taken from meta)."""
    return column_issues(list(df.columns), meta)


def column_issues(columns: Sequence[Hashable], meta: XptDataset) -> list[Issue]:
    """:func:`frame_issues` for a frame's column names."""
    names, known = pd.Index(list(columns), dtype=object), set(meta.names)
    found = [issue_for("xpt.column-missing", f"frame has no column {name}", meta, column=name)
             for name in meta.names if name not in names]
    found += [issue_for("xpt.column-unexpected", f"frame column {col} is not in the metadata", meta,
                     column=str(col)) for col in names if col not in known]
    if names.duplicated().any():
        found.append(issue_for("xpt.column-duplicate", "frame has duplicate column names", meta,
                            value=[str(c) for c in names[names.duplicated()]]))
    return found


# --------------------------------------------------------------------------------------------
# cell encoding (one chunk of one column at a time)
# --------------------------------------------------------------------------------------------

class Findings:
    """Issue collector that keeps the first rows of each (rule, column) and counts the rest."""

    def __init__(self, meta: XptDataset, file: str) -> None:
        self.meta, self.file = meta, file
        self.issues: list[Issue] = []
        self.extra: dict[tuple[str, str], int] = {}
        self._shown: dict[tuple[str, str], int] = {}

    def add(self, rule: str, message: str, column: str, rows: npt.NDArray[np.int64], values: list[Any],
            expected: str) -> None:
        key = (rule, column)
        shown = self._shown.get(key, 0)
        room = max(0, MAX_ISSUES_PER_CHECK - shown)
        for row, value in zip(rows[:room].tolist(), values[:room], strict=False):
            self.issues.append(Issue(rule=rule, message=message, file=self.file, dataset=self.meta.name,
                                     row=int(row) + 1, column=column, value=value, expected=expected))
        self._shown[key] = shown + min(room, len(rows))
        if len(rows) > room:
            self.extra[key] = self.extra.get(key, 0) + len(rows) - room

    def all(self) -> list[Issue]:
        """The findings by record, then variable (in the file's order), then rule, and the counts of
        rows not shown: the same list however the records were cut into chunks."""
        order = {variable.name: number for number, variable in enumerate(self.meta.variables)}
        shown = sorted(self.issues, key=lambda i: (i.row or 0, order.get(str(i.column), len(order)), i.rule))
        summaries = [Issue(rule=rule, message=f"{count} more rows break this rule", file=self.file,
                           dataset=self.meta.name, column=column, value=count)
                     for (rule, column), count in sorted(self.extra.items(),
                                                         key=lambda item: (order.get(item[0][1], len(order)),
                                                                           item[0][0]))]
        return shown + summaries


