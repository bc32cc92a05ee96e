"""The annotated CRF from the specs: every form on its page, fields annotated per the aCRF
conventions, and the layout the define cites agrees with the rendered PDF."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from aclf_cdisc.contents.acrf import FIRST_FORM_PAGE, acrf_layout
from aclf_cdisc.documents.acrf import NOT_SUBMITTED, acrf_document
from aclf_cdisc.documents.pdf import render_pdf
from aclf_cdisc.spec import load_spec

REPO_SPECS = Path(__file__).resolve().parents[2] / "specs"


@pytest.fixture(scope="module")
def spec():
    return load_spec(REPO_SPECS)


@pytest.fixture(scope="module")
def layout(spec):
    return acrf_layout(spec)


@pytest.fixture(scope="module")
def pdf(spec, layout):
    return PdfReader(io.BytesIO(render_pdf(acrf_document(spec, layout))))


def _notes(layout, form: str) -> dict[str, list[str]]:
    page = layout.form(form)
    main = page.datasets[0]
    return {f.column.name: [t.text(main, None) for t in f.targets] or [NOT_SUBMITTED] for f in page.fields}


def test_01_every_crf_form_has_one_page_and_the_irt_transfers_none(spec, layout):
    crf = sorted(f.name for f in spec.raw_forms.values() if f.crf)
    assert sorted(p.form.name for p in layout.forms) == crf
    assert len(crf) == 11 and {"irt_rand", "irt_kits"} & set(crf) == set()
    assert [p.page for p in layout.forms] == list(range(FIRST_FORM_PAGE, FIRST_FORM_PAGE + 11))
    assert [p.form.name for p in layout.forms] == ["dm", "ic", "ie", "cla", "lb", "sv", "ex",
                                                   "ae", "dd", "eos", "ltx"]


def test_02_fields_are_annotated_in_the_usual_conventions(layout):
    assert layout.form("ic").datasets == ("DS", "SUPPDS", "DM")
    assert _notes(layout, "ic") == {"DSSTDAT": ["RFICDTC in DM", "DSSTDTC"], "ICVER": ["ICVER in SUPPDS"]}
    assert _notes(layout, "cla")["ASCITES"] == ["RSORRES where RSTESTCD = CPS0102"]
    # the infusion log is EC as collected (given or not, with the reason and the volume); EX is
    # derived from the infusions given
    assert layout.form("ex").datasets == ("EC", "EX")
    assert _notes(layout, "ex")["EXYN"] == ["ECOCCUR"]
    assert _notes(layout, "ex")["EXREASND"] == ["ECREASOC"]
    assert _notes(layout, "ex")["EXVOL"] == ["ECDOSE"]
    assert _notes(layout, "ex")["EXSTTIM"] == ["ECSTDTC", "EXSTDTC in EX"]
    assert _notes(layout, "dd") == {"DTHDAT": ["DTHDTC"], "DDORRES": [NOT_SUBMITTED]}
    assert layout.form("ex").assigned == (("ECTRT", "hUC-MSC OR PLACEBO"), ("ECPRESP", "Y"),  # EC is blinded
                                          ("ECDOSFRM", "INJECTION"), ("ECDOSFRQ", "ONCE"),
                                          ("ECROUTE", "INTRAVENOUS"))
    assert layout.form("dm").assigned == (("COUNTRY", "CHN"),)
    assert layout.form("dd").assigned == ()  # DM's hard-coded values are on its home form only
    lbtest = next(f for f in layout.form("lb").fields if f.column.name == "LBTEST")
    assert dict(lbtest.options)["Total Bilirubin"] == "BILI"
    assert dict(lbtest.options)["INR"] is None  # the CRF text is the code
    # the subject header is annotated on Demographics only
    assert layout.header_form == "dm"
    assert layout.form("ae").header_fields == ("STUDYID", "SITEID", "SUBJID")
    assert _notes(layout, "dm")["SUBJID"] == ["SUBJID"]


def test_03_visit_bookmarks_follow_the_form_visits(layout):
    visits = dict(layout.visits)
    assert visits["Screening"] == ("dm", "ic", "ie", "cla", "lb", "sv")
    assert visits["Week 4"] == ("cla", "lb", "sv", "ex")
    assert visits["Week 3"] == ("cla", "lb", "sv")
    assert visits["Log forms (any time)"] == ("ae", "dd", "eos", "ltx")


def test_04_every_collected_crf_origin_has_a_page(spec, layout):
    missing = []
    for ds in spec.by_standard("SDTM"):
        for var in ds.variables:
            crf = var.origin.type == "Collected" and var.origin.source in {"Investigator", "Subject"}
            if crf and not layout.pages_for(ds.name, var.name):
                missing.append(f"{ds.name}.{var.name}")
        for row in ds.value_level:
            crf = row.origin.type == "Collected" and row.origin.source in {"Investigator", "Subject"}
            if crf and not layout.pages_for(ds.name, row.variable, row.where.oid):
                missing.append(f"{ds.name}.{row.variable} {row.where.oid}")
    assert missing == []
    assert layout.pages_for("DS", "DSSTDTC") == (3, 4, 11)  # ic, ie, eos (the IRT date is no CRF page)
    assert layout.pages_for("SUPPDS", "QVAL", "WC.SUPPDS.QNAM.ICVER") == (3,)
    assert layout.pages_for("LB", "LBORRES", "WC.LB.LBTESTCD.BILI") == (6,)  # the parent's field


def test_05_the_pdf_has_the_pages_destinations_and_annotations_of_the_layout(layout, pdf):
    assert len(pdf.pages) == layout.page_count == 12
    dests = {name: pdf.get_destination_page_number(d) + 1 for name, d in pdf.named_destinations.items()}
    for page in layout.forms:
        assert dests[f"/{page.anchor}"] == page.page
        text = re.sub(r"\s+", "", pdf.pages[page.page - 1].extract_text())
        assert re.sub(r"\s+", "", page.form.label) in text
        for field in page.fields:
            assert field.column.name in text
            for target in field.targets:
                assert re.sub(r"\s+", "", target.text(page.datasets[0], None)) in text or target.variable in text
        if not all(f.submitted for f in page.fields):
            assert NOT_SUBMITTED.replace(" ", "") in text


def test_06_bookmarks_by_form_and_by_visit(layout, pdf):
    top = [item for item in pdf.outline if not isinstance(item, list)]
    assert [i.title for i in top] == ["Contents", *[f"{p.form.label} ({p.form.name})" for p in layout.forms],
                                      "Visits"]
    visits = pdf.outline[-1]
    titles = [i.title for i in visits if not isinstance(i, list)]
    assert titles == [v for v, _ in layout.visits]
    week4 = visits[titles.index("Week 4") * 2 + 1]
    assert [(i.title, pdf.get_destination_page_number(i) + 1) for i in week4] == [
        ("Clinical Liver Assessment", 5), ("Local Laboratory", 6), ("Visit Dates", 7), ("Infusion Log", 8)]
