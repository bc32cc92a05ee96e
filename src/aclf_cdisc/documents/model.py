"""One document model for every generated document: the PDF and the HTML renderer read only this.

A :class:`Document` is a title block and a list of :class:`Section` objects; a section holds
blocks (:class:`Paragraph`, :class:`Table`) and names the destination (anchor) that bookmarks,
links and the define's page references point at. Text is plain: markup is the renderer's job, so
one source gives the same words in the PDF and in HTML.

>>> doc = Document(title="Guide", sections=(Section(title="Intro", anchor="intro",
...     blocks=(Paragraph.of("See ", Run("the tables", link="tables"), "."),)),))
>>> [s.anchor for s in doc.sections], doc.sections[0].blocks[0].plain
(['intro'], 'See the tables.')
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

ParagraphStyle = Literal["body", "note", "person", "banner", "assigned", "annotation", "not-submitted",
                         "cell", "cell-bold", "code", "title", "subtitle"]

ANCHOR = re.compile(r"^[A-Za-z][A-Za-z0-9._-]*$")


@dataclass(frozen=True)
class Run:
    """A piece of text; ``link`` names a destination (a section anchor) it jumps to."""

    text: str
    link: str | None = None
    bold: bool = False


@dataclass(frozen=True)
class Paragraph:
    runs: tuple[Run, ...]
    style: ParagraphStyle = "body"

    @classmethod
    def of(cls, *parts: str | Run, style: ParagraphStyle = "body") -> Paragraph:
        return cls(tuple(Run(p) if isinstance(p, str) else p for p in parts), style)

    @property
    def plain(self) -> str:
        return "".join(r.text for r in self.runs)


@dataclass(frozen=True)
class RunMarkup:
    """How a renderer marks up inline runs: its text escape, line break, bold and link wrappers.

    :meth:`render` is the one reading of a paragraph's runs both renderers share; each supplies
    only its own syntax (reportlab paragraph markup for the PDF, HTML for the page).

    >>> tags = RunMarkup(escape=str.upper, line_break="|", bold=lambda t: f"*{t}*",
    ...                  link=lambda target, t: f"[{t}](#{target})")
    >>> tags.render(Paragraph.of("a\\nb ", Run("c", link="x", bold=True)))
    'A|B [*C*](#x)'
    """

    escape: Callable[[str], str]
    line_break: str
    bold: Callable[[str], str]
    link: Callable[[str, str], str]  # (target anchor, marked-up text) -> linked text

    def run(self, run: Run) -> str:
        """One run: escaped text with its line breaks, then bold, then the link around it."""
        text = self.escape(run.text).replace("\n", self.line_break)
        if run.bold:
            text = self.bold(text)
        if run.link:
            text = self.link(run.link, text)
        return text

    def render(self, paragraph: Paragraph) -> str:
        """Every run of ``paragraph``, marked up and joined."""
        return "".join(self.run(r) for r in paragraph.runs)


Cell = Paragraph | tuple[Paragraph, ...]


@dataclass(frozen=True)
class Table:
    """A table with a header row; ``widths`` are fractions of the text width (sum 1)."""

    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    widths: tuple[float, ...] | None = None


Block = Paragraph | Table


@dataclass(frozen=True)
class Section:
    """A heading, its blocks and its subsections.

    ``anchor`` is the named destination of the heading (PDF) and its element id (HTML).
    ``new_page`` starts the section on a new page; ``fit_page`` shrinks it to exactly one page.
    """

    title: str
    anchor: str
    blocks: tuple[Block, ...] = ()
    subsections: tuple[Section, ...] = ()
    new_page: bool = False
    fit_page: bool = False
    outline: bool = True  # listed in the PDF bookmarks


@dataclass(frozen=True)
class OutlineEntry:
    """An extra bookmark (beside the section tree) pointing at an existing anchor."""

    title: str
    anchor: str
    children: tuple[OutlineEntry, ...] = ()


@dataclass(frozen=True)
class Document:
    title: str
    sections: tuple[Section, ...]
    subtitle: tuple[str, ...] = ()
    extra_outline: tuple[OutlineEntry, ...] = ()  # appended after the section bookmarks
    landscape: bool = False


def walk(sections: tuple[Section, ...], level: int = 0) -> list[tuple[int, Section]]:
    """Every section with its depth, in reading order."""
    found: list[tuple[int, Section]] = []
    for section in sections:
        found.append((level, section))
        found.extend(walk(section.subsections, level + 1))
    return found


def anchors(document: Document) -> list[str]:
    """Every destination the document defines, in reading order."""
    return [s.anchor for _, s in walk(document.sections)]


def links(document: Document) -> list[str]:
    """Every destination a run or a bookmark points at."""
    found: list[str] = []

    def from_block(block: Block) -> None:
        paragraphs: list[Paragraph] = []
        if isinstance(block, Paragraph):
            paragraphs.append(block)
        else:
            for row in block.rows:
                for cell in row:
                    paragraphs.extend(cell if isinstance(cell, tuple) else (cell,))
        found.extend(r.link for p in paragraphs for r in p.runs if r.link)

    for _, section in walk(document.sections):
        for block in section.blocks:
            from_block(block)

    def from_outline(entries: tuple[OutlineEntry, ...]) -> None:
        for entry in entries:
            found.append(entry.anchor)
            from_outline(entry.children)

    from_outline(document.extra_outline)
    return found


def check_document(document: Document) -> list[str]:
    """Problems that would make a broken PDF: bad or duplicate anchors, links to nothing."""
    problems = []
    defined = anchors(document)
    seen: set[str] = set()
    for anchor in defined:
        if not ANCHOR.match(anchor):
            problems.append(f"anchor {anchor!r} is not a name token")
        if anchor in seen:
            problems.append(f"anchor {anchor!r} is defined twice")
        seen.add(anchor)
    problems += [f"link to undefined anchor {target!r}" for target in links(document) if target not in seen]
    return problems


def number_sections(sections: tuple[Section, ...], prefix: str = "") -> tuple[Section, ...]:
    """Sections with their titles numbered 1, 1.1, 1.1.1 ... (the PHUSE guides' numbering).

    >>> [s.title for s in number_sections((Section("Intro", "a", subsections=(Section("Purpose", "b"),)),))]
    ['1 Intro']
    >>> number_sections((Section("Intro", "a", subsections=(Section("Purpose", "b"),)),))[0].subsections[0].title
    '1.1 Purpose'
    """
    numbered = []
    for i, section in enumerate(sections, start=1):
        number = f"{prefix}{i}"
        numbered.append(replace(section, title=f"{number} {section.title}",
                                subsections=number_sections(section.subsections, f"{number}.")))
    return tuple(numbered)
