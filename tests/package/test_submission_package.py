"""The package as a reviewer receives it: defines that validate and resolve, a manifest that
re-checks a copy, Dataset-JSON copies that validate, and a study start no consent precedes.

One build of the bundled sample (with --dataset-json) serves every test here.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from urllib.parse import unquote, urlparse

import jsonschema
import pandas as pd
import pytest
from lxml import etree

from aclf_cdisc.define import check_define, validate_define_schema
from aclf_cdisc.define.common import XP_NS
from aclf_cdisc.define.texts import check_define_texts
from aclf_cdisc.package.build import BuildOptions, build_package
from aclf_cdisc.package.layout import adam_dir, adam_programs_dir, sdtm_dir
from aclf_cdisc.package.manifest import CHECKSUM_NAME, MANIFEST_NAME, verify_package
from aclf_cdisc.spec import load_spec
from aclf_cdisc.transport import read_xpt
from aclf_cdisc.transport.datasetjson import read_dataset_json

REPO = Path(__file__).resolve().parents[2]
REPO_SPECS = REPO / "specs"
STUDY = "ACLF-MSC-302"
# written by the document generators (annotated CRF, reviewer's guides), not by this build's define step
DOCUMENTS = {"acrf.pdf", "csdrg.pdf", "adrg.pdf"}


@pytest.fixture(scope="module")
def spec():
    return load_spec(REPO_SPECS)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("package")
    return build_package(BuildOptions(spec_root=REPO_SPECS, out_dir=out, dataset_json=True))


@pytest.fixture(scope="module")
def folders(built):
    return {"SDTM": sdtm_dir(built.out_dir, STUDY), "ADaM": adam_dir(built.out_dir, STUDY)}


def _define(folders, standard):
    return etree.parse(str(folders[standard] / "define.xml"))


def _x(tree, query):
    return tree.xpath(query, namespaces=XP_NS)


# --------------------------------------------------------------------------- schema, in every build
def test_both_defines_are_schema_checked_in_a_build_without_flags(built, folders):
    notes = [i for i in built.issues if i.rule.startswith("define.schema")]
    assert sorted((i.rule, i.severity, i.file) for i in notes) == [
        ("define.schema-valid", "note", f"m5/datasets/{STUDY.lower()}/analysis/adam/datasets/define.xml"),
        ("define.schema-valid", "note", f"m5/datasets/{STUDY.lower()}/tabulations/sdtm/define.xml"),
    ]
    report = pd.read_csv(built.out_dir / "reports" / "validation.csv", dtype=str)
    assert (report["rule"] == "define.schema-valid").sum() == 2
    for folder in folders.values():
        assert validate_define_schema(folder / "define.xml") == []


# --------------------------------------------------------------------------- every link resolves
def _html_ids_and_links(path: Path) -> tuple[Counter, list[str]]:
    html = etree.parse(str(path), etree.HTMLParser())
    return Counter(html.xpath("//@id")), html.xpath("//a/@href")


@pytest.mark.parametrize("standard", ["SDTM", "ADaM"])
def test_every_link_of_the_define_resolves_inside_the_package(built, folders, standard):
    folder = folders[standard]
    tree = _define(folders, standard)
    assert check_define(tree) == []  # every OID / leafID reference has exactly one target
    # def:leaf: datasets open as XPT files holding the dataset named; documents are the known ones
    opened, pending = [], set()
    for leaf in _x(tree, "//def:leaf"):
        href = leaf.get("{http://www.w3.org/1999/xlink}href")
        target = folder / href
        assert target.resolve().is_relative_to((built.out_dir / "m5").resolve()), href
        if href.endswith(".xpt"):
            _, meta = read_xpt(target)
            owner = leaf.getparent()
            assert meta.name == owner.get("Name"), href
            opened.append(href)
        elif target.is_file():
            opened.append(href)
        else:
            pending.add(href)
    assert pending <= DOCUMENTS, pending
    assert len([h for h in opened if h.endswith(".xpt")]) == len(_x(tree, "//odm:ItemGroupDef"))
    # aCRF page references point at the aCRF leaf
    acrf = set(_x(tree, "//def:leaf[contains(@xlink:href, 'acrf')]/@ID"))
    assert set(_x(tree, "//def:PDFPageRef/../@leafID")) <= acrf
    # define.html: every in-page anchor has exactly one target, every file link exists
    ids, hrefs = _html_ids_and_links(folder / "define.html")
    internal = [h[1:] for h in hrefs if h.startswith("#")]
    assert internal and [h for h in internal if ids[h] != 1] == []
    files = {unquote(urlparse(h).path) for h in hrefs if not h.startswith("#") and not urlparse(h).scheme}
    assert {f for f in files if not (folder / f).is_file()} <= DOCUMENTS
    assert {f"{name.lower()}.xpt" for name in _x(tree, "//odm:ItemGroupDef/@Name")} <= files


# --------------------------------------------------------------------------- define content, real data
def test_codelists_of_both_defines_are_classified(folders, shared):
    adam_ct = pickle.loads((shared / "core-cache" / "adamct-2025-03-28.pkl").read_bytes())
    adam_codes = {c["conceptId"]: {t["submissionValue"]: t["conceptId"] for t in c["terms"]}
                  for c in adam_ct["codelists"]}
    counts = {}
    for standard in ("SDTM", "ADaM"):
        tree = _define(folders, standard)
        lists = _x(tree, "//odm:CodeList")
        cdisc = _x(tree, "//odm:CodeList[@def:StandardOID]")
        sponsor = _x(tree, "//odm:CodeList[@def:IsNonStandard='Yes']")
        external = _x(tree, "//odm:CodeList[odm:ExternalCodeList]")
        assert len(lists) == len(cdisc) + len(sponsor) + len(external)
        counts[standard] = (len(cdisc), len(sponsor), len(external))
        # NCI codes on every CDISC codelist; ExtendedValue only on CDISC codelists, without NCI code
        assert all(_x(cl, "odm:Alias[@Context='nci:ExtCodeID']") for cl in cdisc)
        assert _x(tree, "//odm:CodeList[not(@def:StandardOID)]//@def:ExtendedValue") == []
        assert _x(tree, "//*[@def:ExtendedValue='Yes']/odm:Alias") == []
        assert _x(tree, "//odm:CodeList[@def:IsNonStandard]//odm:Alias") == []
        # ISO 3166 for country
        country = _x(tree, "//odm:CodeList[@OID='CL.COUNTRY']/odm:ExternalCodeList")[0]
        assert country.get("Dictionary") == "ISO 3166-1 alpha-3"
    assert counts == {"SDTM": (40, 6, 3), "ADaM": (14, 23, 3)}  # ADaM sponsor lists include CL.BASETYPE
    sdtm, adam = _define(folders, "SDTM"), _define(folders, "ADaM")
    # IECAT is CDISC C66797 with its two terms
    assert _x(sdtm, "//odm:CodeList[@OID='CL.IECAT']/@def:StandardOID") == ["STD.CT.SDTM"]
    assert _x(sdtm, "//odm:CodeList[@OID='CL.IECAT']/odm:Alias/@Name") == ["C66797"]
    # ADaM CT lists point at the ADaM CT standard, with the codes of the ADaM CT release
    assert _x(adam, "//def:Standard[@Type='CT']/@PublishingSet") == ["ADaM", "SDTM"]
    for cl in _x(adam, "//odm:CodeList[@def:StandardOID='STD.CT.ADaM']"):
        code = _x(cl, "string(odm:Alias/@Name)")
        assert code in adam_codes, cl.get("OID")
        for item in _x(cl, "odm:EnumeratedItem | odm:CodeListItem"):
            assert _x(item, "string(odm:Alias/@Name)") == adam_codes[code][item.get("CodedValue")]
    assert sorted(_x(adam, "//odm:CodeList[@def:StandardOID='STD.CT.ADaM']/@OID")) == [
        "CL.DATEFL", "CL.EOSSTT", "CL.PARAMTYP"]
    # SDTM CT lists used in ADaM keep the SDTM CT standard
    for oid in ("CL.NY", "CL.SEX", "CL.AESEV"):
        assert _x(adam, f"//odm:CodeList[@OID='{oid}']/@def:StandardOID") == ["STD.CT.SDTM"], oid
    # ADAE's dictionary-derived variables reference MedDRA
    meddra = {i.get("Name") for i in _x(adam, "//odm:ItemDef[starts-with(@OID, 'IT.ADAE.')]"
                                             "[odm:CodeListRef[starts-with(@CodeListOID, 'CL.MEDDRA')]]")}
    assert {"AEDECOD", "AEBODSYS", "AELLT", "AEHLT", "AEHLGT", "AESOC", "AEPTCD", "AESOCCD"} <= meddra


def test_numeric_lengths_are_value_widths_and_every_float_has_significant_digits(folders):
    for standard in ("SDTM", "ADaM"):
        tree = _define(folders, standard)
        assert _x(tree, "//odm:ItemDef[@DataType='float'][not(@SignificantDigits)]") == []
        eights = _x(tree, "//odm:ItemDef[@DataType='integer' or @DataType='float'][@Length='8']/@Name")
        assert {n[-2:] for n in eights} <= {"CD"}, eights  # only 8-digit MedDRA codes need 8 digits
    adsl, _ = read_xpt(folders["ADaM"] / "adsl.xpt")
    adam = _define(folders, "ADaM")
    # AGE: two digits; TBILBL: integer part digits + decimals, counted by hand from the data
    assert _x(adam, "string(//odm:ItemDef[@OID='IT.ADSL.AGE']/@Length)") == str(len(str(int(adsl["AGE"].max()))))
    tbil = _x(adam, "//odm:ItemDef[@OID='IT.ADSL.TBILBL']")[0]
    decimals = max(len(f"{v:.10f}".rstrip("0").split(".")[1]) for v in adsl["TBILBL"].dropna())
    assert int(tbil.get("SignificantDigits")) == decimals
    assert int(tbil.get("Length")) == len(str(int(adsl["TBILBL"].max()))) + decimals


def test_value_level_lengths_and_oids(folders):
    for standard in ("SDTM", "ADaM"):
        tree = _define(folders, standard)
        items = {i.get("OID"): i for i in _x(tree, "//odm:ItemDef")}
        for parent in _x(tree, "//odm:ItemDef[def:ValueListRef][@Length]"):
            vl = parent.find("def:ValueListRef", XP_NS).get("ValueListOID")
            for oid in _x(tree, f"//def:ValueListDef[@OID='{vl}']/odm:ItemRef/@ItemOID"):
                length = items[oid].get("Length")
                assert length is None or int(length) <= int(parent.get("Length")), oid
        oids = _x(tree, "//@OID | //@ItemOID | //@WhereClauseOID | //@ValueListOID | //@CodeListOID | //@ID")
        assert [o for o in oids if " " in o] == []
    sdtm = _define(folders, "SDTM")
    assert _x(sdtm, "//odm:ItemDef[@OID='IT.DS.DSDECOD.DISPOSITION_EVENT']/@Name") == ["DSDECOD"]
    # SE and DS timing mixes dates and datetimes: partialDatetime
    for oid in ("IT.SE.SESTDTC", "IT.SE.SEENDTC", "IT.DS.DSSTDTC"):
        assert _x(sdtm, f"string(//odm:ItemDef[@OID='{oid}']/@DataType)") == "partialDatetime", oid


def test_define_texts_name_no_files_programs_or_build(folders):
    for standard in ("SDTM", "ADaM"):
        tree = _define(folders, standard)
        assert len(_x(tree, "//odm:MethodDef | //def:CommentDef")) > 50 if standard == "ADaM" else True
        assert check_define_texts(tree) == []
        assert _x(tree, "//odm:FormalExpression") == []


# --------------------------------------------------------------------------- the study start
def test_no_informed_consent_precedes_the_study_start(folders):
    from aclf_cdisc.checks.catalogue import RULES_BY_ID

    rule = RULES_BY_ID["ACLF-TS-01"]

    ts, _ = read_xpt(folders["SDTM"] / "ts.xpt")
    dm, _ = read_xpt(folders["SDTM"] / "dm.xpt")
    sstdtc = ts.loc[ts["TSPARMCD"] == "SSTDTC", "TSVAL"].tolist()
    assert sstdtc == ["2023-09-30"]
    assert dm["RFICDTC"].str.slice(0, 10).min() == "2023-09-30"
    assert rule.severity == "error"


# --------------------------------------------------------------------------- manifest and verify
def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_manifest_lists_every_file_with_size_and_sha256(built, spec):
    root = built.out_dir
    manifest = json.loads((root / MANIFEST_NAME).read_text("utf-8"))
    on_disk = sorted(p.relative_to(root).as_posix() for folder in ("m5", "reports")
                     for p in (root / folder).rglob("*") if p.is_file())
    assert [f["path"] for f in manifest["files"]] == on_disk
    # 22 XPT + 22 Dataset-JSON + 2 x (define.xml, stylesheet, define.html) + 4 validation reports
    # + acrf, csdrg, adrg (PDF, and HTML copies in reports/) + the ADaM programs as text
    # + the analysis page: analysis.html, 4 figures as SVG with their CSV, 6 more CSV tables
    programs = len(list(adam_programs_dir(root, STUDY).iterdir()))
    assert programs > 20
    assert manifest["file_count"] == len(on_disk) == 54 + 6 + programs + 1 + 4 * 2 + 6
    for entry in manifest["files"]:
        path = root / entry["path"]
        assert (entry["size"], entry["sha256"]) == (path.stat().st_size, _sha256(path))
    assert manifest["tool"] == {"name": "aclf-cdisc", "version": __import__("aclf_cdisc").__version__}
    assert manifest["build"] == {"study": STUDY, "mode": "unblinded", "dataset_json": True}
    assert manifest["standards"]["SDTMIG"] == "3.4" and manifest["standards"]["ADaMIG"] == "1.3"
    assert manifest["standards"]["Define-XML"] == "2.1.0" and manifest["standards"]["MedDRA"] == "27.1"
    assert manifest["standards"]["CDISC CT"]["SDTM"] == "2025-03-28"
    specs = {p.relative_to(REPO_SPECS).as_posix(): _sha256(p) for p in REPO_SPECS.rglob("*.yaml")}
    assert manifest["specs"]["files"] == dict(sorted(specs.items()))
    lines = "".join(f"{digest}  {name}\n" for name, digest in sorted(specs.items()))
    assert manifest["specs"]["sha256"] == hashlib.sha256(lines.encode()).hexdigest()
    raw = manifest["inputs"]["raw_export"]["files"]
    assert {"dm.csv", "ic.csv", "irt_rand.csv"} <= set(raw)
    # the eCTD-style checksum file: one MD5 per file, as md5sum writes it
    md5 = (root / CHECKSUM_NAME).read_text("utf-8").splitlines()
    assert len(md5) == len(on_disk)
    first_digest, first_path = md5[0].split("  ")
    assert first_digest == hashlib.md5((root / first_path).read_bytes()).hexdigest()
    if shutil.which("md5sum"):
        done = subprocess.run(["md5sum", "-c", "--quiet", CHECKSUM_NAME], cwd=root, capture_output=True, check=False)
        assert done.returncode == 0, done.stdout


def _copy(built, tmp_path) -> Path:
    copy = tmp_path / "copy"
    for name in ("m5", "reports"):
        shutil.copytree(built.out_dir / name, copy / name)
    for name in (MANIFEST_NAME, CHECKSUM_NAME):
        shutil.copy2(built.out_dir / name, copy / name)
    return copy


def _verify_cli(folder: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.run([sys.executable, "-m", "aclf_cdisc", "package", "verify", str(folder)],
                          capture_output=True, text=True, env=env, check=False)


def test_verify_accepts_an_intact_copy_and_names_each_tampered_missing_and_extra_file(built, tmp_path):
    copy = _copy(built, tmp_path)
    assert verify_package(copy) == []
    done = _verify_cli(copy)
    assert done.returncode == 0 and "match the manifest" in done.stdout

    sdtm = f"m5/datasets/{STUDY.lower()}/tabulations/sdtm"
    adam = f"m5/datasets/{STUDY.lower()}/analysis/adam/datasets"
    with (copy / sdtm / "dm.xpt").open("r+b") as handle:  # one byte changed, same size
        handle.seek(4000)
        byte = handle.read(1)
        handle.seek(4000)
        handle.write(bytes([byte[0] ^ 0xFF]))
    (copy / adam / "adsl.json").unlink()
    (copy / sdtm / "notes.txt").write_text("not part of the package\n", "utf-8")
    issues = verify_package(copy)
    assert [(i.rule, i.file) for i in issues] == [
        ("package.file-missing", f"{adam}/adsl.json"),
        ("package.file-changed", f"{sdtm}/dm.xpt"),
        ("package.file-extra", f"{sdtm}/notes.txt"),
        ("package.checksum-mismatch", CHECKSUM_NAME),
    ]
    assert issues[-1].value == f"{sdtm}/dm.xpt"
    done = _verify_cli(copy)
    assert done.returncode == 1
    for name in (f"{adam}/adsl.json", f"{sdtm}/dm.xpt", f"{sdtm}/notes.txt"):
        assert name in done.stdout


def test_rewriting_the_defines_refreshes_the_manifest(built, tmp_path):
    copy = _copy(built, tmp_path)
    define = copy / f"m5/datasets/{STUDY.lower()}/tabulations/sdtm/define.xml"
    before, manifest = define.read_bytes(), (copy / MANIFEST_NAME).read_text("utf-8")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    done = subprocess.run([sys.executable, "-m", "aclf_cdisc", "define", "--outputs", str(copy),
                           "--creation-datetime", "2030-01-01T00:00:00"],
                          capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert define.read_bytes() != before
    assert verify_package(copy) == []
    after = json.loads((copy / MANIFEST_NAME).read_text("utf-8"))
    assert {k: v for k, v in after.items() if k != "files"} == {
        k: v for k, v in json.loads(manifest).items() if k not in ("files", "total_bytes")} | {
        "total_bytes": after["total_bytes"]}


def test_verify_without_a_manifest_fails_plainly(tmp_path):
    done = _verify_cli(tmp_path)
    assert done.returncode == 1 and "package.manifest-missing" in done.stdout


# --------------------------------------------------------------------------- Dataset-JSON copies
def test_every_dataset_has_a_valid_dataset_json_copy_equal_to_its_xpt(folders, shared):
    schema = json.loads((shared / "schemas" / "dataset-json-1.1" / "dataset.schema.json").read_text("utf-8"))
    validator = jsonschema.Draft202012Validator(schema) if "2020-12" in schema.get("$schema", "") \
        else jsonschema.validators.validator_for(schema)(schema)
    checked = 0
    for folder in folders.values():
        for xpt in sorted(folder.glob("*.xpt")):
            path = xpt.with_suffix(".json")
            document = json.loads(path.read_text("utf-8"))
            errors = sorted(validator.iter_errors(document), key=lambda e: list(e.path))
            assert errors == [], (path.name, errors[0].message if errors else None)
            frame, meta = read_xpt(xpt)
            back, back_meta = read_dataset_json(path)
            assert document["records"] == len(frame) and document["name"] == meta.name
            assert [v.name for v in back_meta.variables] == [v.name for v in meta.variables]
            pd.testing.assert_frame_equal(back.reset_index(drop=True), frame.reset_index(drop=True),
                                          check_dtype=False)
            checked += 1
    assert checked == 22
