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
from aclf_cdisc.spec import load_spec
from aclf_cdisc.transport import read_xpt

REPO_SPECS = Path(__file__).resolve().parents[2] / "specs"


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def spec():
    return load_spec(REPO_SPECS)


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


def test_05_same_inputs_give_byte_identical_outputs(tmp_path):
    # the report carries the schema notes of both defines: they must not name the staging folder
    one = build_package(BuildOptions(spec_root=REPO_SPECS, out_dir=tmp_path / "one"))
    two = build_package(BuildOptions(spec_root=REPO_SPECS, out_dir=tmp_path / "two"))
    first, second = _files(one.out_dir), _files(two.out_dir)
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


def _previous_build(out: Path) -> dict[str, bytes]:
    (out / "m5").mkdir(parents=True)
    (out / "m5" / "previous.xpt").write_bytes(b"the previous build")
    return _files(out)


def test_06_an_unmapped_ct_value_stops_the_build_and_leaves_outputs_alone(tmp_path):
    raw = _copy_export(tmp_path)
    ae = pd.read_csv(raw / "ae.csv", dtype=str, keep_default_na=False)
    ae.loc[3, "AEOUT"] = "Better now"
    ae.to_csv(raw / "ae.csv", index=False)
    out = tmp_path / "outputs"
    before = _previous_build(out)
    with pytest.raises(AclfError) as failure:
        build_package(BuildOptions(raw_dir=raw, spec_root=REPO_SPECS, out_dir=out))
    issues = failure.value.issues
    assert any(i.value == "Better now" and i.row == 4 and i.file and i.file.endswith("ae.csv") for i in issues), \
        [i.render() for i in issues]
    assert _files(out) == before


def test_07_a_schema_violation_stops_the_build_with_dataset_variable_row_and_value(tmp_path):
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
    before = _previous_build(out)
    with pytest.raises(AclfError) as failure:
        build_package(BuildOptions(spec_root=specs, out_dir=out))
    subjid = [i for i in failure.value.issues if i.dataset == "DM" and i.column == "SUBJID"]
    assert subjid and subjid[0].value == "101-0001" and subjid[0].row is not None
    assert _files(out) == before


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
