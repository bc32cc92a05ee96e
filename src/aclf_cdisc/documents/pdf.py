"""Render a :class:`~aclf_cdisc.documents.model.Document` to PDF with reportlab.

reportlab (BSD, maintained, on the package index) writes PDF directly: embedded TrueType fonts
(the Bitstream Vera fonts reportlab ships, so text is searchable and renders the same
everywhere), an outline (bookmarks), named destinations and live internal links. With
``invariant`` set it writes no clock and no random document id, so identical input gives
identical bytes.
"""

from __future__ import annotations

import io
import os
from typing import Any
from xml.sax.saxutils import escape

import reportlab
from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.styles import ParagraphStyle as RLStyle
from reportlab.lib.units import inch
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFDictionary
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepInFrame,
    PageBreak,
    PageTemplate,
    Spacer,
    TableStyle,
)
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable
from reportlab.platypus.doctemplate import LayoutError
from reportlab.platypus.tables import _calc_pc

from aclf_cdisc.documents.model import (
    Block,
    Cell,
    Document,
    OutlineEntry,
    Paragraph,
    RunMarkup,
    Section,
    Table,
    check_document,
)

FONT, FONT_BOLD, FONT_ITALIC, FONT_BOLD_ITALIC = "Vera", "VeraBd", "VeraIt", "VeraBI"
MARGIN = 0.6 * inch
LINK_COLOR = "#1a4fa0"
ALIAS_PREFIX = "_outline"  # reportlab keys bookmark titles by destination: extra bookmarks use aliases


def _register_fonts() -> None:
    """Register the Vera TrueType family shipped inside reportlab (embedded as subsets)."""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    folder = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
    for name in (FONT, FONT_BOLD, FONT_ITALIC, FONT_BOLD_ITALIC):
        pdfmetrics.registerFont(TTFont(name, os.path.join(folder, f"{name}.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD_ITALIC)


def _styles() -> dict[str, RLStyle]:
    base = RLStyle("body", fontName=FONT, bulletFontName=FONT, fontSize=9, leading=11.5, spaceAfter=4)
    box = {"borderPadding": 2, "borderWidth": 0.5, "spaceAfter": 3}
    return {
        "body": base,
        "note": RLStyle("note", parent=base, fontName=FONT_ITALIC, fontSize=8, leading=10, textColor="#444444"),
        "person": RLStyle("person", parent=base, fontName=FONT_ITALIC, backColor="#fff3c4", borderColor="#c9a227",
                          **box),
        "banner": RLStyle("banner", parent=base, fontName=FONT_BOLD, fontSize=10, leading=13, backColor="#fff59d",
                          borderColor="#8a7a00", **box),
        "assigned": RLStyle("assigned", parent=base, fontSize=8, leading=10, backColor="#dbe9ff",
                            borderColor="#1a4fa0", **box),
        "annotation": RLStyle("annotation", parent=base, fontName=FONT_BOLD, fontSize=7.5, leading=9.5,
                              textColor="#0b3d91", spaceAfter=0),
        "not-submitted": RLStyle("not-submitted", parent=base, fontName=FONT_BOLD_ITALIC, fontSize=7.5,
                                 leading=9.5, textColor="#7a7a7a", spaceAfter=0),
        "cell": RLStyle("cell", parent=base, fontSize=7.5, leading=9.5, spaceAfter=0),
        "cell-bold": RLStyle("cell-bold", parent=base, fontName=FONT_BOLD, fontSize=7.5, leading=9.5, spaceAfter=0),
        "code": RLStyle("code", parent=base, fontSize=7.5, leading=9.5),
        "title": RLStyle("title", parent=base, fontName=FONT_BOLD, fontSize=18, leading=23, alignment=TA_CENTER,
                         spaceAfter=10),
        "subtitle": RLStyle("subtitle", parent=base, fontSize=10, leading=13, alignment=TA_CENTER),
        "h0": RLStyle("h0", parent=base, fontName=FONT_BOLD, fontSize=14, leading=18, spaceBefore=8, spaceAfter=6),
        "h1": RLStyle("h1", parent=base, fontName=FONT_BOLD, fontSize=11.5, leading=15, spaceBefore=6, spaceAfter=4),
        "h2": RLStyle("h2", parent=base, fontName=FONT_BOLD, fontSize=10, leading=13, spaceBefore=4, spaceAfter=3),
        "th": RLStyle("th", parent=base, fontName=FONT_BOLD, fontSize=7.5, leading=9.5, textColor=colors.white,
                      spaceAfter=0),
    }


MARKUP = RunMarkup(  # reportlab paragraph markup: escaped text, bold runs, internal links
    escape=escape, line_break="<br/>", bold=lambda text: f"<b>{text}</b>",
    link=lambda target, text: f'<a href="#{target}" color="{LINK_COLOR}"><u>{text}</u></a>')


class _Canvas(Canvas):
    """Writes every destination into the catalog's /Dests, so each one is a *named* destination
    (reportlab otherwise resolves them into explicit page references only)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["initialFontName"] = FONT  # no unembedded base-14 font in the file
        super().__init__(*args, **kwargs)

    def save(self) -> None:
        named = {k: v for k, v in sorted(self._destinations.items()) if not k.startswith(ALIAS_PREFIX)}
        self._doc.Catalog.Dests = PDFDictionary(named)
        super().save()


class _Heading(RLParagraph):
    """A heading that is also a named destination and a bookmark."""

    def __init__(self, title: str, style: RLStyle, anchor: str, level: int, outline: bool) -> None:
        super().__init__(escape(title), style)
        self.title, self.anchor, self.level, self.outline = title, anchor, level, outline

    def draw(self) -> None:
        self.canv.bookmarkHorizontal(self.anchor, 0, self.height + self.style.spaceBefore)
        if self.outline:
            self.canv.addOutlineEntry(self.title, self.anchor, self.level, closed=self.level > 0)
        super().draw()


class _Outline(Flowable):
    """Zero-size flowable that adds bookmarks pointing at destinations defined elsewhere."""

    def __init__(self, entries: tuple[OutlineEntry, ...]) -> None:
        super().__init__()
        self.entries = entries
        self.width = self.height = 0

    def wrap(self, *_: Any) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        count = 0

        def add(entries: tuple[OutlineEntry, ...], level: int) -> None:
            nonlocal count
            for entry in entries:
                count += 1
                alias = self.canv._bookmarkReference(f"{ALIAS_PREFIX}{count}")
                target = self.canv._bookmarkReference(entry.anchor)
                alias.fmt, alias.page = target.fmt, target.page
                self.canv.addOutlineEntry(entry.title, alias.name, level, closed=True)
                add(entry.children, level + 1)

        add(self.entries, 0)


class _CellParagraph(RLParagraph):
    """A table cell's paragraph, laid out once per width.

    reportlab lays a body cell out (``wrap``) when it measures the table, again when it splits it
    at a page end, and again to draw it, each time at the same width. A paragraph's layout depends
    on the width alone (not on the height offered), so the lines of the last ``wrap`` at that
    width are kept: the same lines, drawn the same, without breaking the text again.
    """

    _laid_out_for: float | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        if availWidth == self._laid_out_for:
            return self.width, self.height
        size = super().wrap(availWidth, availHeight)
        self._laid_out_for = availWidth
        return size


class _Table(RLTable):
    """reportlab's table, each row measured once per set of column widths.

    reportlab (without row spans) measures every row of a table whenever it is wrapped or split,
    finding the next unmeasured row and summing the rows above it for each row: quadratic in
    the rows of a long table (the list of findings). This measures the rows in one pass, with
    reportlab's own cell measure and the same arithmetic, and hands reportlab the heights: the
    same row heights, the same page breaks, the same bytes.
    """

    _argH: list[float | None]  # reportlab's: the row heights given (None: measure the row)
    _rowHeights: list[float | None]
    _measured: tuple[list[float], list[float]] | None = None

    def _calc_height(self, availHeight: float, availWidth: float, H: Any = None, W: Any = None) -> None:
        argH = self._argH
        if None not in argH or self._spanCmds or self._minRowHeights:
            return super()._calc_height(availHeight, availWidth, H, W)  # nothing to measure, or not this case
        widths = list(W or _calc_pc(self._argW, availWidth))
        if self._measured is None or self._measured[0] != widths:
            self._measured = (widths, self._row_heights(widths))
        self._argH = self._rowHeights = list[float | None](self._measured[1])
        try:
            super()._calc_height(availHeight, availWidth, H, W)
        finally:
            self._argH = argH

    def _row_heights(self, widths: list[float]) -> list[float]:
        """The height of every row: tables.Table._calc_height's measure of a table without spans
        whose cells are flowables (every cell :func:`_table` makes is a paragraph or a list of them)."""
        heights: list[float] = []
        for values, cell_styles in zip(self._cellvalues, self._cellStyles, strict=True):
            h: float = 0
            for j, (v, s, w) in enumerate(zip(values, cell_styles, widths, strict=True)):
                v = values[j] = self._cellListProcess(v, w, None)
                width, t = self._listCellGeom(v, w, s)
                if width + s.leftPadding + s.rightPadding > w and not rl_config.allowTableBoundsErrors & 1:
                    raise LayoutError(f"{self.identity(30)}: a cell of row {len(heights)} is too wide")
                t += s.bottomPadding + s.topPadding
                if t > h:
                    h = t
            heights.append(h)
        return heights


def _paragraph(p: Paragraph, styles: dict[str, RLStyle], kind: type[RLParagraph] = RLParagraph) -> RLParagraph:
    return kind(MARKUP.render(p), styles[p.style])


def _cell(cell: Cell, styles: dict[str, RLStyle]) -> Any:
    if isinstance(cell, tuple):
        return [_paragraph(p, styles, _CellParagraph) for p in cell]
    return _paragraph(cell, styles, _CellParagraph)


def _table(table: Table, styles: dict[str, RLStyle], width: float) -> RLTable:
    fractions = table.widths or tuple(1 / len(table.header) for _ in table.header)
    data = [[RLParagraph(escape(h), styles["th"]) for h in table.header]]
    data += [[_cell(c, styles) for c in row] for row in table.rows]
    result = _Table(data, colWidths=[f * width for f in fractions], repeatRows=1)
    result.setStyle(TableStyle([
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#2f4a6d")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
        ("FONT", (0, 0), (-1, -1), FONT, 7.5),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f3f6f9")]),
        ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2), ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]))
    return result


def _block(block: Block, styles: dict[str, RLStyle], width: float) -> Any:
    return _paragraph(block, styles) if isinstance(block, Paragraph) else _table(block, styles, width)


def _section(section: Section, level: int, styles: dict[str, RLStyle], width: float, height: float) -> list[Any]:
    heading = _Heading(section.title, styles[f"h{min(level, 2)}"], section.anchor, level, section.outline)
    body: list[Any] = [heading]
    for block in section.blocks:
        body.append(_block(block, styles, width))
        if isinstance(block, Table):
            body.append(Spacer(1, 4))
    flow: list[Any] = [PageBreak()] if section.new_page else []
    if section.fit_page:
        flow.append(KeepInFrame(width, height - 2, body, mode="shrink"))
    else:
        flow.extend(body)
    for sub in section.subsections:
        flow.extend(_section(sub, level + 1, styles, width, height))
    return flow


def render_pdf(document: Document, *, author: str = "", subject: str = "") -> bytes:
    """The PDF bytes of ``document`` (identical bytes for an identical document)."""
    problems = check_document(document)
    if problems:
        raise ValueError("; ".join(problems))
    _register_fonts()
    styles = _styles()
    pagesize = landscape(letter) if document.landscape else letter
    buffer = io.BytesIO()
    doc = BaseDocTemplate(buffer, pagesize=pagesize, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                          bottomMargin=MARGIN, title=document.title, author=author, subject=subject,
                          creator="aclf-cdisc", producer="aclf-cdisc (reportlab)", invariant=1,
                          initialFontName=FONT, pageCompression=1)
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, id="body", leftPadding=0,
                  rightPadding=0, topPadding=0, bottomPadding=0)

    def decorate(canvas: Any, template: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.setFillColor(colors.HexColor("#555555"))
        top = pagesize[1] - MARGIN / 2
        canvas.drawString(MARGIN, top, document.title)
        canvas.drawRightString(pagesize[0] - MARGIN, top, document.subtitle[0] if document.subtitle else "")
        canvas.drawCentredString(pagesize[0] / 2, MARGIN / 2, f"Page {canvas.getPageNumber()}")
        canvas.restoreState()

    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=decorate)])
    story: list[Any] = [RLParagraph(escape(document.title), styles["title"])]
    story += [RLParagraph(escape(line), styles["subtitle"]) for line in document.subtitle]
    story.append(Spacer(1, 10))
    for section in document.sections:
        story.extend(_section(section, 0, styles, doc.width, doc.height))
    if document.extra_outline:
        story.append(_Outline(document.extra_outline))
    doc.build(story, canvasmaker=_Canvas)
    return buffer.getvalue()
