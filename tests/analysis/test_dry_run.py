"""Dry runs while blind: --dummy-randomization never reads the IRT files and says so everywhere;
--blinded builds report the masked treatment once per variable, not once per record."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from aclf_cdisc.package.build import BuildOptions, build_package
from aclf_cdisc.package.manifest import verify_package
from aclf_cdisc.raw import read_export
from aclf_cdisc.raw.dummy import dummy_irt

REPO = Path(__file__).resolve().parents[2]
EDC = REPO / "src" / "aclf_cdisc" / "sample" / "edc"
LABEL = "DUMMY RANDOMIZATION"


@pytest.fixture(scope="module")
def dry_run(tmp_path_factory):
    """A dummy-randomization build of the sample whose IRT files are unreadable garbage: had the
    build opened them, their layout check would have stopped it."""
    root = tmp_path_factory.mktemp("dry")
    raw = root / "edc"
    shutil.copytree(EDC, raw)
    (raw / "irt_rand.csv").write_text("this is not,an IRT export\n\x00\x01", encoding="latin-1")
    (raw / "irt_kits.csv").write_text("neither is this\n", encoding="utf-8")
    result = build_package(BuildOptions(raw_dir=raw, out_dir=root / "out", dummy_randomization=20231003))
    return root / "out", result


def test_01_real_irt_never_read_and_no_real_randomization_in_any_byte(dry_run):
    out, result = dry_run
    assert any(i.rule == "build.dummy-randomization" for i in result.issues)
    real = pd.read_csv(EDC / "irt_rand.csv", dtype=str)
    blob = b"".join(p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file())
    found = [n for n in real["RANDNO"] if n.encode() in blob]
    assert found == []
    assert b"DUMMY-R1-0001" in blob and b"DUMMY-R2-0001" in blob


def test_02_every_output_says_dummy_on_its_first_line(dry_run):
    out, _ = dry_run
    unstamped, kinds = [], Counter()
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        head = path.read_bytes()[:560]
        kinds[path.suffix] += 1
        if path.suffix == ".pdf":
            continue  # first page and title, below
        if path.suffix == ".xpt":  # the dataset label of the member header: 80-byte record 7
            assert head[240:320].startswith(b"HEADER RECORD*******MEMBER  HEADER RECORD"), path.name
            if not head[512:552].startswith(LABEL.encode() + b": "):
                unstamped.append(str(path.relative_to(out)))
            continue
        if path.suffix == ".xlsx":
            wb = load_workbook(path)
            first = wb.worksheets[0]
            if not (str(first["A1"].value).startswith(LABEL) and wb.properties.title == LABEL
                    and all(ws.oddHeader.center.text == LABEL for ws in wb.worksheets)):
                unstamped.append(str(path.relative_to(out)))
            continue
        first = head.decode("utf-8", errors="replace").splitlines()[:3]
        if not any(LABEL in line for line in first):
            unstamped.append(str(path.relative_to(out)))
    assert unstamped == []
    assert kinds[".xpt"] >= 20 and kinds[".xlsx"] == 1 and kinds[".svg"] == 4 and kinds[".png"] == 0
    assert (out / "DUMMY-RANDOMIZATION.txt").read_text(encoding="utf-8").startswith(LABEL)
    pdfs = sorted(out.rglob("*.pdf"))
    assert [p.name for p in pdfs] == ["adrg.pdf", "acrf.pdf", "csdrg.pdf"]
    for pdf in pdfs:  # the documents say it on their first page and in their title
        reader = PdfReader(pdf)
        assert LABEL in reader.pages[0].extract_text() and reader.metadata.title.startswith(LABEL), pdf.name
    manifest_text = (out / "manifest.json").read_text(encoding="utf-8")
    assert manifest_text.splitlines()[1] == f'  "notice": "{LABEL}",'
    manifest = json.loads(manifest_text)
    assert manifest["build"]["mode"] == LABEL
    assert not [f for f in manifest["inputs"]["raw_export"]["files"] if f.startswith("irt_")]
    checksums = (out / "checksums.md5").read_text(encoding="utf-8").splitlines()
    assert checksums[0] == f"# {LABEL}" and len(checksums) == manifest["file_count"] + 1


def test_02b_stamped_outputs_still_read_and_verify(dry_run):
    out, result = dry_run
    # The XPT files still read, with the label prefixed (cut to 40) and the data untouched.
    adsl = out / "m5" / "datasets" / "aclf-msc-302" / "analysis" / "adam" / "datasets" / "adsl.xpt"
    frame, meta = pyreadstat.read_xport(adsl)
    assert meta.file_label == f"{LABEL}: Subject-Level Analysis Dataset"[:40]
    assert len(frame) == len(result.datasets["ADSL"]) and list(frame.columns) == list(result.datasets["ADSL"].columns)
    # The package still verifies, and md5sum reads the notice line as a comment.
    assert verify_package(out) == []
    run = subprocess.run(["md5sum", "-c", "--strict", "--quiet", "checksums.md5"], cwd=out,
                         capture_output=True, text=True, check=False)
    assert (run.returncode, run.stdout, run.stderr) == (0, "", "")


def test_03_analysis_page_labels_every_arm_dummy(dry_run):
    out, _ = dry_run
    for path in [out / "reports" / "analysis.html", *sorted((out / "reports" / "analysis").glob("*.csv"))]:
        text = path.read_text(encoding="utf-8")
        assert text.count("hUC-MSC") == text.count("DUMMY hUC-MSC") > 0, path.name
        assert text.count("Placebo") == text.count("DUMMY Placebo"), path.name


def test_04_dummy_is_balanced_seeded_and_follows_the_design(sample_spec):
    raw = read_export(EDC, sample_spec)
    forms = {k: v for k, v in raw.forms.items() if not k.startswith("irt_")}
    one = dummy_irt(forms, sample_spec.study.conventions, 5)
    assert all(one[k].equals(dummy_irt(forms, sample_spec.study.conventions, 5)[k]) for k in one)
    assert not one["irt_rand"].equals(dummy_irt(forms, sample_spec.study.conventions, 6)["irt_rand"])
    rand = one["irt_rand"]
    stage1, stage2 = rand[rand["RANDSTG"] == "1"], rand[rand["RANDSTG"] == "2"]
    assert len(stage1) == 150 and len(stage2) == 93  # Week 0 visits; Week 4/5 infusions
    # stage 2 is 1:1 in blocks of 2: the halves differ by at most one
    counts = stage2["TRTGRP"].value_counts()
    assert abs(counts["hUC-MSC"] - counts["Placebo"]) <= 1
    # re-randomized patients had hUC-MSC at stage 1 (the design); the others 2:1 in blocks of 3
    first = stage1.set_index("SUBJID")["TRTGRP"]
    assert set(first[stage2["SUBJID"]]) == {"hUC-MSC"}
    free = first.drop(stage2["SUBJID"]).value_counts()
    assert abs(free["hUC-MSC"] - 2 * free["Placebo"]) <= 2
    assert rand["RANDNO"].str.startswith("DUMMY-").all()


def test_05_blinded_build_notes_the_masked_value_once_per_variable(tmp_path):
    raw = tmp_path / "edc"
    shutil.copytree(EDC, raw)
    for name in ("irt_rand.csv", "irt_kits.csv"):
        (raw / name).unlink()
    result = build_package(BuildOptions(raw_dir=raw, out_dir=tmp_path / "out", blinded=True))
    masked = [i for i in result.issues if i.value == "BLINDED" and i.rule != "build.treatment-masked"]
    assert masked == []
    notes = {(i.dataset, i.column): i for i in result.issues if i.rule == "build.treatment-masked"}
    assert sorted(notes) == [("DM", "ACTARM"), ("DM", "ACTARMCD"), ("DM", "ARM"), ("DM", "ARMCD"), ("SE", "ETCD")]
    dm = result.datasets["DM"]
    assert f"in {(dm['ARM'] == 'BLINDED').sum()} record(s)" in notes[("DM", "ARM")].message
    assert len([i for i in result.issues if i.severity == "warning"]) < 100
