"""The document model and its two renderers: anchors, links, bookmarks, fonts, reproducible bytes."""

from __future__ import annotations

import io
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree
from pypdf import PdfReader

from aclf_cdisc.documents.html import render_html
from aclf_cdisc.documents.model import (
    Document,
    OutlineEntry,
    Paragraph,
    Run,
    Section,
    Table,
    check_document,
)
from aclf_cdisc.documents.pdf import render_pdf


def _doc() -> Document:
    row = (Paragraph.of("AETERM", style="cell"), Paragraph.of("AETERM", style="annotation"))
    table = Table(("Field", "SDTM"), (row,))
    return Document(
        title="Test guide", subtitle=("STUDY-1",),
        sections=(Section("Contents", "contents", (Paragraph.of("Go to ", Run("the form", link="form.ae"), "."),)),
                  Section("Adverse Events", "form.ae", (table,), new_page=True, fit_page=True),
                  Section("Death Details", "form.dd", (Paragraph.of("NOT SUBMITTED", style="not-submitted"),),
                          new_page=True)),
        extra_outline=(OutlineEntry("Visits", "contents", (OutlineEntry("Week 0", "form.ae"),)),),
    )


def _outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    found: list[tuple[int, str, int]] = []

    def walk(items: list, level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                found.append((level, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return found


def test_01_pdf_has_named_destinations_bookmarks_and_live_links():
    reader = PdfReader(io.BytesIO(render_pdf(_doc())))
    assert len(reader.pages) == 3
    dests = {name: reader.get_destination_page_number(d) + 1 for name, d in reader.named_destinations.items()}
    assert dests == {"/contents": 1, "/form.ae": 2, "/form.dd": 3}
    assert _outline(reader) == [(0, "Contents", 1), (0, "Adverse Events", 2), (0, "Death Details", 3),
                                (0, "Visits", 1), (1, "Week 0", 2)]
    links = [a.get_object() for a in reader.pages[0].get("/Annots", [])]
    assert [a["/Subtype"] for a in links] == ["/Link"]
    assert reader.get_page_number(links[0]["/Dest"][0].get_object()) + 1 == 2


def test_02_pdf_text_is_searchable_and_every_font_is_embedded():
    reader = PdfReader(io.BytesIO(render_pdf(_doc())))
    assert "AETERM" in reader.pages[1].extract_text()
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendant = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = descendant["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, font["/BaseFont"]


def test_03_same_document_gives_identical_bytes_and_no_clock():
    one, two = render_pdf(_doc()), render_pdf(_doc())
    assert one == two
    info = PdfReader(io.BytesIO(one)).metadata
    assert info["/CreationDate"] == info["/ModDate"] == "D:20000101000000+00'00'"


def test_04_html_is_rendered_from_the_same_source():
    page = render_html(_doc())
    assert '<h1 id="form.ae">Adverse Events</h1>' in page
    assert '<a href="#form.ae">the form</a>' in page
    assert '<p class="not-submitted">NOT SUBMITTED</p>' in page


def test_05_broken_anchors_and_links_are_refused():
    bad = Document(title="x", sections=(Section("A", "a", (Paragraph.of(Run("b", link="nowhere")),)),
                                        Section("B", "a"), Section("C", "has space")))
    assert check_document(bad) == ["anchor 'a' is defined twice", "anchor 'has space' is not a name token",
                                   "link to undefined anchor 'nowhere'"]
    with pytest.raises(ValueError, match="nowhere"):
        render_pdf(bad)


TEXT = st.text(alphabet=st.sampled_from("abcXYZ019 <>&\"'=/;%-"), min_size=1, max_size=40).filter(str.strip)


@settings(max_examples=25, deadline=None)
@given(words=st.lists(TEXT, min_size=1, max_size=4))
def test_06_any_text_survives_both_renderers(words):
    cells = tuple((Paragraph.of(w, style="cell"), Paragraph.of(w, style="annotation")) for w in words)
    doc = Document(title="T", sections=(Section("S", "s", (Paragraph.of(*words), Table(("a", "b"), cells))),))
    page = render_html(doc)
    parsed = etree.fromstring(page.split("\n", 1)[1].encode(), etree.HTMLParser())
    cell_texts = [td.xpath("string()") for td in parsed.iter("td")]
    assert cell_texts == [w for w in words for _ in range(2)]
    text = re.sub(r"\s+", "", PdfReader(io.BytesIO(render_pdf(doc))).pages[0].extract_text())
    for word in words:
        assert re.sub(r"\s+", "", word) in text


def test_both_renderers_read_runs_through_one_markup_with_their_own_syntax():
    from aclf_cdisc.documents.html import RUNS
    from aclf_cdisc.documents.pdf import MARKUP

    paragraph = Paragraph.of('a<b & "c"\nd ', Run("e", link="form.ae", bold=True), Run(" f", bold=True))
    assert RUNS.render(paragraph) == ('a&lt;b &amp; &quot;c&quot;<br>d <a href="#form.ae"><b>e</b></a><b> f</b>')
    assert MARKUP.render(paragraph) == ('a&lt;b &amp; "c"<br/>d <a href="#form.ae" color="#1a4fa0"><u><b>e</b></u></a>'
                                        '<b> f</b>')
    html = render_html(Document(title="T", sections=(Section("A", "form.ae", (paragraph,)),)))
    assert f'<p class="body">{RUNS.render(paragraph)}</p>' in html
