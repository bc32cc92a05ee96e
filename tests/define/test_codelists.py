"""Codelists classified as Define-XML 2.1 wants: CDISC CT (with its package), external, sponsor."""

from __future__ import annotations

import pickle
from pathlib import Path

from lxml import etree

from aclf_cdisc.define.codelists import codelist_element, ct_packages
from aclf_cdisc.define.common import XP_NS
from aclf_cdisc.spec import load_spec
from aclf_cdisc.spec.model import Codelist, Term

REPO_SPECS = Path(__file__).resolve().parents[2] / "specs"


def _x(el, query):
    return el.xpath(query, namespaces=XP_NS)


def test_the_three_kinds_are_written_differently():
    cdisc = Codelist("CL.EPOCH", "Epoch", "text", (Term("SCREENING", nci_code="C202487"),
                                                   Term("TREATMENT 1", extended=True)),
                     nci_code="C99079", extensible=True, ct="SDTM")
    el = codelist_element(cdisc, {"SCREENING", "TREATMENT 1"})
    assert el.get("{http://www.cdisc.org/ns/def/v2.1}StandardOID") == "STD.CT.SDTM"
    assert _x(el, "odm:EnumeratedItem[@CodedValue='SCREENING']/odm:Alias/@Name") == ["C202487"]
    assert _x(el, "odm:EnumeratedItem[@def:ExtendedValue='Yes']/@CodedValue") == ["TREATMENT 1"]
    assert _x(el, "odm:EnumeratedItem[@def:ExtendedValue='Yes']/odm:Alias") == []
    assert _x(el, "odm:Alias/@Name") == ["C99079"]

    sponsor = Codelist("CL.TRT", "Treatment", "text", (Term("Placebo"), Term("hUC-MSC")))
    el = codelist_element(sponsor, {"Placebo"})
    assert el.get("{http://www.cdisc.org/ns/def/v2.1}IsNonStandard") == "Yes"
    assert el.get("{http://www.cdisc.org/ns/def/v2.1}StandardOID") is None
    assert _x(el, "odm:EnumeratedItem/@CodedValue") == ["Placebo"]
    assert _x(el, ".//@def:ExtendedValue | .//odm:Alias") == []

    iso = Codelist("CL.COUNTRY", "Country", "text", (Term("CHN"),),
                   external={"dictionary": "ISO 3166-1 alpha-3", "version": "2020"})
    el = codelist_element(iso, {"CHN"})
    assert etree.QName(el[0]).localname == "ExternalCodeList" and len(el) == 1
    assert (el[0].get("Dictionary"), el[0].get("Version")) == ("ISO 3166-1 alpha-3", "2020")
    assert ct_packages({c.oid: c for c in (cdisc, sponsor, iso)}, ["CL.EPOCH", "CL.TRT", "CL.COUNTRY"]) == {"SDTM"}


def test_adam_ct_codelists_in_the_spec_match_the_adam_ct_release(shared):
    release = pickle.loads((shared / "core-cache" / "adamct-2025-03-28.pkl").read_bytes())
    adam = {c["conceptId"]: c for c in release["codelists"]}
    spec = load_spec(REPO_SPECS)
    assert spec.study.ct_versions["ADaM"] == "2025-03-28"
    lists = [c for c in spec.codelists.values() if c.ct == "ADaM"]
    assert sorted(c.oid for c in lists) == ["CL.DATEFL", "CL.EOSSTT", "CL.PARAMTYP"]
    for cl in lists:
        ref = adam[cl.nci_code]
        assert ref["extensible"] == cl.extensible, cl.oid
        codes = {t["submissionValue"]: t["conceptId"] for t in ref["terms"]}
        assert {t.submission_value: t.nci_code for t in cl.terms} == {
            t.submission_value: codes[t.submission_value] for t in cl.terms}, cl.oid


def test_spec_classification(shared):
    spec = load_spec(REPO_SPECS)
    kinds = {c.oid: c.kind for c in spec.codelists.values()}
    assert (kinds["CL.IECAT"], spec.codelists["CL.IECAT"].nci_code) == ("cdisc", "C66797")
    assert kinds["CL.COUNTRY"] == kinds["CL.MEDDRA"] == "external"
    assert kinds["CL.TRT"] == kinds["CL.AVISIT"] == "sponsor"
    assert spec.codelists["CL.NY"].ct == spec.codelists["CL.SEX"].ct == "SDTM"
    # extended terms only on extensible CDISC codelists
    extended = {c.oid for c in spec.codelists.values() if any(t.extended for t in c.terms)}
    assert extended == {"CL.EPOCH", "CL.NCOMPLT", "CL.PRTRT", "CL.DICTNAM"}
    assert all(spec.codelists[o].kind == "cdisc" and spec.codelists[o].extensible for o in extended)


def test_an_extended_term_on_a_sponsor_codelist_is_a_spec_error(tmp_path):
    import shutil

    import pytest

    from aclf_cdisc.errors import SpecError

    copy = tmp_path / "specs"
    shutil.copytree(REPO_SPECS, copy)
    text = (copy / "codelists.yaml").read_text("utf-8")
    text = text.replace("  - {value: NOT RELATED}", "  - {value: NOT RELATED, extended: true}", 1)
    (copy / "codelists.yaml").write_text(text, "utf-8")
    with pytest.raises(SpecError) as raised:
        load_spec(copy)
    assert [i.rule for i in raised.value.issues] == ["spec.term-extended-not-cdisc"]
