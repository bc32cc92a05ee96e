"""The main job end to end on the bundled sample: every dataset, both defines, atomic, reproducible.

These tests read back what a build wrote, the way a submission team and a reviewer would:
XPT files through the project's reader, define.xml against the CDISC 2.1 schema in ../shared
and against the XPT files, and the build report.
"""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from lxml import etree

from aclf_cdisc.define import check_define, check_define_against_data, validate_define_schema
from aclf_cdisc.errors import AclfError
from aclf_cdisc.package.build import BuildOptions, build_package
from aclf_cdisc.package.layout import adam_dir, sdtm_dir
from aclf_cdisc.sample import edc_dir
from aclf_cdisc.transport import read_xpt

REPO_SPECS = Path(__file__).resolve().parents[2] / "specs"




@pytest.fixture(scope="module")
def built(tmp_path_factory, shared):
    out = tmp_path_factory.mktemp("outputs")
    result = build_package(BuildOptions(spec_root=REPO_SPECS, out_dir=out,
                                        schema_dir=shared / "schemas" / "define-xml-2.1"))
    return result


def test_01_every_spec_dataset_is_written_in_the_ectd_layout(built, spec):
    sdtm = sdtm_dir(built.out_dir, spec.study.studyid)
    adam = adam_dir(built.out_dir, spec.study.studyid)
    assert sdtm.as_posix().endswith("m5/datasets/aclf-msc-302/tabulations/sdtm")
    assert adam.as_posix().endswith("m5/datasets/aclf-msc-302/analysis/adam/datasets")
    expected_sdtm = {f"{d.name.lower()}.xpt" for d in spec.by_standard("SDTM")}
    expected_adam = {f"{d.name.lower()}.xpt" for d in spec.by_standard("ADaM")}
    assert {p.name for p in sdtm.glob("*.xpt")} == expected_sdtm
    assert {p.name for p in adam.glob("*.xpt")} == expected_adam
    for folder in (sdtm, adam):
        assert {"define.xml", "define2-1.xsl", "define.html"} <= {p.name for p in folder.iterdir()}
    # the FDA gates: ts.xpt and dm.xpt for SDTM, adsl.xpt for ADaM, each beside a define.xml
    assert {"ts.xpt", "dm.xpt"} <= expected_sdtm and "adsl.xpt" in expected_adam
    assert not [p for p in built.out_dir.iterdir() if p.name.startswith(".")]


def test_02_record_counts_match_the_raw_export(built):
    raw_dm = pd.read_csv(edc_dir() / "dm.csv", dtype=str)
    randomized = pd.read_csv(edc_dir() / "irt_rand.csv", dtype=str)
    stage1 = randomized[randomized["RANDSTG"] == "1"]
    dm, _ = read_xpt(sdtm_dir(built.out_dir, "ACLF-MSC-302") / "dm.xpt")
    adsl, _ = read_xpt(adam_dir(built.out_dir, "ACLF-MSC-302") / "adsl.xpt")
    assert len(dm) == len(raw_dm) == 172          # 150 randomized + 22 screen failures
    assert len(adsl) == stage1["SUBJID"].nunique() == 150
    assert (dm["ARMNRS"] == "SCREEN FAILURE").sum() == 22


def test_03_both_defines_are_valid_and_agree_with_the_xpt_files(built, spec, shared):
    schema_dir = shared / "schemas" / "define-xml-2.1"
    for folder in (sdtm_dir(built.out_dir, spec.study.studyid), adam_dir(built.out_dir, spec.study.studyid)):
        define = folder / "define.xml"
        assert [i for i in validate_define_schema(define, schema_dir) if i.severity == "error"] == []
        tree = etree.parse(str(define))
        assert check_define(tree) == []
        datasets = {}
        for path in sorted(folder.glob("*.xpt")):
            frame, meta = read_xpt(path)
            datasets[meta.name] = (frame, meta)
        problems = [i for i in check_define_against_data(tree, datasets, spec=spec) if i.severity == "error"]
        assert problems == []


def test_04_the_build_report_is_written_and_has_no_errors(built):
    report = pd.read_csv(built.out_dir / "reports" / "validation.csv", dtype=str)
    assert "error" not in set(report["severity"])
    # the planted duplicate lab entries are reported, not silently dropped
    assert (report["rule"] == "sdtm.duplicate-record").sum() >= 1


def test_05_same_inputs_give_byte_identical_outputs(tree_bytes, tmp_path):
    # the report carries the schema notes of both defines: they must not name the staging folder
    one = build_package(BuildOptions(spec_root=REPO_SPECS, out_dir=tmp_path / "one"))
    two = build_package(BuildOptions(spec_root=REPO_SPECS, out_dir=tmp_path / "two"))
    first, second = tree_bytes(one.out_dir), tree_bytes(two.out_dir)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []
    assert {Path(name).name for name in first} >= {"acrf.pdf", "csdrg.pdf", "adrg.pdf"}  # PDFs too
    valid = [i for i in one.issues if i.rule == "define.schema-valid"]
    assert sorted(i.file for i in valid) == [
        "m5/datasets/aclf-msc-302/analysis/adam/datasets/define.xml",
        "m5/datasets/aclf-msc-302/tabulations/sdtm/define.xml",
    ]


def _copy_export(tmp_path: Path) -> Path:
    raw = tmp_path / "edc"
    shutil.copytree(edc_dir(), raw)
    return raw


def _previous_build(tree_bytes, out: Path) -> dict[str, bytes]:
    (out / "m5").mkdir(parents=True)
    (out / "m5" / "previous.xpt").write_bytes(b"the previous build")
    return tree_bytes(out)


def test_06_an_unmapped_ct_value_stops_the_build_and_leaves_outputs_alone(tree_bytes, tmp_path):
    raw = _copy_export(tmp_path)
    ae = pd.read_csv(raw / "ae.csv", dtype=str, keep_default_na=False)
    ae.loc[3, "AEOUT"] = "Better now"
    ae.to_csv(raw / "ae.csv", index=False)
    out = tmp_path / "outputs"
    before = _previous_build(tree_bytes, out)
    with pytest.raises(AclfError) as failure:
        build_package(BuildOptions(raw_dir=raw, spec_root=REPO_SPECS, out_dir=out))
    issues = failure.value.issues
    assert any(i.value == "Better now" and i.row == 4 and i.file and i.file.endswith("ae.csv") for i in issues), \
        [i.render() for i in issues]
    assert tree_bytes(out) == before


def test_07_a_schema_violation_stops_the_build_with_dataset_variable_row_and_value(tree_bytes, tmp_path):
    specs = tmp_path / "specs"
    shutil.copytree(REPO_SPECS, specs)
    dm = specs / "sdtm" / "dm.yaml"
    text = dm.read_text(encoding="utf-8")
    # declare SUBJID far too short: every subject breaks the spec-generated schema
    start = text.index("- name: SUBJID")
    end = text.index("length:", start)
    line_end = text.index("\n", end)
    dm.write_text(text[:end] + "length: 3" + text[line_end:], encoding="utf-8")
    out = tmp_path / "outputs"
    before = _previous_build(tree_bytes, out)
    with pytest.raises(AclfError) as failure:
        build_package(BuildOptions(spec_root=specs, out_dir=out))
    subjid = [i for i in failure.value.issues if i.dataset == "DM" and i.column == "SUBJID"]
    assert subjid and subjid[0].value == "101-0001" and subjid[0].row is not None
    assert tree_bytes(out) == before


def test_08_a_blinded_export_needs_the_blinded_option_and_then_builds_sdtm_only(tmp_path):
    raw = _copy_export(tmp_path)
    for irt in raw.glob("irt_*.csv"):
        irt.unlink()
    with pytest.raises(AclfError) as failure:
        build_package(BuildOptions(raw_dir=raw, spec_root=REPO_SPECS, out_dir=tmp_path / "a"))
    assert [i.rule for i in failure.value.issues] == ["build.irt-missing"]
    result = build_package(replace(BuildOptions(raw_dir=raw, spec_root=REPO_SPECS, out_dir=tmp_path / "b"),
                                   blinded=True))
    assert "ADSL" not in result.datasets
    assert set(result.datasets["DM"].loc[result.datasets["DM"]["ARMNRS"].isna(), "ARMCD"]) == {"BLINDED"}
    assert any(i.rule == "build.adam-skipped-blinded" for i in result.issues)


#: SHA-256 of every XPT file of the bundled sample's build. A change that is meant to alter a dataset
#: updates its digest here in the same commit; any other change (a refactoring, a faster derivation)
#: must leave every one of them as it is.
SAMPLE_XPT_SHA256 = {
    "analysis/adam/datasets/adae.xpt": "64b558015ec60aef65ce14dd270eb4e7ca4f626370c4d57555064e697afba355",
    "analysis/adam/datasets/adlb.xpt": "2dc3d0fc9f9d8438510dfe2c6709c059834fd674f5b8fbfcf05e944acf4228ef",
    "analysis/adam/datasets/adsl.xpt": "cb80b07ad0a363b6af6c412c9472ead23cce7836df1c46646279a61b3775fbd8",
    "analysis/adam/datasets/adtte.xpt": "8ab7a133eaf08760db7c451c5115645298c96770095f392421c034593f7565db",
    "tabulations/sdtm/ae.xpt": "4ca09cab6c6428e748aeb17644e6821329fc2765c1293755f9705ef75f40a001",
    "tabulations/sdtm/dm.xpt": "c3eb6e00042ecb39ad20fbddf82b7cf244549a6debea023b7cf40585d04ea37e",
    "tabulations/sdtm/ds.xpt": "25fed8bf0d5726af7150c4eb622a53a4628124101a146dfd329232485ba21eaf",
    "tabulations/sdtm/ec.xpt": "fe8379c7287770191420bf21be0836385006642c0307289c11037724f05f5094",
    "tabulations/sdtm/ex.xpt": "80402efaa776aaa307b5755444375363f67e27824cbfc1652fc127514e2eaebb",
    "tabulations/sdtm/lb.xpt": "b4e94ab5ca8484ebfecc37606fd3c91ab7276f3f9e134eafa09e8f122000b95e",
    "tabulations/sdtm/pr.xpt": "83f9cee5e9909c71cc22d3e047922a02849e6361382affe7a22f97dfa968b22e",
    "tabulations/sdtm/relrec.xpt": "4f3d960e37724c2c6ab396b6a5e5670aa9aded0dc429502536f6b2ba1dbb8de0",
    "tabulations/sdtm/rs.xpt": "ac20289d95d4dc8aaa20f8448869324699a106c6f10505e353631f65f917af48",
    "tabulations/sdtm/se.xpt": "994878132938972eb46e3236f4e5ce22fb8849880ab40d982b4b312e515c6f42",
    "tabulations/sdtm/suppds.xpt": "6c4a9e3835ea54ffe941fb1d5f8ca4bac4d70347d0efd01ce6b318903a8bfc25",
    "tabulations/sdtm/supppr.xpt": "f99ec79a7fd62c8a756b03bec281bea7da0cd867d4d8ef4883b882bf748ab579",
    "tabulations/sdtm/sv.xpt": "7fbe3af0eaae56bdbc8745f15ab84c26dc76a93aa955ae3ad4133217aa345d6b",
    "tabulations/sdtm/ta.xpt": "8f80a57249d7fa8e9b52164f778914b7f12b2a7b120098ed7b3b8ef0b32446a4",
    "tabulations/sdtm/te.xpt": "815fe608b5713d57a16656b732b997f6914d41604f4cce159a3821227855a7b9",
    "tabulations/sdtm/ti.xpt": "19f9e548ab5e3febced9e5eaf62248042675f7b55c20dcba367f15f7afa8de5c",
    "tabulations/sdtm/ts.xpt": "736e2bf9552ae46fcdeb03a86fd3409322e8504bde919b87d98c19513b9a5ce5",
    "tabulations/sdtm/tv.xpt": "5866fe2d12731d77bb413e9fa8895096d44233ca1f48af064e7e2f84e694734b",
}


def test_09_the_sample_builds_the_same_xpt_bytes_as_pinned(built, spec):
    import hashlib

    root = built.out_dir / "m5" / "datasets" / spec.study.studyid.lower()
    found = {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(root.rglob("*.xpt"))}
    assert found == SAMPLE_XPT_SHA256
