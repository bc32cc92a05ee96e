"""The PDF renderer's table and cell classes lay out exactly as reportlab's own, in linear time.

``documents.pdf`` measures each table row once and lays each cell out once per width; the
bytes must be those reportlab's plain ``Table`` and ``Paragraph`` give: checked on tables long
enough to run over many pages, with cells of one and several lines and a page shrunk to fit.
"""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable

from aclf_cdisc.documents import pdf
from aclf_cdisc.documents.model import Document, Paragraph, Run, Section, Table
from aclf_cdisc.documents.pdf import render_pdf


def _findings(rows: int) -> Table:
    """A list of findings like the guides' last table: some messages wrap onto two or three lines."""
    return Table(("Rule", "Severity", "Row", "Message"), tuple(
        (Paragraph.of(f"sdtm.rule-{i % 7}", style="cell-bold"), Paragraph.of("warning", style="cell"),
         Paragraph.of(str(i + 1), style="cell"),
         (Paragraph.of("a message that runs on " * (1 + i % 3), style="cell"),
          Paragraph.of(Run("see the form", link="form"), style="annotation")))
        for i in range(rows)), widths=(0.25, 0.15, 0.1, 0.5))


def _document(rows: int) -> Document:
    return Document(title="Findings", sections=(
        Section("Form", "form", (_findings(12),), fit_page=True),
        Section("Every finding", "all", (Paragraph.of("Every finding:"), _findings(rows)), new_page=True)))


@pytest.mark.parametrize("rows", [1, 40, 400])
def test_01_same_bytes_as_reportlabs_own_table_and_paragraph(rows, monkeypatch):
    ours = render_pdf(_document(rows))
    monkeypatch.setattr(pdf, "_Table", RLTable)
    monkeypatch.setattr(pdf, "_CellParagraph", RLParagraph)
    assert render_pdf(_document(rows)) == ours


def test_02_a_long_table_runs_over_pages_with_its_header_on_each():
    reader = PdfReader(io.BytesIO(render_pdf(_document(400))))
    pages = [page.extract_text() for page in reader.pages]
    # 400 rows averaging 26 pt (two or three 9.5 pt lines and 4 pt padding) on 705 pt of text height
    assert len(pages) >= 14
    # page 1 holds the shrunk form, page 2 the list's start; every later page repeats the header
    assert all(text.split("\n")[2:6] == ["Rule", "Severity", "Row", "Message"] for text in pages[2:])
    assert "\n400\n" in pages[-1] and all("\n400\n" not in text for text in pages[:-1])
