"""Method, comment and origin texts are written for a reviewer: no file names, program paths or
build vocabulary (a reviewer has the define, the datasets and the reviewer's guides, nothing else)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree

from aclf_cdisc.define.common import XP_NS
from aclf_cdisc.spec import load_spec

REPO_SPECS = Path(__file__).resolve().parents[2] / "specs"

FILE_NAME = re.compile(r"\b[\w-]+\.(?:ya?ml|py|csv|json|sas|xsl|txt|toml)\b", re.I)
PROGRAM_PATH = re.compile(r"\baclf_cdisc\b|\b[a-z_]+\.[a-z_]+\.[a-z_]+\b|\b\w+\(\)")
JARGON = re.compile(r"\bbuild report\b|\bthe build\b|\bbuild time\b|\bspecs?\b|\bspecification\b|\bpipeline\b"
                    r"|\bsimulat\w*|\bconventions\.\w+|\bstudy\.yaml\b|\bwarning\b", re.I)


def jargon_in(text: str) -> list[str]:
    """Every file name, program path and internal term in ``text``."""
    return [m.group(0) for pattern in (FILE_NAME, PROGRAM_PATH, JARGON) for m in pattern.finditer(text)]


@pytest.mark.parametrize(("text", "found"), [
    ("Factors are data in study.yaml (conventions.lab_units).", ["study.yaml", "conventions.lab_units",
                                                                "study.yaml"]),
    ("declared in the program tte_sources.py", ["tte_sources.py"]),
    ("aclf_cdisc.sdtm.dates.iso_datetime", ["aclf_cdisc", "sdtm.dates.iso_datetime"]),
    ("listed as a warning in the build report", ["warning", "the build"]),
    ("a partial date stops the build", ["the build"]),
    ("RANDDT = date of DS.DSSTDTC, e.g. 2024-01-05; i.e. the first; ic.DSSTDAT on the CRF", []),
])
def test_the_scanner_finds_what_it_should(text, found):
    assert sorted(jargon_in(text)) == sorted(found)


def test_method_and_comment_texts_in_the_specs_speak_to_a_reviewer():
    spec = load_spec(REPO_SPECS)
    texts = {f"method {m.oid}": f"{m.name}. {m.description}" for m in spec.methods.values()}
    texts.update({f"comment {c.oid}": c.description for c in spec.comments.values()})
    for ds in spec.datasets.values():
        for var in ds.variables:
            if var.origin.description:
                texts[f"origin {ds.name}.{var.name}"] = var.origin.description
    assert len(texts) > 100
    assert {where: jargon_in(text) for where, text in texts.items() if jargon_in(text)} == {}


def scan_define(tree: etree._ElementTree) -> dict[str, list[str]]:
    """Jargon in every Description and FormalExpression of a define, by the OID of its owner."""
    found = {}
    for el in tree.xpath("//odm:Description/odm:TranslatedText | //odm:FormalExpression", namespaces=XP_NS):
        owner = el.getparent() if etree.QName(el).localname == "TranslatedText" else el
        holder = owner.getparent()
        while holder is not None and holder.get("OID") is None:
            holder = holder.getparent()
        hits = jargon_in(el.text or "")
        if hits:
            found[holder.get("OID") if holder is not None else "?"] = hits
    return found


def test_defines_have_no_formal_expression_naming_programs(sdtm_tree, adam_tree):
    for tree in (sdtm_tree, adam_tree):
        assert tree.xpath("//odm:FormalExpression", namespaces=XP_NS) == []
