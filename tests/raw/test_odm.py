"""CDISC ODM 1.3 exports: the simulator writes schema-valid ODM, the reader reads back the same
records, hand-written EDC files (partial dates, repeats, audit trails) map as the layouts say, and a
broken file gives one located finding."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from aclf_cdisc.errors import InputError
from aclf_cdisc.raw import FILE_COL, ROW_COL, read_export
from aclf_cdisc.raw.odm import ODM_NS, read_odm
from aclf_cdisc.raw.reader import read_form_file
from aclf_cdisc.sample import edc_dir
from aclf_cdisc.simulate import DEFAULT_SEED, simulate_export
from aclf_cdisc.simulate.odm import odm_document, write_odm
from aclf_cdisc.spec.loader import load_spec

REPO = Path(__file__).resolve().parents[2]
SPECS = REPO / "specs"


@pytest.fixture(scope="module")
def spec():
    return load_spec(SPECS)


@pytest.fixture(scope="module")
def odm_schema(shared: Path) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(shared / "schemas" / "define-xml-2.1" / "cdisc-odm-1.3.2" / "ODM1-3-2.xsd")))


@pytest.fixture(scope="module")
def sample_odm(tmp_path_factory, spec) -> Path:
    """The committed CSV sample written as one ODM file (alone in its folder)."""
    frames = {name: read_form_file(edc_dir() / f"{name}.csv") for name in spec.raw_forms}
    return write_odm(frames, tmp_path_factory.mktemp("odm") / "odm.xml", spec)


def _odm(body: str, metadata: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<ODM xmlns="{ODM_NS}" FileType="Snapshot" FileOID="F1"'
            f' CreationDateTime="2025-01-01T00:00:00" ODMVersion="1.3.2">\n{metadata}'
            f'<ClinicalData StudyOID="NCT05985863" MetaDataVersionOID="MDV.1">\n{body}\n</ClinicalData>\n</ODM>\n'
            ).encode()


def _lines_with(path: Path, text: str) -> list[int]:
    """1-based numbers of the lines of ``path`` holding ``text`` (read as plain text, not XML)."""
    return [n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if text in line]


def test_01_sample_as_odm_is_valid_odm_132(sample_odm: Path, odm_schema) -> None:
    document = etree.parse(str(sample_odm))
    assert odm_schema.validate(document), odm_schema.error_log
    ns = {"odm": ODM_NS}
    # the metadata: 13 forms, one item group each, an ItemDef per non-structural column, codelists for allowed values
    assert len(document.findall(".//odm:FormDef", ns)) == 13
    assert document.find(".//odm:ItemDef[@OID='IT.AE.AESTDAT']", ns).get("DataType") == "text"
    assert document.find(".//odm:ItemDef[@OID='IT.LB.LBTIM']", ns).get("DataType") == "text"
    assert document.find(".//odm:ItemDef[@OID='IT.AE.AESPID']", ns).get("DataType") == "integer"
    sev = document.find(".//odm:CodeList[@OID='CL.AE.AESEV']", ns)
    assert [e.get("CodedValue") for e in sev] == ["Mild", "Moderate", "Severe"]
    assert document.getroot().get("CreationDateTime") == "2025-03-28T00:00:00"
    # the data: every subject of the sample, one ItemGroupData per CSV record
    subjects = {s.get("SubjectKey") for s in document.iterfind(".//odm:SubjectData", ns)}
    assert subjects == set(pd.read_csv(edc_dir() / "dm.csv", dtype=str)["SUBJID"])
    ae_groups = document.findall(".//odm:ItemGroupData[@ItemGroupOID='IG.AE']", ns)
    assert len(ae_groups) == len(pd.read_csv(edc_dir() / "ae.csv", dtype=str))
    # no AuditRecord: a snapshot
    assert document.find(".//odm:AuditRecord", ns) is None


def test_02_the_same_data_gives_the_same_bytes(spec) -> None:
    frames = simulate_export(20, 5)
    assert odm_document(frames, spec) == odm_document(simulate_export(20, 5), spec)


def test_03_reading_the_odm_gives_the_csv_records_and_cites_the_xml_line(sample_odm: Path, spec) -> None:
    from_csv = read_export(edc_dir(), spec)
    from_odm = read_export(sample_odm.parent, spec)
    assert sorted(from_odm.forms) == sorted(from_csv.forms) and not from_odm.blinded
    for name, frame in from_csv.forms.items():
        pd.testing.assert_frame_equal(frame.drop(columns=[FILE_COL, ROW_COL]),
                                      from_odm.forms[name].drop(columns=[FILE_COL, ROW_COL]), obj=name)
    assert set(from_odm.forms["ae"][FILE_COL]) == {"odm.xml"}
    lines = sample_odm.read_text(encoding="utf-8").splitlines()
    ae = from_odm.forms["ae"]
    # 101-0007 has the planted partial dates UN UNK 2023 / UN NOV 2023: the cited line opens its item group
    pneumonia = ae[ae["SUBJID"] == "101-0007"].iloc[0]
    assert (pneumonia["AESTDAT"], pneumonia["AEENDAT"]) == ("UN UNK 2023", "UN NOV 2023")
    cited = lines[int(pneumonia[ROW_COL]) - 1]
    assert cited.strip().startswith('<ItemGroupData ItemGroupOID="IG.AE"')
    assert 'ItemOID="IT.AE.AESTDAT" Value="UN UNK 2023"' in "".join(lines[int(pneumonia[ROW_COL]):][:10])


def test_04_a_blinded_odm_has_no_irt_forms(tmp_path: Path, spec) -> None:
    frames = {k: v for k, v in simulate_export(20, 3).items() if not k.startswith("irt_")}
    write_odm(frames, tmp_path / "odm.xml", spec)
    export = read_export(tmp_path, spec)
    assert export.blinded and "irt_rand" not in export.forms and len(export.forms["dm"]) > 20


def test_05_irt_files_beside_an_edc_odm_export_are_read_as_csv(tmp_path: Path, spec) -> None:
    frames = simulate_export(20, 3)
    write_odm({k: v for k, v in frames.items() if not k.startswith("irt_")}, tmp_path / "odm.xml", spec)
    for name in ("irt_rand", "irt_kits"):
        (tmp_path / f"{name}.csv").write_bytes((edc_dir() / f"{name}.csv").read_bytes())
    export = read_export(tmp_path, load_spec(SPECS).raw_forms)
    assert not export.blinded
    assert export.files["irt_rand"].name == "irt_rand.csv" and export.files["dm"].name == "odm.xml"


HAND_WRITTEN_METADATA = """<Study OID="NCT05985863"><GlobalVariables><StudyName>S</StudyName>
<StudyDescription>S</StudyDescription><ProtocolName>S</ProtocolName></GlobalVariables>
<MetaDataVersion OID="MDV.1" Name="v1">
<StudyEventDef OID="SE.UNS" Name="Unscheduled" Repeating="Yes" Type="Unscheduled"/>
<StudyEventDef OID="SE.W1" Name="Week 1" Repeating="No" Type="Scheduled"/>
</MetaDataVersion></Study>
"""


def _ae(spid: str, start: str, extra: str = "") -> str:
    items = {"AESPID": spid, "AETERM": "Nausea", "AESTDAT": start, "AEONGO": "Y", "AESEV": "Mild", "AESER": "N",
             "AEREL": "Not Related", "AEACN": "Not Applicable", "AEOUT": "Unknown", "AELLT": "Nausea",
             "AELLTCD": "1", "AEDECOD": "Nausea", "AEPTCD": "1", "AEHLT": "x", "AEHLTCD": "1", "AEHLGT": "x",
             "AEHLGTCD": "1", "AESOC": "x", "AESOCCD": "1"}
    return (f'<ItemGroupData ItemGroupOID="IG.AE" ItemGroupRepeatKey="{spid}">\n'
            + "".join(f'<ItemData ItemOID="IT.AE.{k}" Value="{v}"/>\n' for k, v in items.items())
            + extra + "</ItemGroupData>\n")


def test_06_hand_written_edc_file_partial_dates_repeats_audit_and_visits(tmp_path: Path, spec) -> None:
    body = ('<SubjectData SubjectKey="101-0001"><SiteRef LocationOID="101"/>\n'
            '<StudyEventData StudyEventOID="SE.AE"><FormData FormOID="F.AE">\n'
            + _ae("1", "UN JAN 2024", '<ItemData ItemOID="IT.AE.AEGRPID" IsNull="Yes"/>\n')
            + _ae("2", "UN UNK 2023", '<ItemDataString ItemOID="IT.AE.AEGRPID">G1</ItemDataString>\n'
                  '<ItemData ItemOID="IT.AE.AEENDAT" Value="02 FEB 2024"><AuditRecord><UserRef UserOID="U1"/>'
                  '<LocationRef LocationOID="101"/><DateTimeStamp>2024-02-03T10:00:00</DateTimeStamp>'
                  '</AuditRecord></ItemData>\n')
            + '</FormData></StudyEventData>\n'
            '<StudyEventData StudyEventOID="SE.UNS" StudyEventRepeatKey="2"><FormData FormOID="F.SV">\n'
            '<ItemGroupData ItemGroupOID="IG.SV"><ItemData ItemOID="IT.SV.VISYN" Value="Y"/>'
            '<ItemData ItemOID="IT.SV.VISDAT" Value="05 MAR 2024"/></ItemGroupData>\n'
            '</FormData></StudyEventData>\n'
            '<StudyEventData StudyEventOID="SE.W1"><FormData FormOID="F.SV">\n'
            '<ItemGroupData ItemGroupOID="IG.SV"><ItemData ItemOID="IT.SV.VISYN" Value="N"/></ItemGroupData>\n'
            '</FormData></StudyEventData>\n'
            '<StudyEventData StudyEventOID="VISIT9"><FormData FormOID="F.SV">\n'
            '<ItemGroupData ItemGroupOID="IG.SV"><ItemData ItemOID="IT.SV.VISYN" Value="N"/></ItemGroupData>\n'
            '</FormData></StudyEventData></SubjectData>')
    path = tmp_path / "edc.xml"
    path.write_bytes(_odm(body, HAND_WRITTEN_METADATA))
    odm = read_odm(path, spec.raw_forms)
    ae = odm.frames["ae"]
    assert ae[["STUDYID", "SITEID", "SUBJID", "AESPID", "AESTDAT", "AEGRPID", "AEENDAT"]].values.tolist() == [
        ["NCT05985863", "101", "101-0001", "1", "UN JAN 2024", None, None],
        ["NCT05985863", "101", "101-0001", "2", "UN UNK 2023", "G1", "02 FEB 2024"]]
    assert odm.lines["ae"] == _lines_with(path, '<ItemGroupData ItemGroupOID="IG.AE"') == [12, 34]
    sv = odm.frames["sv"]
    # repeating event -> Name + repeat key; declared event -> its Name; undeclared -> the OID
    assert sv[["VISIT", "VISYN", "VISDAT"]].values.tolist() == [
        ["Unscheduled 2", "Y", "05 MAR 2024"], ["Week 1", "N", None], ["VISIT9", "N", None]]
    assert odm.frames["dm"].empty and "dm" not in odm.present and odm.issues == []


def test_07_an_unknown_item_oid_is_a_warning_with_its_line(tmp_path: Path, spec) -> None:
    body = ('<SubjectData SubjectKey="101-0001"><SiteRef LocationOID="101"/>\n'
            '<StudyEventData StudyEventOID="SE.AE"><FormData FormOID="F.AE">\n'
            + _ae("1", "UN JAN 2024", '<ItemData ItemOID="IT.AE.AETOXGR" Value="3"/>\n')
            + _ae("2", "UN JAN 2024", '<ItemData ItemOID="IT.AE.AETOXGR" Value="2"/>\n')
            + '</FormData><FormData FormOID="F.QS"><ItemGroupData ItemGroupOID="IG.QS"/></FormData>'
            '</StudyEventData></SubjectData>')
    path = tmp_path / "edc.xml"
    path.write_bytes(_odm(body))
    odm = read_odm(path, spec.raw_forms)
    first_use = _lines_with(path, "IT.AE.AETOXGR")[0]
    assert [(i.rule, i.severity, i.row, i.value) for i in odm.issues] == [
        ("raw.odm-item-unknown", "warning", first_use, "IT.AE.AETOXGR"),   # once, at its first use
        ("raw.odm-group-unknown", "warning", _lines_with(path, "IG.QS")[0], "F.QS/IG.QS")]
    assert len(odm.frames["ae"]) == 2


@pytest.mark.parametrize(("text", "rule_line", "words"), [
    ("<ODM xmlns='%s'><ClinicalData StudyOID='S' MetaDataVersionOID='M'>\n<SubjectData SubjectKey='1'>\n"
     "</ClinicalData></ODM>", 3, "mismatch"),
    ("<ODM xmlns='%s'><ClinicalData StudyOID='S' MetaDataVersionOID='M'>\n<SubjectData SubjectKey='1'>\n"
     "<ItemGroupData ItemGroupOID='IG.AE'/></SubjectData></ClinicalData></ODM>", 3,
     "ItemGroupData inside SubjectData, not inside FormData or ReferenceData"),
    ("<ODM xmlns='%s'><ClinicalData StudyOID='S' MetaDataVersionOID='M'>\n\n<SubjectData>"
     "</SubjectData></ClinicalData></ODM>", 3, "SubjectData has no SubjectKey"),
    ("<Define xmlns='%s'/>", 1, "not ODM"),
])
def test_08_a_malformed_file_gives_one_finding_with_element_and_line(tmp_path: Path, spec, text, rule_line,
                                                                      words) -> None:
    (tmp_path / "edc.xml").write_text(text % ODM_NS, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_export(tmp_path, spec)
    (issue,) = caught.value.issues
    assert issue.rule == "raw.odm-malformed" and issue.file == "edc.xml" and issue.row == rule_line
    assert words in issue.message


def test_09_two_xml_files_are_ambiguous(tmp_path: Path, sample_odm: Path, spec) -> None:
    for name in ("a.xml", "b.xml"):
        (tmp_path / name).write_bytes(sample_odm.read_bytes())
    with pytest.raises(InputError) as caught:
        read_export(tmp_path, spec)
    assert "raw.odm-ambiguous" in {i.rule for i in caught.value.issues}


texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zl", "Zp")),
                min_size=1, max_size=30).map(str.strip).filter(bool)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(terms=st.lists(texts, min_size=1, max_size=5), grp=st.lists(st.one_of(st.just(""), texts), min_size=5,
                                                                     max_size=5))
def test_10_any_text_round_trips_through_odm(spec, terms, grp) -> None:
    """Whatever text an EDC holds (quotes, <, &, non-ASCII), write then read gives it back unchanged."""
    ae = pd.DataFrame({c.name: "x" for c in spec.raw_forms["ae"].columns}, index=range(len(terms)))
    ae["STUDYID"], ae["SITEID"], ae["SUBJID"] = "NCT05985863", "101", "101-0001"
    ae["AESPID"] = [str(i + 1) for i in range(len(terms))]
    ae["AETERM"] = terms
    ae["AEGRPID"] = grp[:len(terms)]
    odm = etree.fromstring(odm_document({"ae": ae}, spec))
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.xml"
        path.write_bytes(etree.tostring(odm, xml_declaration=True, encoding="UTF-8"))
        back = read_odm(path, spec.raw_forms).frames["ae"]
    assert back["AETERM"].tolist() == terms
    assert back["AEGRPID"].tolist() == [g or None for g in grp[:len(terms)]]


def test_11_cli_simulate_format_odm(tmp_path: Path, odm_schema) -> None:
    env = {"PYTHONPATH": str(REPO / "src"), "PYTHONHASHSEED": "0", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-m", "aclf_cdisc", "simulate", "--subjects", "20", "--format", "odm",
                           "--specs", str(SPECS), "--out", str(tmp_path)], env=env, capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["odm.xml"]
    assert odm_schema.validate(etree.parse(str(tmp_path / "odm.xml")))
    export = read_export(tmp_path, load_spec(SPECS))
    assert export.forms["dm"]["SUBJID"].nunique() == len(simulate_export(20, DEFAULT_SEED)["dm"])


def test_12_the_build_from_odm_equals_the_build_from_csv_byte_for_byte(tmp_path: Path, sample_odm: Path,
                                                                        shared: Path, spec) -> None:
    """Every XPT and both defines are identical; the reports differ only where they cite the input.

    The validation reports name the raw file and row of each finding (``lb.csv`` record 1870 vs
    ``odm.xml`` line 23575), and the manifest lists the input files and their digests; with the file
    and row removed, the findings are the same.
    """
    import json

    from aclf_cdisc.package.build import BuildOptions, build_package

    schema_dir = shared / "schemas" / "define-xml-2.1"
    csv_out, odm_out = tmp_path / "csv", tmp_path / "odm"
    build_package(BuildOptions(raw_dir=edc_dir(), spec_root=SPECS, out_dir=csv_out, schema_dir=schema_dir))
    build_package(BuildOptions(raw_dir=sample_odm.parent, spec_root=SPECS, out_dir=odm_out, schema_dir=schema_dir))

    def tree(root: Path) -> dict[str, bytes]:
        return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

    a, b = tree(csv_out), tree(odm_out)
    assert sorted(a) == sorted(b)
    # the files that cite the input: the manifest (input files and digests), the validation reports
    # (csv, html, json, xlsx) and the cSDRG's issue tables (raw file and row of each finding)
    citing = {"manifest.json", "checksums.md5", "m5/datasets/aclf-msc-302/tabulations/sdtm/csdrg.pdf"}
    differing = {name for name in a if a[name] != b[name]}
    assert {name for name in differing if not name.startswith("reports/")} <= citing
    for name in ("reports/validation.csv", "reports/validation.html", "reports/documents/csdrg.html"):
        # with the raw file names and the numbers (record vs line) masked, the text is the same
        def masked(data: bytes) -> str:
            return re.sub(r"\d+", "#", re.sub(r"\b(?:[a-z_]+\.csv|odm\.xml)\b", "FILE", data.decode("utf-8")))

        assert masked(a[name]) == masked(b[name]), name
    xpts = [n for n in a if n.endswith(".xpt")]
    defines = [n for n in a if n.endswith("define.xml")]
    assert len(xpts) == len(spec.datasets) and len(defines) == 2 and not differing & {*xpts, *defines}

    def findings(data: bytes) -> list[dict]:
        return sorted(({k: v for k, v in i.items() if k not in ("file", "row", "value", "message")}
                       for i in json.loads(data)["issues"]), key=json.dumps)

    report = "reports/validation.json"
    assert findings(a[report]) == findings(b[report])
    cited = {(i["file"], i["rule"]) for i in json.loads(b[report])["issues"] if i["rule"] == "sdtm.duplicate-record"}
    assert cited == {("odm.xml", "sdtm.duplicate-record")}


def test_13_an_xml_file_beside_every_form_file_is_not_read(tmp_path: Path, spec) -> None:
    for name in spec.raw_forms:
        (tmp_path / f"{name}.csv").write_bytes((edc_dir() / f"{name}.csv").read_bytes())
    (tmp_path / "define.xml").write_text("<not-odm/>", encoding="utf-8")
    export = read_export(tmp_path, spec)
    assert {p.suffix for p in export.files.values()} == {".csv"}


def _twice(first: str, second: str, typed: bool = False) -> str:
    """An AE record giving AESEV twice (the second as a typed item when ``typed``)."""
    again = (f'<ItemDataString ItemOID="IT.AE.AESEV">{escape(second)}</ItemDataString>\n' if typed
             else f'<ItemData ItemOID="IT.AE.AESEV" Value={quoteattr(second)}/>\n')
    return (_ae("1", "UN JAN 2024").replace('"IT.AE.AESEV" Value="Mild"', f'"IT.AE.AESEV" Value={quoteattr(first)}')
            .replace("</ItemGroupData>", again + "</ItemGroupData>"))


def _subject(groups: str) -> str:
    return ('<SubjectData SubjectKey="101-0001"><SiteRef LocationOID="101"/>\n'
            '<StudyEventData StudyEventOID="SE.AE"><FormData FormOID="F.AE">\n'
            + groups + '</FormData></StudyEventData></SubjectData>')


@pytest.mark.parametrize("typed", [False, True])
def test_14_an_item_given_twice_with_two_values_names_both(tmp_path: Path, spec, typed: bool) -> None:
    path = tmp_path / "edc.xml"
    path.write_bytes(_odm(_subject(_twice("Mild", "Severe", typed))))
    odm = read_odm(path, spec.raw_forms)
    group_line = _lines_with(path, '<ItemGroupData ItemGroupOID="IG.AE"')[0]
    first_line, second_line = _lines_with(path, '"IT.AE.AESEV"')
    [issue] = odm.issues
    assert (issue.rule, issue.severity, issue.file, issue.dataset, issue.row, issue.column, issue.value) == (
        "raw.odm-item-duplicated", "error", "edc.xml", "ae", second_line, "AESEV", ("Mild", "Severe"))
    assert (f"ItemOID IT.AE.AESEV is given twice in the IG.AE record of line {group_line}, 'Mild' on line "
            f"{first_line} and 'Severe' on line {second_line}") in issue.message
    assert odm.frames["ae"]["AESEV"].tolist() == ["Mild"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=texts, second=texts, typed=st.booleans())
def test_15_never_one_of_two_values_silently(spec, first: str, second: str, typed: bool) -> None:
    import tempfile
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "edc.xml"
        path.write_bytes(_odm(_subject(_twice(first, second, typed))))
        odm = read_odm(path, spec.raw_forms, duplicated="warning")
    assert odm.frames["ae"]["AESEV"].tolist() == [first]
    if first == second:
        assert odm.issues == []
    else:
        assert [(i.rule, i.severity, i.value) for i in odm.issues] == [
            ("raw.odm-item-duplicated", "warning", (first, second))]


def test_16_the_export_takes_the_severity_of_a_column_named_twice(tmp_path: Path, sample_odm: Path, spec) -> None:
    text = sample_odm.read_text(encoding="utf-8")
    at = text.index('<ItemData ItemOID="IT.AE.AESEV"')
    original = text[at:text.index("/>", at) + 2]
    path = tmp_path / "odm.xml"
    path.write_text(text[:at] + original + '<ItemData ItemOID="IT.AE.AESEV" Value="SEVERE"/>'
                    + text[at + len(original):], encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_export(tmp_path, spec)
    assert [(i.rule, i.file, i.row, i.column) for i in caught.value.issues] == [
        ("raw.odm-item-duplicated", "odm.xml", _lines_with(path, 'Value="SEVERE"')[0], "AESEV")]
    checks = {**spec.study.conventions["checks"], "column-duplicated": {"severity": "warning"}}
    lenient = dataclasses.replace(spec, study=dataclasses.replace(
        spec.study, conventions={**spec.study.conventions, "checks": checks}))
    export = read_export(tmp_path, lenient)
    assert "raw.odm-item-duplicated" in {i.rule for i in export.issues if i.severity == "warning"}
