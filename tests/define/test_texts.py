"""Method, comment and origin texts are written for a reviewer: no file names, program paths or
build vocabulary (a reviewer has the define, the datasets and the reviewer's guides, nothing else)."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from aclf_cdisc.define.common import XP_NS
from aclf_cdisc.define.texts import check_define_texts, internal_terms
from aclf_cdisc.spec import load_spec

REPO_SPECS = Path(__file__).resolve().parents[2] / "specs"

def jargon_in(text: str) -> list[str]:
    return internal_terms(text)


@pytest.mark.parametrize(("text", "found"), [
    ("Factors are data in study.yaml (conventions.lab_units).", ["study.yaml", "conventions.lab_units"]),
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
        for row in ds.value_level:
            for text in (row.origin.description, row.label):
                if text:
                    texts[f"value level {ds.name}.{row.variable} {row.where.oid}: {text[:20]}"] = text
    assert len(texts) > 100
    assert {where: jargon_in(text) for where, text in texts.items() if jargon_in(text)} == {}


def test_define_text_check_names_the_owner_of_each_internal_text(sdtm_tree):
    tree = copy.deepcopy(sdtm_tree)
    text = tree.xpath("//odm:MethodDef[@OID='MT.AGE']/odm:Description/odm:TranslatedText", namespaces=XP_NS)[0]
    text.text = "Computed by aclf_cdisc.sdtm.domains.dm.derive_age from study.yaml"
    issues = check_define_texts(tree)
    assert [(i.rule, i.severity, i.value) for i in issues] == [("define.text-internal", "warning", "MT.AGE")]
    assert "study.yaml" in issues[0].message and "aclf_cdisc" in issues[0].message
    assert check_define_texts(sdtm_tree) == []


def test_defines_have_no_formal_expression_naming_programs(sdtm_tree, adam_tree):
    for tree in (sdtm_tree, adam_tree):
        assert tree.xpath("//odm:FormalExpression", namespaces=XP_NS) == []
