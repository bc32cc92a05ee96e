"""``aclf-cdisc init``: a new study folder that the real command builds at once, from inside it."""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyreadstat

REPO = Path(__file__).resolve().parents[2]


def _cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """The real command line in a subprocess, with no ACLF_SPECS: specs are found from ``cwd``."""
    env = {k: v for k, v in os.environ.items() if k != "ACLF_SPECS"}
    env.update(PYTHONPATH=str(REPO / "src"), PYTHONHASHSEED="0")
    return subprocess.run([sys.executable, "-m", "aclf_cdisc", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, check=False)


def _make_build_command(folder: Path) -> list[str]:
    """The Makefile's build recipe, with the installed command spelled as this interpreter's module."""
    lines = (folder / "Makefile").read_text(encoding="utf-8").splitlines()
    recipe = lines[lines.index("build:") + 1]
    assert recipe.startswith("\t$(ACLF_CDISC) ")
    return shlex.split(recipe.removeprefix("\t$(ACLF_CDISC) "))


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_01_init_writes_a_study_folder_that_builds_from_inside_it(tmp_path: Path) -> None:
    study = tmp_path / "newstudy"
    done = _cli(["init", str(study), "--specs", str(REPO / "specs")], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in study.iterdir()) == ["Makefile", "README.md", "edc", "specs"]
    # the specs are a copy: every YAML file of the source, same bytes
    source = sorted(p.relative_to(REPO / "specs") for p in (REPO / "specs").rglob("*.yaml"))
    assert sorted(p.relative_to(study / "specs") for p in (study / "specs").rglob("*.yaml")) == source
    assert all((study / "specs" / p).read_bytes() == (REPO / "specs" / p).read_bytes() for p in source)
    # a small export: 20 randomized subjects plus screen failures, one CSV per raw form
    assert len(list((study / "edc").glob("*.csv"))) == len(list((REPO / "specs" / "raw").glob("*.yaml")))
    rand = pd.read_csv(study / "edc" / "irt_rand.csv", dtype=str)
    assert rand.loc[rand["RANDSTG"] == "1", "SUBJID"].nunique() == 20
    readme = (study / "README.md").read_text(encoding="utf-8")
    assert "## What to edit first" in readme and "specs/study.yaml" in readme
    # the Makefile's build, run in the folder with no --specs and no ACLF_SPECS, reads the folder's specs:
    # edit them (a comment) and the manifest's digest of study.yaml is the edited file's
    study_yaml = study / "specs" / "study.yaml"
    study_yaml.write_bytes(study_yaml.read_bytes() + b"# edited in the new study\n")
    built = _cli(_make_build_command(study), cwd=study)
    assert built.returncode == 0, built.stderr
    assert f"specs from ./specs: {(study / 'specs').resolve()}" in built.stderr
    manifest = json.loads((study / "outputs" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["specs"]["files"]["study.yaml"] == hashlib.sha256(study_yaml.read_bytes()).hexdigest()
    xpts = sorted(p.name for p in (study / "outputs").rglob("*.xpt"))
    datasets = len(list((REPO / "specs").glob("sdtm/*.yaml"))) + len(list((REPO / "specs").glob("adam/*.yaml")))
    assert "dm.xpt" in xpts and "adsl.xpt" in xpts and len(xpts) == datasets
    assert len(list((study / "outputs").rglob("define.xml"))) == 2
    # the same build with a JSON log: the log counts what was written, and no output byte changes
    logged = _cli([*_make_build_command(study)[:-1], "logged", "--quiet", "--log-json", "build.jsonl"], cwd=study)
    assert logged.returncode == 0, logged.stderr
    assert _tree(study / "outputs") == _tree(study / "logged")
    steps = [json.loads(line) for line in (study / "build.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [s["stage"] for s in steps if s["stage"] != "xpt"] == [
        "specs", "raw", "datasets", "checks", "define", "documents", "report"]
    written = {s["dataset"]: s["records"] for s in steps if s["stage"] == "xpt"}
    dm = pyreadstat.read_xport(str(next((study / "logged").rglob("dm.xpt"))))[0]
    assert len(written) == datasets and written["DM"] == len(dm) == dm["USUBJID"].nunique()
    assert all(isinstance(s["seconds"], float) and s["seconds"] >= 0 for s in steps)


def test_02_init_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    done = _cli(["init", str(tmp_path), "--specs", str(REPO / "specs")], cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "is not empty" in done.stderr and "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_03_init_with_an_odm_export(tmp_path: Path) -> None:
    study = tmp_path / "odmstudy"
    done = _cli(["init", str(study), "--format", "odm", "--subjects", "20", "--specs", str(REPO / "specs")],
                cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert [p.name for p in (study / "edc").iterdir()] == ["odm.xml"]
    assert "edc/odm.xml" in (study / "README.md").read_text(encoding="utf-8")
