"""The documents of a real build: written where the defines expect them, every define link
resolves inside the package, the guides carry every dataset and every remaining finding, and a
page of each document renders to PNG."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import unquote

import pytest
from lxml import etree
from pypdf import PdfReader

from aclf_cdisc.checks.explanations import spec_explanations
from aclf_cdisc.documents.write import build_documents
from aclf_cdisc.package.build import BuildOptions, build_package
from aclf_cdisc.package.layout import adam_dir, adam_programs_dir, sdtm_dir
from aclf_cdisc.spec import load_spec

REPO_SPECS = Path(__file__).resolve().parents[2] / "specs"
NS = {"odm": "http://www.cdisc.org/ns/odm/v1.3", "def": "http://www.cdisc.org/ns/def/v2.1",
      "xlink": "http://www.w3.org/1999/xlink"}
HREF = f"{{{NS['xlink']}}}href"


@pytest.fixture(scope="module")
def spec():
    return load_spec(REPO_SPECS)


@pytest.fixture(scope="module")
def built(tmp_path_factory, shared):
    out = tmp_path_factory.mktemp("outputs")
    return build_package(BuildOptions(spec_root=REPO_SPECS, out_dir=out,
                                      schema_dir=shared / "schemas" / "define-xml-2.1"))


@pytest.fixture(scope="module")
def folders(built, spec):
    studyid = spec.study.studyid
    return {"SDTM": sdtm_dir(built.out_dir, studyid), "ADaM": adam_dir(built.out_dir, studyid),
            "programs": adam_programs_dir(built.out_dir, studyid)}


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _text(path: Path) -> str:
    return _squash("".join(page.extract_text() for page in PdfReader(path).pages))


def test_01_documents_are_written_where_the_defines_cite_them(folders):
    assert sorted(p.name for p in folders["SDTM"].glob("*.pdf")) == ["acrf.pdf", "csdrg.pdf"]
    assert sorted(p.name for p in folders["ADaM"].glob("*.pdf")) == ["adrg.pdf"]
    programs = sorted(p.name for p in folders["programs"].iterdir())
    assert programs and all(name.endswith(".txt") for name in programs)
    assert {"adam_adsl.txt", "adam_derivations_compute_meld.txt", "spec_adam_adsl_yaml.txt",
            "spec_methods_yaml.txt"} <= set(programs)
    meld = (folders["programs"] / "adam_derivations_compute_meld.txt").read_text()
    assert "def compute_meld" in meld


def test_02_every_link_of_both_defines_resolves_inside_the_package(built, folders):
    checked = {"leaf": 0, "PhysicalRef": 0, "NamedDestination": 0}
    root = built.out_dir.resolve()
    for standard in ("SDTM", "ADaM"):
        folder = folders[standard]
        tree = etree.parse(str(folder / "define.xml"))
        leaves = {leaf.get("ID"): (folder / unquote(leaf.get(HREF))).resolve()
                  for leaf in tree.iterfind(".//def:leaf", NS)}
        for leaf_id, target in leaves.items():
            assert target.is_file(), f"{standard} leaf {leaf_id} -> {target}"
            assert root in target.parents, f"{leaf_id} points outside the package"
            checked["leaf"] += 1
        for ref in tree.iterfind(".//def:DocumentRef", NS):
            assert ref.get("leafID") in leaves
        readers: dict[Path, PdfReader] = {}
        for ref in tree.iterfind(".//def:DocumentRef", NS):
            for page_ref in ref.iterfind("def:PDFPageRef", NS):
                target = leaves[ref.get("leafID")]
                reader = readers.setdefault(target, PdfReader(target))
                kind = page_ref.get("Type")
                item = ref.getparent().getparent()
                name = item.get("Name")
                for token in page_ref.get("PageRefs").split():
                    if kind == "PhysicalRef":
                        number = int(token)
                        assert 1 <= number <= len(reader.pages)
                        # the cited page annotates the variable (a SUPP-- QVAL as "QNAM in SUPP--")
                        text = _squash(reader.pages[number - 1].extract_text())
                        dataset = item.get("OID").split(".")[1]
                        wanted = f"in{dataset}" if name == "QVAL" else name
                        assert wanted in text, (item.get("OID"), number)
                    else:
                        assert f"/{token}" in reader.named_destinations
                    checked[kind] += 1
    assert checked["leaf"] >= 3 + 20
    assert checked["PhysicalRef"] >= 57


def test_03_every_crf_collected_origin_in_the_sdtm_define_cites_the_acrf(folders):
    tree = etree.parse(str(folders["SDTM"] / "define.xml"))
    collected = tree.xpath(".//def:Origin[@Type='Collected']", namespaces=NS)
    without = [o.getparent().get("OID") for o in collected if o.find("def:DocumentRef/def:PDFPageRef", NS) is None]
    assert len(collected) - len(without) == 63  # 57 before EC, which adds ECSTDTC/ECENDTC/ECOCCUR/...
    assert without == ["IT.DS.DSREFID"]  # the IRT randomization number: a vendor transfer, no CRF page
    origin = tree.xpath(".//odm:ItemDef[@OID='IT.AE.AETERM']/def:Origin/def:DocumentRef/def:PDFPageRef",
                        namespaces=NS)[0]
    assert (origin.get("Type"), origin.get("PageRefs")) == ("PhysicalRef", "9")


def test_04_adam_methods_link_the_program_that_implements_them(folders):
    tree = etree.parse(str(folders["ADaM"] / "define.xml"))
    refs = tree.xpath(".//odm:MethodDef[@OID='MT.ADLB.MELD']/def:DocumentRef/@leafID", namespaces=NS)
    leaf = tree.xpath(f".//def:leaf[@ID='{refs[0]}']", namespaces=NS)[0]
    assert leaf.get(HREF) == "../programs/adam_derivations_compute_meld.txt"


def test_05_the_guides_list_every_dataset_with_its_records(built, spec, folders):
    csdrg, adrg = _text(folders["SDTM"] / "csdrg.pdf"), _text(folders["ADaM"] / "adrg.pdf")
    for standard, text in (("SDTM", csdrg), ("ADaM", adrg)):
        for dataset in spec.by_standard(standard):
            assert _squash(f"{dataset.name}({dataset.label})") in text, dataset.name
            assert _squash(f"Records:{len(built.datasets[dataset.name])}") in text, dataset.name
    for dataset in spec.by_standard("ADaM"):
        for var in dataset.variables:
            if var.method in {"MT.ADLB.MELD", "MT.ADAE.TRTEMFL", "MT.ADLB.CTP", "MT.ADLB.AVISIT"}:
                assert _squash(spec.methods[var.method].description) in adrg, var.method
    # the two-stage design: every TA branch and the partial path
    for row in spec.study.trial_arms:
        if row.get("TABRANCH"):
            assert _squash(row["TABRANCH"]) in csdrg
    assert _squash("partial multi-stage path (not a TA arm)") in csdrg


def test_06_the_guides_list_every_finding_left_in_the_build(built, spec, folders):
    csdrg, adrg = _text(folders["SDTM"] / "csdrg.pdf"), _text(folders["ADaM"] / "adrg.pdf")
    remaining = [i for i in built.issues if i.severity != "error"]
    assert len(remaining) >= 35
    for issue in remaining:
        assert _squash(issue.message) in csdrg + adrg, issue.rule
    duplicates = [i for i in remaining if i.rule == "sdtm.duplicate-record"]
    assert _squash(f"Duplicate entries: {len(duplicates)} raw record(s)") in csdrg
    assert _squash("To be written by the study team") in csdrg
    # the study's written explanation of the remaining rule is quoted, not retyped (study.yaml)
    explanation = spec_explanations(spec)["sdtm.duplicate-record/LB"]
    assert _squash(explanation) in csdrg


def test_07_documents_are_byte_reproducible_from_the_same_build_results(built, spec, folders):
    again = build_documents(spec, built.datasets, built.issues)
    from aclf_cdisc.documents.pdf import render_pdf

    for role, (standard, document) in again.items():
        written = (folders[standard] / f"{role}.pdf").read_bytes()
        assert render_pdf(document, author=spec.study.sponsor, subject=spec.study.studyid) == written, role


def test_08_a_page_of_each_document_renders_to_png(folders, tmp_path):
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    for pdf, page in ((folders["SDTM"] / "acrf.pdf", 9), (folders["SDTM"] / "csdrg.pdf", 2),
                      (folders["ADaM"] / "adrg.pdf", 8)):
        prefix = tmp_path / pdf.stem
        subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", str(page), "-l", str(page), "-singlefile",
                        str(pdf), str(prefix)], check=True)
        png = prefix.with_suffix(".png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000


def test_08_a_rule_found_thousands_of_times_lists_its_first_fifty(built, spec):
    # a large study drops thousands of duplicate raw records, one finding each: the guide counts
    # them all in its summary and lists the first 50, pointing to the validation report for the rest
    from dataclasses import replace

    from aclf_cdisc.documents.guides import LISTED_PER_RULE
    from aclf_cdisc.documents.model import Paragraph, Table, walk

    duplicate = next(i for i in built.issues if i.rule == "sdtm.duplicate-record")
    many = [*built.issues, *(replace(duplicate, row=100_000 + n) for n in range(200))]
    total = sum(1 for i in many if i.rule == "sdtm.duplicate-record")
    _, csdrg = build_documents(spec, built.datasets, many)["csdrg"]
    listed = next(s for _, s in walk(csdrg.sections) if s.title.endswith("Every Remaining Finding"))
    rows = [row for block in listed.blocks if isinstance(block, Table) for row in block.rows]
    assert LISTED_PER_RULE == 50 and total > 200
    assert sum(1 for row in rows if row[0].plain == "sdtm.duplicate-record") == 50
    notes = [block.plain for block in listed.blocks if isinstance(block, Paragraph)]
    assert notes == [f"{total - 50} more finding(s) of the rules above are not listed here (the first 50 of each rule "
                     "are): the validation report (validation.csv) lists every one."]
    summary = next(s for _, s in walk(csdrg.sections) if s.title.endswith("Issues Summary"))
    counts = {row[0].plain: row[3].plain for block in summary.blocks if isinstance(block, Table) for row in block.rows}
    assert counts["sdtm.duplicate-record"] == str(total)
