"""``aclf-cdisc validate``: one clear message for what a user can get wrong; Dataset-JSON read like XPT;
the HTML report in a real browser; this study's own build validates with 0 errors under ``final``."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from lxml import etree

from aclf_cdisc.checks.explanations import unexplained
from aclf_cdisc.checks.validate_folder import validate_folder
from aclf_cdisc.cli import main
from aclf_cdisc.transport.datasetjson import write_dataset_json
from aclf_cdisc.transport.meta import XptDataset, XptVariable
from aclf_cdisc.transport.xpt import write_xpt

CHROMIUM = next((p for p in (shutil.which("chromium"), "/usr/bin/chromium", shutil.which("chromium-browser"))
                 if p and Path(p).exists()), None)

DM = pd.DataFrame({"STUDYID": ["S1", "S1"], "DOMAIN": ["DM", "DM"], "USUBJID": ["S1-1", "S1-1"],
                   "SUBJID": ["1", "1"]})
DM_META = XptDataset(name="DM", label="Demographics", variables=tuple(
    XptVariable(n, label, "char", 8) for n, label in (("STUDYID", "Study Identifier"),
                                                      ("DOMAIN", "Domain Abbreviation"),
                                                      ("USUBJID", "Unique Subject Identifier"),
                                                      ("SUBJID", "Subject Identifier for the Study"))))


def _run(capsys, *argv):
    code = main(["validate", *map(str, argv)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_folder_with_nothing_to_validate(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    code, _, err = _run(capsys, tmp_path, "--out", tmp_path / "r")
    assert code == 1
    assert err.strip().splitlines() == [f"aclf-cdisc validate: [error] validate.nothing-to-validate: nothing to "
                                        f"validate: no .xpt or Dataset-JSON files (file={tmp_path}); expected a "
                                        "folder holding *.xpt or *.json datasets"]


def test_an_unreadable_file_is_named(tmp_path, capsys):
    (tmp_path / "ae.xpt").write_bytes(b"not a transport file" * 10)
    code, _, err = _run(capsys, tmp_path)
    assert code == 1 and "Traceback" not in err
    assert "validate.file-unreadable: cannot read ae.xpt: not a SAS XPORT v5 file" in err
    assert f"file={tmp_path / 'ae.xpt'}" in err


def test_a_malformed_dataset_json_is_named_with_its_place(tmp_path, capsys):
    (tmp_path / "dm.json").write_text('{"datasetJSONVersion": "1.1.0", "name": "DM", "columns": '
                                      '[{"name": "USUBJID", "dataType": "string"}], "rows": [["S1-1"], []]}',
                                      encoding="utf-8")
    code, _, err = _run(capsys, tmp_path, "--out", tmp_path / "r")
    assert code == 1
    assert err.strip().splitlines() == [
        "aclf-cdisc validate: [error] validate.file-unreadable: cannot read dm.json: record 2 is 0 values, not one "
        f"value per column (file={tmp_path / 'dm.json'}, row=2, column=rows[1]); value='[]'; expected an array of "
        "1 values"]
    assert not (tmp_path / "r").exists()


def test_a_ct_file_in_the_wrong_format(tmp_path, capsys):
    write_xpt(DM.iloc[:1], DM_META, tmp_path / "dm.xpt")
    ct = tmp_path / "ct.txt"
    ct.write_text("Code,Name\nC1,x\n", encoding="utf-8")
    code, _, err = _run(capsys, tmp_path, "--ct", ct)
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "validate.ct-invalid: --ct is not a CDISC CT file in the NCI EVS text export format" in err


def test_a_ct_file_not_in_utf8_is_named_with_its_line(tmp_path, capsys):
    write_xpt(DM.iloc[:1], DM_META, tmp_path / "dm.xpt")
    ct = tmp_path / "ct.txt"
    ct.write_bytes(b"Code\tCodelist Code\n" + b"C1\t\n" * 3 + b"C2\tCaf\xe9\n")  # latin-1 on line 5
    code, _, err = _run(capsys, tmp_path, "--ct", ct)
    assert code == 1 and len(err.strip().splitlines()) == 1
    assert "validate.ct-invalid: --ct is not a CDISC CT file in the NCI EVS text export format: the CT file is " \
           "not UTF-8 text" in err
    assert f"(file={ct}, row=5)" in err


def test_dataset_json_reads_like_xpt_and_duplicate_usubjid_is_found(tmp_path):
    write_dataset_json(DM, DM_META, tmp_path / "dm.json")
    outcome = validate_folder(tmp_path)
    found = sorted({(i.rule, i.dataset) for i in outcome.validation.issues})
    # a DM-only delivery: no TS (two FDA gates), no define.xml (a gate), and the duplicate subject
    assert ("SD0083", "DM") in found and ("SD1115", "TS") in found and ("DD0101", None) in found
    assert outcome.delivery.files["DM"].name == "dm.json"


def test_json_files_that_are_not_datasets_are_skipped_and_noted(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    write_xpt(DM.iloc[:1], DM_META, data / "dm.xpt")
    (data / "manifest.json").write_text('{"files": [], "folders": ["m5"]}', encoding="utf-8")
    (data / "notes.json").write_text("[1, 2]", encoding="utf-8")
    outcome = validate_folder(data)
    assert outcome.delivery.skipped == (data / "manifest.json", data / "notes.json")
    assert [(i.rule, i.severity, i.file) for i in outcome.validation.issues if i.rule.startswith("validate.")] == [
        ("validate.file-skipped", "note", str(data / "manifest.json")),
        ("validate.file-skipped", "note", str(data / "notes.json"))]
    code, out, err = _run(capsys, data, "--out", tmp_path / "r")
    assert "Traceback" not in err and "validate.file-skipped  note          2  Folder validation: file-skipped" in out
    (data / "dm.xpt").unlink()
    code, _, err = _run(capsys, data, "--out", tmp_path / "r")
    assert code == 1
    assert err.strip().splitlines() == [
        "aclf-cdisc validate: [error] validate.nothing-to-validate: nothing to validate: no .xpt files, and no .json "
        f"file is Dataset-JSON (2 other .json file(s) skipped) (file={data}); expected a folder holding *.xpt "
        "or *.json datasets"]


def test_draft_checklist_keeps_the_gates_as_errors(tmp_path):
    write_xpt(DM, DM_META, tmp_path / "dm.xpt")
    final = validate_folder(tmp_path, checklist="final").validation
    draft = validate_folder(tmp_path, checklist="draft").validation
    assert {i.rule for i in final.issues if i.severity == "error"} >= {"SD0083", "SD1115", "DD0101"}
    assert {i.rule for i in draft.issues if i.severity == "error"} == {"SD1115", "DD0101"}
    assert {i.rule: i.severity for i in draft.issues}["SD0083"] == "warning"


# --------------------------------------------------------------------------------------------
# this study's build
# --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def built(tmp_path_factory):
    from aclf_cdisc.package.build import BuildOptions, build_package

    out = tmp_path_factory.mktemp("build")
    return build_package(BuildOptions(out_dir=out))


def test_the_study_build_has_no_errors_and_every_warning_is_explained(built):
    from aclf_cdisc.checks.explanations import spec_explanations
    from aclf_cdisc.spec import load_spec

    assert [i for i in built.issues if i.severity == "error"] == []
    assert unexplained(built.issues, spec_explanations(load_spec(None))) == []
    report = pd.read_excel(built.out_dir / "reports" / "validation.xlsx", sheet_name="Details")
    warnings = report[report["Severity"] == "Warning"]
    assert len(warnings) and warnings["Explanation"].notna().all()


def test_the_study_outputs_validate_as_a_folder_under_final(built, tmp_path):
    outcome = validate_folder(built.out_dir / "m5", out=tmp_path)
    errors = sorted({(i.rule, i.dataset) for i in outcome.validation.issues if i.severity == "error"})
    assert errors == []
    assert {"DM", "TS", "ADSL", "ADTTE"} <= set(outcome.delivery.datasets)


def test_a_whole_package_folder_validates_its_datasets_and_skips_the_manifest_and_reports(built, tmp_path):
    outcome = validate_folder(built.out_dir, out=tmp_path)
    assert [i for i in outcome.validation.issues if i.severity == "error"] == []
    assert sorted(p.relative_to(built.out_dir).as_posix() for p in outcome.delivery.skipped) == [
        "manifest.json", "reports/validation.json"]
    assert set(outcome.delivery.datasets) == set(validate_folder(built.out_dir / "m5").delivery.datasets)


@pytest.mark.browser
@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not installed (apt-get install chromium)")
def test_html_report_sorts_and_filters_in_a_browser(built, tmp_path):
    page = (built.out_dir / "reports" / "validation.html").as_uri()
    base = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run", "--allow-file-access-from-files"]
    done = subprocess.run([*base, f"--user-data-dir={tmp_path / 'p1'}", "--dump-dom", page], capture_output=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    dom = etree.HTML(done.stdout)
    tables = dom.xpath("//table[contains(@class,'grid')]")
    assert len(dom.xpath("//input[@class='filter']")) == len(tables) > 3  # the script ran: one filter per table
    rules = dom.xpath("//h2[.='Rules']/following-sibling::table[1]/tbody/tr")
    assert len(rules) == len(built_rules()) and dom.xpath("//tr[@class='passed']")
    png = tmp_path / "validation.png"
    shot = subprocess.run([*base, f"--user-data-dir={tmp_path / 'p2'}", f"--screenshot={png}",
                           "--window-size=1400,1800", "--hide-scrollbars", page], capture_output=True, timeout=120,
                          check=False)
    assert shot.returncode == 0, shot.stderr.decode(errors="replace")[-2000:]
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000


def built_rules():
    from aclf_cdisc.checks.catalogue import preset
    from aclf_cdisc.checks.run import rules_to_run

    return rules_to_run(preset("final"), study=True)


def test_a_dataset_file_whose_name_is_not_utf8_is_named_and_no_report_written(tmp_path, capsys):
    import os

    data = tmp_path / "data"
    data.mkdir()
    write_xpt(DM.iloc[:1], DM_META, data / os.fsdecode(b"dm\xff.xpt"))
    code, _, err = _run(capsys, data, "--out", tmp_path / "r")
    assert code == 1
    assert err.strip().splitlines() == [
        "aclf-cdisc validate: [error] validate.name-not-utf8: a dataset file's name holds bytes that are not UTF-8 "
        f"(shown as \\xNN), and the reports name every file in UTF-8: rename it (file={data}/dm\\xff.xpt); "
        "expected a file name in UTF-8"]
    assert not (tmp_path / "r").exists()


# --------------------------------------------------------------------------------------------
# datasets that lack what the rules read
# --------------------------------------------------------------------------------------------
def _write(folder: Path, name: str, columns: dict[str, list]) -> None:
    """``folder/<name>.xpt`` holding ``columns`` (text columns 20 characters, numbers 8 bytes)."""
    frame = pd.DataFrame(columns)
    numeric = {c: pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns}
    variables = tuple(XptVariable(c, c, "num" if numeric[c] else "char", 8 if numeric[c] else 20) for c in frame)
    write_xpt(frame, XptDataset(name=name, label=name, variables=variables), folder / f"{name.lower()}.xpt")


SUBJECT = {"STUDYID": ["S1"], "USUBJID": ["S1-1"]}
DM_FULL = {**SUBJECT, "DOMAIN": ["DM"], "ARMCD": ["A"], "ACTARMCD": ["A"], "RFSTDTC": ["2024-01-02"],
           "RFICDTC": ["2024-01-01"]}


@pytest.mark.parametrize(("datasets", "missing"), [
    ({"DM": {k: v for k, v in DM_FULL.items() if k != "USUBJID"},
      "EX": {**SUBJECT, "DOMAIN": ["EX"], "EXSTDTC": ["2024-01-02"]},
      "TS": {"STUDYID": ["S1"], "DOMAIN": ["TS"], "TSPARMCD": ["SSTDTC"], "TSVAL": ["2024-01-01"]}},
     ("DM", "USUBJID")),
    ({"DM": DM_FULL, "EX": {"STUDYID": ["S1"], "DOMAIN": ["EX"], "EXSTDTC": ["2024-01-02"]},
      "EC": {"STUDYID": ["S1"], "DOMAIN": ["EC"], "ECSTDTC": ["2024-01-02"]}},
     ("EX", "USUBJID")),
    ({"DM": DM_FULL, "TS": {"STUDYID": ["S1"], "DOMAIN": ["TS"], "TSVAL": ["2024-01-01"]}},
     ("TS", "TSPARMCD")),
    ({"DM": {column: [] for column in DM_FULL},
      "AE": {**SUBJECT, "DOMAIN": ["AE"], "AESTDTC": ["2024-01-03"], "AESTDY": [2.0]}},
     None),
])
def test_a_dataset_lacking_a_variable_or_its_records_is_reported_not_a_crash(tmp_path, capsys, datasets, missing):
    """A DM without USUBJID, an EX without USUBJID, a TS without TSPARMCD or a DM without records are
    findings about the delivery (a missing Req variable is SD0056), never an internal error of a
    rule that reads them."""
    data = tmp_path / "data"
    data.mkdir()
    for name, columns in datasets.items():
        _write(data, name, columns)
    code, _, err = _run(capsys, data, "--out", tmp_path / "r")
    assert code == 1
    assert "internal error" not in err and "Traceback" not in err
    issues = validate_folder(data).validation.issues
    if missing is not None:
        dataset, column = missing
        assert ("SD0056", dataset, column, "error") in {(i.rule, i.dataset, i.column, i.severity) for i in issues}
    assert (tmp_path / "r" / "validation.csv").is_file()


@pytest.mark.parametrize(("content", "value"), [(b"hello", None), (b"", None), (b"\x00\x01binary", None),
                                                (b"<html><body/></html>", "html")])
def test_a_define_that_is_not_xml_fails_instead_of_passing_the_define_gate(tmp_path, capsys, content, value):
    """Any file named define.xml (text, a binary, an HTML page) passed DD0101 and was merely noted
    as an unsupported version, exit 0; it is an error that the delivery has no readable define."""
    data = tmp_path / "data"
    data.mkdir()
    write_xpt(DM.iloc[:1], DM_META, data / "dm.xpt")
    (data / "define.xml").write_bytes(content)
    issues = validate_folder(data).validation.issues
    found = [(i.rule, i.severity, i.file, i.value) for i in issues if i.rule.startswith(("define.", "DD0101"))]
    assert found == [("define.unreadable", "error", "define.xml", value)]
    code, _, err = _run(capsys, data, "--out", tmp_path / "r")
    assert code == 1 and "internal error" not in err


def test_a_define_xml_10_is_still_noted_not_failed(shared, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    write_xpt(DM.iloc[:1], DM_META, data / "dm.xpt")
    define = shared / "anchors" / "cdiscpilot01" / "sdtm" / "define.xml"
    issues = validate_folder(data, define=define).validation.issues
    assert [(i.rule, i.severity) for i in issues if i.rule.startswith(("define.", "DD0101"))] == [
        ("define.version-unsupported", "note")]
