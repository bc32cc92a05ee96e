"""``spec import --define``: CDISC's example defines (2.0 and 2.1) become schema-valid spec folders."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from lxml import etree

from aclf_cdisc.cli import main
from aclf_cdisc.spec.loader import schema_issues
from aclf_cdisc.spec.workbook import schema_name
from aclf_cdisc.spec.yamlio import YamlDoc

ODM = {"odm": "http://www.cdisc.org/ns/odm/v1.3"}
# example define -> (datasets, variables, value-level rows, codelists), counted by hand from the files
EXAMPLES = {
    "define-xml-2.0-examples/define2-0-0-example-sdtm.xml": (34, 414, 179, 84),
    "define-xml-2.0-examples/define2-0-0-example-adam.xml": (2, 88, 6, 24),
    "define-xml-2.1-examples/defineV21-SDTM.xml": (11, 155, 44, 40),
    "define-xml-2.1-examples/defineV21-ADaM.xml": (3, 144, 6, 32),
}


def _import(define: Path, target: Path) -> dict[str, object]:
    assert main(["spec", "import", "--define", str(define), "--to", str(target)]) == 0
    return {p.relative_to(target).as_posix(): yaml.safe_load(p.read_text(encoding="utf-8"))
            for p in sorted(target.rglob("*.yaml"))}


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_example_define_becomes_a_schema_valid_spec(example, shared, tmp_path, capsys):
    define = shared / "anchors" / example
    files = _import(define, tmp_path / "specs")
    for rel, data in files.items():
        assert schema_issues(YamlDoc(file=rel, data=data), schema_name(rel)) == [], rel

    datasets = {rel: d for rel, d in files.items() if rel.startswith(("sdtm/", "adam/"))}
    n_datasets, n_variables, n_value_level, n_codelists = EXAMPLES[example]
    assert len(datasets) == n_datasets
    assert sum(len(d["variables"]) for d in datasets.values()) == n_variables
    assert sum(len(d.get("value_level", [])) for d in datasets.values()) == n_value_level
    assert len(files["codelists.yaml"]["codelists"]) == n_codelists
    # the same numbers straight from the XML
    root = etree.parse(str(define))
    assert len(root.findall(".//odm:ItemGroupDef", ODM)) == n_datasets
    assert len(root.findall(".//odm:ItemGroupDef/odm:ItemRef", ODM)) == n_variables
    assert len(root.findall(".//odm:CodeList", ODM)) == n_codelists
    assert len(files["methods.yaml"]["methods"]) == len(root.findall(".//odm:MethodDef", ODM))

    study_text = (tmp_path / "specs" / "study.yaml").read_text(encoding="utf-8")
    assert "TODO" in study_text and files["study.yaml"]["sponsor"] == "TODO"
    readme = (tmp_path / "specs" / "README.md").read_text(encoding="utf-8")
    assert "raw/<form>.yaml" in readme and "core" in readme
    out = capsys.readouterr().out
    assert f"{n_datasets} datasets, {n_variables} variables" in out


def test_define_21_details(shared, tmp_path):
    files = _import(shared / "anchors" / "define-xml-2.1-examples" / "defineV21-SDTM.xml", tmp_path / "s")
    dm = files["sdtm/dm.yaml"]
    assert (dm["class"], dm["keys"], dm["repeating"], dm["domain"]) == ("SPECIAL PURPOSE", ["STUDYID", "USUBJID"],
                                                                        False, "DM")
    age = next(v for v in dm["variables"] if v["name"] == "AGE")
    assert age == {"name": "AGE", "label": "Age", "data_type": "integer", "length": 2, "core": "Req",
                   "origin": {"type": "Derived", "source": "Sponsor"}, "method": "MT.AGE"}
    first = files["sdtm/lb.yaml"]["value_level"][0]
    assert first["where"] == {"oid": "WC.LB.LBTESTCD.SET1.LBSPEC.BLOOD",
                              "conditions": [["LBTESTCD", "IN", ["BILI", "GLUC"]], ["LBSPEC", "EQ", ["BLOOD"]]]}
    assert (first["data_type"], first["length"], first["significant_digits"]) == ("float", 3, 1)
    country = next(c for c in files["codelists.yaml"]["codelists"] if c["oid"] == "CL.ISO.COUNTRY")
    assert country["external"]["dictionary"] == "ISO-3166 (Country Codes)"
    # an OID the spec format cannot hold is renamed everywhere, and the rename is listed
    comments = {c["oid"] for c in files["comments.yaml"]["comments"]}
    assert "COM.LBORRESU_Repeated" in comments
    assert "'COM.LBORRESU(Repeated)' renamed" in (tmp_path / "s" / "README.md").read_text(encoding="utf-8")


def test_define_20_origin_types_are_renamed(shared, tmp_path):
    files = _import(shared / "anchors" / "define-xml-2.0-examples" / "define2-0-0-example-sdtm.xml", tmp_path / "s")
    origins = {v["origin"]["type"] for rel, d in files.items() if rel.startswith("sdtm/") for v in d["variables"]}
    assert "CRF" not in origins and "Collected" in origins


def test_a_file_that_is_not_a_define_is_a_finding(tmp_path, capsys):
    bad = tmp_path / "define.xml"
    bad.write_text("<ODM><Study/>", encoding="utf-8")
    assert main(["spec", "import", "--define", str(bad), "--to", str(tmp_path / "s")]) == 1
    assert not (tmp_path / "s").exists()
    assert "define-import.unreadable" in capsys.readouterr().err


V21_SDTM = "define-xml-2.1-examples/defineV21-SDTM.xml"


def _first_ts_ref_dangling(text: str) -> tuple[str, str, str]:
    """(the define edited, the start of the element at fault, its value at fault)."""
    new = '<ItemRef ItemOID="IT.TS.TSSEQ.GONE"'
    return text.replace('<ItemRef ItemOID="IT.TS.TSSEQ"', new, 1), new, "IT.TS.TSSEQ.GONE"


def _key_sequence_not_a_number(text: str) -> tuple[str, str, str]:
    old = '<ItemRef ItemOID="IT.TS.TSSEQ" Mandatory="Yes" OrderNumber="3" KeySequence="3"'
    new = old.replace('KeySequence="3"', 'KeySequence="3.5"')
    return text.replace(old, new, 1), new, "3.5"


def _ts_without_item_refs(text: str) -> tuple[str, str, str]:
    start = text.index('<ItemGroupDef OID="IG.TS"')
    body_start, body_end = text.index(">", start) + 1, text.index("</ItemGroupDef>", start)
    body = "\n".join(line for line in text[body_start:body_end].split("\n") if "<ItemRef " not in line)
    return text[:body_start] + body + text[body_end:], '<ItemGroupDef OID="IG.TS"', "TS"


@pytest.mark.parametrize(("edit", "rule", "column"), [
    (_first_ts_ref_dangling, "define-import.item-unknown", "ItemOID"),
    (_key_sequence_not_a_number, "define-import.value-invalid", "KeySequence"),
    (_ts_without_item_refs, "define-import.dataset-empty", "ItemRef"),
])
def test_a_define_that_breaks_define_xml_is_named_at_its_line(shared, tmp_path, capsys, edit, rule, column):
    """An ItemRef naming no ItemDef, a KeySequence that is no number or a dataset without ItemRef
    are errors at the element's line, not an internal error; nothing is written."""
    text, element, value = edit((shared / "anchors" / V21_SDTM).read_text(encoding="utf-8"))
    bad = tmp_path / "define.xml"
    bad.write_text(text, encoding="utf-8")
    target = tmp_path / "s"
    assert main(["spec", "import", "--define", str(bad), "--to", str(target)]) == 1
    err = capsys.readouterr().err
    assert "internal error" not in err and "Traceback" not in err
    line = text[:text.index(">", text.index(element))].count("\n") + 1  # where the element's start tag ends
    assert err.splitlines()[0].startswith(f"[error] {rule}: ")
    assert f"(file=define.xml, row={line}, column={column}); value='{value}'" in err.splitlines()[0]
    assert not target.exists()


def test_a_define_xml_10_is_named_as_such(shared, tmp_path, capsys):
    target = tmp_path / "s"
    define = shared / "anchors" / "cdiscpilot01" / "sdtm" / "define.xml"
    assert main(["spec", "import", "--define", str(define), "--to", str(target)]) == 1
    assert "(Define-XML 1.0, on ODM 1.2, is not read) (file=define.xml)" in capsys.readouterr().err
    assert not target.exists()


def test_a_length_or_significant_digits_the_spec_cannot_hold_is_left_out_and_listed(shared, tmp_path):
    text = (shared / "anchors" / "define-xml-2.1-examples" / "defineV21-SDTM.xml").read_text(encoding="utf-8")
    root = etree.fromstring(text.encode("utf-8"))
    age = root.find(".//odm:ItemDef[@OID='IT.DM.AGE']", ODM)
    age.set("Length", "2.5")
    age.set("SignificantDigits", "one")
    (tmp_path / "define.xml").write_bytes(etree.tostring(root))
    files = _import(tmp_path / "define.xml", tmp_path / "s")
    variable = next(v for v in files["sdtm/dm.yaml"]["variables"] if v["name"] == "AGE")
    assert "length" not in variable and "significant_digits" not in variable
    notes = (tmp_path / "s" / "README.md").read_text(encoding="utf-8")
    assert "AGE: Length '2.5' is not a whole number from 1 to 200 (an XPT v5 variable's); left out" in notes
    assert "AGE: SignificantDigits 'one' is not a whole number; left out" in notes
