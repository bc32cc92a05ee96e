"""Define-XML 2.1: build, schema validity, integrity checks, agreement with data, determinism, HTML."""

from __future__ import annotations

import copy
import re
from collections import Counter

import pytest
from fixture_spec import CREATED, make_datasets
from lxml import etree

from aclf_cdisc.define import (
    DatasetMeta,
    build_define,
    check_define,
    check_define_against_data,
    define_bytes,
    render_html,
    stylesheet_path,
    validate_define_schema,
    write_define,
)
from aclf_cdisc.define.common import XP_NS
from aclf_cdisc.define.schema import shipped_schema_dir

NS = XP_NS


def rules(issues):
    return sorted({i.rule for i in issues})


def xp(tree, path):
    return tree.getroot().xpath(path, namespaces=NS)


# ---------------------------------------------------------------------------- schema validity


@pytest.mark.parametrize("standard", ["SDTM", "ADaM"])
def test_generated_define_is_schema_valid(spec, schema_dir, standard):
    data = make_datasets(spec, standard)
    tree = build_define(spec, standard, data, creation_datetime=CREATED)
    assert validate_define_schema(tree, schema_dir) == []


def test_serialised_define_is_schema_valid(sdtm_tree, schema_dir, tmp_path):
    path = tmp_path / "define.xml"
    path.write_bytes(define_bytes(sdtm_tree))
    assert validate_define_schema(path, schema_dir) == []


def test_without_a_folder_the_shipped_schema_validates(sdtm_tree):
    assert validate_define_schema(sdtm_tree) == []
    broken = copy.deepcopy(sdtm_tree)
    xp(broken, "//odm:MetaDataVersion")[0].append(xp(broken, "//def:Standards")[0])
    assert rules(validate_define_schema(broken)) == ["define.schema-invalid"]


def test_the_shipped_schema_set_is_the_cdisc_one_unchanged(shared):
    shipped = shipped_schema_dir()
    reference = shared / "schemas" / "define-xml-2.1"
    names = sorted(p.relative_to(reference).as_posix() for p in reference.rglob("*.xsd"))
    assert len(names) == 12
    assert sorted(p.relative_to(shipped).as_posix() for p in shipped.rglob("*.xsd")) == names
    assert [n for n in names if (shipped / n).read_bytes() != (reference / n).read_bytes()] == []


def test_schema_folder_without_xsd_is_an_error_naming_the_schema(sdtm_tree, tmp_path):
    issues = validate_define_schema(sdtm_tree, tmp_path)
    assert rules(issues) == ["define.schema-missing"]
    assert issues[0].severity == "error" and "cdisc-define-2.1/define2-1-0.xsd" in issues[0].message


def test_schema_catches_element_order(sdtm_tree, schema_dir):
    tree = copy.deepcopy(sdtm_tree)
    mdv = xp(tree, "//odm:MetaDataVersion")[0]
    mdv.append(xp(tree, "//def:Standards")[0])  # Standards must come first
    assert rules(validate_define_schema(tree, schema_dir)) == ["define.schema-invalid"]


# ---------------------------------------------------------------------------- content


def test_odm_root_and_standards(sdtm_tree, spec):
    root = sdtm_tree.getroot()
    assert root.get("FileType") == "Snapshot"
    assert root.get("ODMVersion") == "1.3.2"
    assert root.get("CreationDateTime") == CREATED
    assert root.get("{http://www.cdisc.org/ns/def/v2.1}Context") == "Submission"
    assert xp(sdtm_tree, "string(//odm:MetaDataVersion/@def:DefineVersion)").startswith("2.1.")
    stds = {(s.get("Name"), s.get("Type"), s.get("Version"), s.get("PublishingSet"))
            for s in xp(sdtm_tree, "//def:Standard")}
    assert stds == {("SDTMIG", "IG", "3.4", None), ("CDISC/NCI", "CT", "2025-03-28", "SDTM")}
    assert xp(sdtm_tree, "//def:AnnotatedCRF/def:DocumentRef/@leafID") == ["LF.DOC.ACRF"]
    assert xp(sdtm_tree, "//def:SupplementalDoc/def:DocumentRef/@leafID") == ["LF.DOC.CSDRG"]
    pi = sdtm_tree.getroot().getprevious()
    assert pi is not None and 'href="define2-1.xsl"' in pi.text


def test_adam_standards_and_class_elements(adam_tree):
    assert sorted(xp(adam_tree, "//def:Standard/@Name")) == ["ADaMIG", "CDISC/NCI", "CDISC/NCI"]
    assert xp(adam_tree, "//def:Standard[@Type='CT']/@PublishingSet") == ["ADaM", "SDTM"]
    assert xp(adam_tree, "//odm:CodeList[@OID='CL.PARAMTYP']/@def:StandardOID") == ["STD.CT.ADaM"]
    assert xp(adam_tree, "//def:SupplementalDoc/def:DocumentRef/@leafID") == ["LF.DOC.ADRG"]
    assert xp(adam_tree, "//def:AnnotatedCRF") == []
    assert xp(adam_tree, "//odm:ItemGroupDef/@Name") == ["ADSL", "ADLB"]
    assert xp(adam_tree, "string(//odm:ItemGroupDef[@Name='ADLB']/def:Class/@Name)") == "BASIC DATA STRUCTURE"
    assert xp(adam_tree, "//odm:ItemGroupDef/@Domain") == []


def test_item_groups(sdtm_tree):
    assert xp(sdtm_tree, "//odm:ItemGroupDef/@Name") == ["TS", "DM", "AE", "LB", "SUPPDM"]
    dm = xp(sdtm_tree, "//odm:ItemGroupDef[@Name='DM']")[0]
    assert dm.get("Repeating") == "No" and dm.get("Purpose") == "Tabulation"
    assert dm.get("{http://www.cdisc.org/ns/def/v2.1}CommentOID") == "COM.DM"
    keys = {r.get("ItemOID"): r.get("KeySequence") for r in dm.xpath("odm:ItemRef[@KeySequence]", namespaces=NS)}
    assert keys == {"IT.DM.STUDYID": "1", "IT.DM.USUBJID": "2"}
    assert dm.xpath("odm:ItemRef[@ItemOID='IT.DM.AGE']/@MethodOID", namespaces=NS) == ["MT.AGE"]
    assert dm.xpath("string(def:leaf/@xlink:href)", namespaces=NS) == "dm.xpt"
    supp = xp(sdtm_tree, "//odm:ItemGroupDef[@Name='SUPPDM']")[0]
    alias = supp.xpath("odm:Alias", namespaces=NS)[0]
    assert (alias.get("Context"), alias.get("Name"), supp.get("Domain")) == ("DomainDescription", "Demographics", "DM")


def test_item_defs_carry_xpt_lengths_origins_and_pages(sdtm_tree, sdtm_data):
    lengths = {v.name: v.length for v in sdtm_data["AE"][1].variables}
    aeterm = xp(sdtm_tree, "//odm:ItemDef[@OID='IT.AE.AETERM']")[0]
    assert int(aeterm.get("Length")) == lengths["AETERM"] == len("ASCITES WORSENING")
    page = aeterm.xpath("def:Origin/def:DocumentRef/def:PDFPageRef", namespaces=NS)[0]
    assert (page.get("PageRefs"), page.get("Type")) == ("12 13", "PhysicalRef")
    assert xp(sdtm_tree, "string(//odm:ItemDef[@OID='IT.DM.RFSTDTC']/def:Origin/odm:Description)").strip() \
        == "EX.EXSTDTC"
    assert xp(sdtm_tree, "//odm:ItemDef[@OID='IT.DM.RFSTDTC']/@Length") == []  # datetime: no Length
    ages = sdtm_data["DM"][0]["AGE"].dropna()
    assert xp(sdtm_tree, "string(//odm:ItemDef[@OID='IT.DM.AGE']/@Length)") == str(len(str(int(ages.max())))) == "2"


def test_codelists_hold_only_terms_in_the_data(sdtm_tree):
    def values(oid):
        return xp(sdtm_tree, f"//odm:CodeList[@OID='{oid}']/*/@CodedValue")

    assert values("CL.SEX") == ["F", "M"]  # U is in the spec but not the data
    assert values("CL.LBTESTCD") == ["BILI", "ALB"]  # SODIUM and INR never occur
    assert values("CL.DOMAIN") == ["DM", "AE", "LB", "TS"]
    assert xp(sdtm_tree, "//odm:CodeList[@OID='CL.SEX']/odm:CodeListItem/odm:Alias/@Name") == ["C16576", "C20197"]
    assert xp(sdtm_tree, "string(//odm:CodeList[@OID='CL.SEX']/odm:Alias[@Context='nci:ExtCodeID']/@Name)") \
        == "C66731"
    assert xp(sdtm_tree, "//odm:CodeList[@OID='CL.AGEU']/odm:EnumeratedItem/@CodedValue") == ["YEARS"]
    # a sponsor codelist is non-standard; its terms are not "extended values"
    assert xp(sdtm_tree, "//odm:CodeList[@OID='CL.ARMCD']/@def:IsNonStandard") == ["Yes"]
    assert xp(sdtm_tree, "//odm:CodeList[@OID='CL.ARMCD']//@def:ExtendedValue") == []
    assert xp(sdtm_tree, "//odm:CodeList[@OID='CL.UNIT']/odm:EnumeratedItem[@def:ExtendedValue='Yes']/@CodedValue") \
        in ([], ["x ULN"])
    ext = xp(sdtm_tree, "//odm:CodeList[@OID='CL.AEDECOD']/odm:ExternalCodeList")[0]
    assert (ext.get("Dictionary"), ext.get("Version")) == ("MedDRA", "27.1")
    assert xp(sdtm_tree, "//odm:CodeList[@OID='CL.SEX']/@def:StandardOID") == ["STD.CT.SDTM"]


def test_value_level_metadata(sdtm_tree, adam_tree):
    lb = xp(sdtm_tree, "//def:ValueListDef[@OID='VL.LB.LBORRES']/odm:ItemRef/def:WhereClauseRef/@WhereClauseOID")
    assert lb == ["WC.LB.LBTESTCD.BILI", "WC.LB.LBTESTCD.ALB"]  # SODIUM has no records: dropped
    rc = xp(sdtm_tree, "//def:WhereClauseDef[@OID='WC.LB.LBTESTCD.BILI']/odm:RangeCheck")[0]
    assert (rc.get("Comparator"), rc.get("{http://www.cdisc.org/ns/def/v2.1}ItemOID"),
            rc.xpath("odm:CheckValue/text()", namespaces=NS)) == ("EQ", "IT.LB.LBTESTCD", ["BILI"])
    # one WhereClauseDef shared by LBORRES and LBSTRESN
    assert len(xp(sdtm_tree, "//def:WhereClauseDef[@OID='WC.LB.LBTESTCD.BILI']")) == 1
    assert xp(sdtm_tree, "//odm:ItemDef[@OID='IT.LB.LBORRES']/def:ValueListRef/@ValueListOID") == ["VL.LB.LBORRES"]
    # datasets in define order (TS, DM, AE, LB, SUPPDM), variables in dataset order
    assert xp(sdtm_tree, "//def:ValueListDef/@OID") == ["VL.TS.TSVAL", "VL.LB.LBORRES", "VL.LB.LBSTRESN",
                                                        "VL.SUPPDM.QVAL"]
    assert xp(sdtm_tree, "string(//odm:ItemDef[@OID='IT.SUPPDM.QVAL.RANDDT']/@DataType)") == "date"
    assert xp(adam_tree, "//def:ValueListDef[@OID='VL.ADLB.AVAL']/odm:ItemRef/@MethodOID") \
        == ["MT.ADLB.AVAL", "MT.ADLB.AVAL.MELD"]
    assert xp(adam_tree, "//def:WhereClauseDef/odm:RangeCheck/@def:ItemOID") == ["IT.ADLB.PARAMCD"] * 2


def test_only_referenced_definitions_are_written(sdtm_tree, adam_tree):
    for tree in (sdtm_tree, adam_tree):
        assert xp(tree, "//odm:MethodDef[@OID='MT.UNUSED']") == []
        assert xp(tree, "//def:CommentDef[@OID='COM.UNUSED']") == []
        assert xp(tree, "//def:leaf[@ID='LF.DOC.SAP']") == []
    assert xp(sdtm_tree, "//def:leaf[@ID='LF.DOC.CSDRG']/@xlink:href") == ["csdrg.pdf"]
    method = xp(sdtm_tree, "//odm:MethodDef[@OID='MT.AGE']")[0]
    assert method.xpath("def:DocumentRef/@leafID", namespaces=NS) == ["LF.DOC.CSDRG"]


# ---------------------------------------------------------------------------- determinism


def test_regeneration_is_byte_identical(spec):
    first = define_bytes(build_define(spec, "SDTM", make_datasets(spec, "SDTM"), creation_datetime=CREATED))
    data = make_datasets(spec, "SDTM")
    shuffled = dict(reversed(list(data.items())))
    second = define_bytes(build_define(spec, "SDTM", shuffled, creation_datetime=CREATED))
    assert first == second
    assert first.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<?xml-stylesheet")


def test_written_files_are_identical_on_rewrite(sdtm_tree, tmp_path):
    paths = write_define(sdtm_tree, tmp_path)
    assert [p.name for p in paths] == ["define.xml", "define2-1.xsl", "define.html"]
    before = [p.read_bytes() for p in paths]
    write_define(copy.deepcopy(sdtm_tree), tmp_path)
    assert [p.read_bytes() for p in paths] == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# ---------------------------------------------------------------------------- check_define


def test_check_define_passes_cdisc_examples(cdisc_examples):
    assert len(cdisc_examples) == 2
    for path in cdisc_examples:
        assert check_define(path) == [], path.name


def test_check_define_passes_ours(sdtm_tree, adam_tree):
    assert check_define(sdtm_tree) == []
    assert check_define(adam_tree) == []


def _mutate(tree, fn):
    tree = copy.deepcopy(tree)
    fn(tree)
    return check_define(tree)


def test_check_define_finds_duplicate_oid(sdtm_tree):
    def dup(tree):
        item = xp(tree, "//odm:ItemDef[@OID='IT.DM.SEX']")[0]
        item.addnext(copy.deepcopy(item))

    found = [i for i in _mutate(sdtm_tree, dup) if i.rule == "define.oid-duplicate"]
    assert [(i.value, i.column) for i in found] == [("IT.DM.SEX", "ItemDef")]


def test_check_define_finds_dangling_references(sdtm_tree):
    def dangle(tree):
        xp(tree, "//odm:ItemRef[@ItemOID='IT.DM.AGE']")[0].set("MethodOID", "MT.NOPE")
        xp(tree, "//odm:ItemDef[@OID='IT.DM.SEX']/odm:CodeListRef")[0].set("CodeListOID", "CL.NOPE")
        xp(tree, "//def:WhereClauseRef")[0].set("WhereClauseOID", "WC.NOPE")

    issues = _mutate(sdtm_tree, dangle)
    dangling = sorted((i.column, i.value) for i in issues if i.rule == "define.ref-unresolved")
    assert dangling == [("CodeListOID", "CL.NOPE"), ("MethodOID", "MT.NOPE"), ("WhereClauseOID", "WC.NOPE")]
    # the definitions those references used to point at are now orphans
    assert {"MT.AGE", "CL.SEX"} <= {i.value for i in issues if i.rule == "define.orphan"}


def test_check_define_finds_orphans(sdtm_tree):
    def orphan(tree):
        mdv = xp(tree, "//odm:MetaDataVersion")[0]
        comment = xp(tree, "//def:CommentDef")[0]
        extra = copy.deepcopy(comment)
        extra.set("OID", "COM.ORPHAN")
        comment.addnext(extra)
        leaf = copy.deepcopy(xp(tree, "//def:leaf[@ID='LF.DOC.CSDRG']")[0])
        leaf.set("ID", "LF.ORPHAN")
        mdv.append(leaf)

    found = sorted(i.value for i in _mutate(sdtm_tree, orphan) if i.rule == "define.orphan")
    assert found == ["COM.ORPHAN", "LF.ORPHAN"]


def test_check_define_finds_codelist_datatype_mismatch(sdtm_tree):
    def mismatch(tree):
        xp(tree, "//odm:CodeList[@OID='CL.SEX']")[0].set("DataType", "integer")

    found = [i for i in _mutate(sdtm_tree, mismatch) if i.rule == "define.codelist-datatype"]
    assert sorted(i.value for i in found) == ["IT.DM.SEX"]


def test_check_define_finds_structural_gaps(sdtm_tree, adam_tree):
    def structure(tree):
        refs = xp(tree, "//odm:ItemGroupDef[@Name='DM']/odm:ItemRef")
        refs[3].set("OrderNumber", refs[2].get("OrderNumber"))
        for ref in xp(tree, "//odm:ItemGroupDef[@Name='AE']/odm:ItemRef[@KeySequence]"):
            del ref.attrib["KeySequence"]
        origin = xp(tree, "//odm:ItemDef[@OID='IT.DM.RFSTDTC']/def:Origin")[0]
        origin.remove(origin.xpath("odm:Description", namespaces=NS)[0])

    issues = _mutate(sdtm_tree, structure)
    assert rules(issues) == ["define.keys-missing", "define.order-duplicate", "define.predecessor-no-description"]
    assert {i.dataset for i in issues if i.rule != "define.predecessor-no-description"} == {"DM", "AE"}

    def no_method(tree):
        del xp(tree, "//odm:ItemRef[@ItemOID='IT.ADSL.TRTSDT']")[0].attrib["MethodOID"]

    issues = [i for i in _mutate(adam_tree, no_method) if i.rule == "define.derived-no-method"]
    assert [i.value for i in issues] == ["IT.ADSL.TRTSDT"]


# ---------------------------------------------------------------------------- define vs data


def test_define_agrees_with_its_data(spec, sdtm_tree, adam_tree, sdtm_data, adam_data):
    assert check_define_against_data(sdtm_tree, sdtm_data, spec=spec) == []
    assert check_define_against_data(adam_tree, adam_data, spec=spec) == []


def _with_meta(data, name, **changes):
    frame, meta = data[name]
    variables = list(meta.variables)
    for var_name, fields in changes.items():
        idx = next(i for i, v in enumerate(variables) if v.name == var_name)
        variables[idx] = type(variables[idx])(**{**variables[idx].__dict__, **fields})
    out = dict(data)
    out[name] = (frame, DatasetMeta(meta.name, meta.label, tuple(variables)))
    return out


def test_data_check_finds_label_length_and_type(spec, sdtm_tree, sdtm_data):
    data = _with_meta(sdtm_data, "DM", SEX={"label": "Gender"}, AGEU={"length": 40}, AGE={"type": "char"})
    found = {(i.rule, i.column) for i in check_define_against_data(sdtm_tree, data, spec=spec)}
    assert found == {("define.data-label", "SEX"), ("define.data-length", "AGEU"), ("define.data-type", "AGE")}


def test_data_check_finds_order_and_dataset_label(spec, sdtm_tree, sdtm_data):
    frame, meta = sdtm_data["DM"]
    variables = list(meta.variables)
    variables[3], variables[4] = variables[4], variables[3]
    data = dict(sdtm_data)
    data["DM"] = (frame, DatasetMeta("DM", "Demography", tuple(variables)))
    issues = check_define_against_data(sdtm_tree, data, spec=spec)
    assert rules(issues) == ["define.data-dataset-label", "define.data-order"]


def test_data_check_finds_values_outside_codelists(spec, sdtm_tree, sdtm_data):
    data = dict(sdtm_data)
    dm_frame, dm_meta = data["DM"]
    dm_frame = dm_frame.copy()
    dm_frame.loc[2, "SEX"] = "X"  # CL.SEX is not extensible: error
    data["DM"] = (dm_frame, dm_meta)
    lb_frame, lb_meta = data["LB"]
    lb_frame = lb_frame.copy()
    lb_frame.loc[0, "LBORRESU"] = "mg/dL"  # CL.UNIT is extensible: warning
    data["LB"] = (lb_frame, lb_meta)
    issues = [i for i in check_define_against_data(sdtm_tree, data, spec=spec) if i.rule == "define.data-ct-value"]
    assert sorted((i.column, i.value, i.severity) for i in issues) == [
        ("LBORRESU", "mg/dL", "warning"), ("SEX", "X", "error")]


def test_data_check_finds_missing_and_extra_datasets_and_variables(spec, sdtm_tree, sdtm_data):
    data = dict(sdtm_data)
    del data["TS"]
    frame, meta = data["AE"]
    data["AE"] = (frame.drop(columns=["AESER"]),
                  DatasetMeta("AE", meta.label, tuple(v for v in meta.variables if v.name != "AESER")))
    data["XX"] = data["DM"]
    found = {(i.rule, i.dataset, i.column) for i in check_define_against_data(sdtm_tree, data, spec=spec)}
    assert found == {("define.data-dataset-missing", "TS", None), ("define.data-dataset-undefined", "XX", None),
                     ("define.data-variable-missing", "AE", "AESER")}


def test_value_level_codelists_are_checked_on_their_subset(spec, adam_tree, adam_data):
    tree = copy.deepcopy(adam_tree)
    # give the MELD value-level item a codelist its values are not in
    item = xp(tree, "//odm:ItemDef[@OID='IT.ADLB.AVAL.MELD']")[0]
    ref = etree.SubElement(item, "{http://www.cdisc.org/ns/odm/v1.3}CodeListRef")
    ref.set("CodeListOID", "CL.NY")
    item.remove(ref)
    item.insert(1, ref)
    issues = [i for i in check_define_against_data(tree, adam_data, spec=spec) if i.rule == "define.data-ct-value"]
    assert sorted(i.value for i in issues) == ["27", "31"]


# ---------------------------------------------------------------------------- HTML


@pytest.mark.parametrize("which", ["ours-sdtm", "ours-adam", "cdisc"])
def test_html_rendering_links_resolve(which, sdtm_tree, adam_tree, cdisc_examples, tmp_path):
    if which == "cdisc":
        paths = cdisc_examples
    else:
        tree = sdtm_tree if which == "ours-sdtm" else adam_tree
        write_define(tree, tmp_path, html=False)
        paths = [tmp_path / "define.xml"]
    for path in paths:
        html = render_html(path, stylesheet_path()).decode("utf-8")
        doc = etree.HTML(html)
        ids = Counter(doc.xpath("//@id"))
        assert [k for k, n in ids.items() if n > 1] == []
        hrefs = {h[1:] for h in doc.xpath("//a/@href") if h.startswith("#")}
        assert hrefs and hrefs <= set(ids), sorted(hrefs - set(ids))
        groups = etree.parse(str(path)).getroot().xpath("//odm:ItemGroupDef/@OID", namespaces=NS)
        assert doc.xpath("//table[@class='datasets']//a/@href")[:1] == [f"#{groups[0]}"]
        for oid in groups:
            assert doc.xpath(f"//section[@id='{oid}']/table[@class='variables']"), oid


def test_html_shows_value_level_rows_and_page_links(sdtm_tree, tmp_path):
    write_define(sdtm_tree, tmp_path)
    html = (tmp_path / "define.html").read_text("utf-8")
    doc = etree.HTML(html)
    lb_rows = doc.xpath("//section[@id='IG.LB']//tr[@class='vlm']")
    assert len(lb_rows) == 4  # LBORRES x2, LBSTRESN x2
    assert "LBTESTCD" in "".join(lb_rows[0].itertext())
    assert doc.xpath("//a[@href='acrf.pdf#page=12']")
    assert doc.xpath("//a[@href='ae.xpt']")
    assert re.search(r"<title>ACLF-HUCMSC-01", html)


def test_stylesheet_is_xslt_1(tmp_path):
    xsl = etree.parse(str(stylesheet_path()))
    assert xsl.getroot().get("version") == "1.0"
