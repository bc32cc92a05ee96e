"""Render a :class:`~aclf_cdisc.documents.model.Document` as one self-contained HTML page.

Same source as the PDF: section anchors become element ids, links become ``#anchor`` links and
the extra bookmarks become a navigation list.

>>> from aclf_cdisc.documents.model import Document, Paragraph, Run, Section
>>> page = render_html(Document(title="G", sections=(Section("A", "a", (Paragraph.of(Run("x", link="a")),)),)))
>>> '<h1 id="a">A</h1>' in page, '<a href="#a">x</a>' in page
(True, True)
"""

from __future__ import annotations

from html import escape

from aclf_cdisc.documents.model import Block, Cell, Document, OutlineEntry, Paragraph, RunMarkup, Section, Table

CSS = """
body{font-family:"DejaVu Sans","Bitstream Vera Sans",Verdana,sans-serif;font-size:13px;max-width:1100px;
margin:2em auto;color:#111}
h1,h2,h3{color:#1f3550}table{border-collapse:collapse;width:100%;margin:.5em 0 1em}
th{background:#2f4a6d;color:#fff;text-align:left}th,td{border:1px solid #9aa5b1;padding:2px 4px;vertical-align:top}
tr:nth-child(even) td{background:#f3f6f9}.title{text-align:center}.subtitle{text-align:center;margin:0}
.note{font-style:italic;color:#444;font-size:12px}
.person{font-style:italic;background:#fff3c4;border:1px solid #c9a227;padding:3px}
.banner{font-weight:bold;background:#fff59d;border:1px solid #8a7a00;padding:3px}
.assigned{background:#dbe9ff;border:1px solid #1a4fa0;padding:3px;font-size:12px}
.annotation{font-weight:bold;color:#0b3d91;margin:0}.not-submitted{font-weight:bold;font-style:italic;color:#7a7a7a;margin:0}
.cell,.cell-bold,.code{margin:0}.cell-bold{font-weight:bold}section.page{border-top:2px solid #2f4a6d;margin-top:2em}
"""


RUNS = RunMarkup(escape=escape, line_break="<br>", bold=lambda text: f"<b>{text}</b>",
                 link=lambda target, text: f'<a href="#{escape(target)}">{text}</a>')


def _paragraph(paragraph: Paragraph) -> str:
    return f'<p class="{paragraph.style}">{RUNS.render(paragraph)}</p>'


def _cell(cell: Cell) -> str:
    return "".join(_paragraph(p) for p in (cell if isinstance(cell, tuple) else (cell,)))


def _table(table: Table) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in table.header)
    body = "".join("<tr>" + "".join(f"<td>{_cell(c)}</td>" for c in row) + "</tr>" for row in table.rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _block(block: Block) -> str:
    return _paragraph(block) if isinstance(block, Paragraph) else _table(block)


def _section(section: Section, level: int) -> str:
    tag = f"h{min(level + 1, 3)}"
    inner = [f'<{tag} id="{escape(section.anchor)}">{escape(section.title)}</{tag}>']
    inner += [_block(b) for b in section.blocks]
    inner += [_section(s, level + 1) for s in section.subsections]
    css = ' class="page"' if section.new_page else ""
    return f"<section{css}>" + "\n".join(inner) + "</section>"


def _outline(entries: tuple[OutlineEntry, ...]) -> str:
    items = "".join(f'<li><a href="#{escape(e.anchor)}">{escape(e.title)}</a>'
                    + (_outline(e.children) if e.children else "") + "</li>" for e in entries)
    return f"<ul>{items}</ul>"


def render_html(document: Document) -> str:
    """The HTML text of ``document`` (no clock, no paths: identical for an identical document)."""
    parts = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
             f"<title>{escape(document.title)}</title><style>{CSS}</style></head><body>",
             f'<h1 class="title">{escape(document.title)}</h1>']
    parts += [f'<p class="subtitle">{escape(line)}</p>' for line in document.subtitle]
    if document.extra_outline:
        parts.append(f"<nav>{_outline(document.extra_outline)}</nav>")
    parts += [_section(s, 0) for s in document.sections]
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
