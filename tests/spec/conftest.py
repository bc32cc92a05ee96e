"""Fixtures for spec tests: a copy of the real specs/ folder that a test may break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

MINIMAL_DM = """\
dataset: DM
label: Demographics
standard: SDTM
class: SPECIAL PURPOSE
structure: One record per subject
purpose: Tabulation
repeating: false
domain: DM
keys: [STUDYID, USUBJID]
sort_order: [STUDYID, USUBJID]
variables:
  - name: STUDYID
    label: Study Identifier
    data_type: text
    length: auto
    core: Req
    role: Identifier
    origin: {type: Protocol}
  - name: USUBJID
    label: Unique Subject Identifier
    data_type: text
    length: auto
    core: Req
    role: Identifier
    origin: {type: Derived}
    method: MT.SEQ
  - name: SEX
    label: Sex
    data_type: text
    length: 1
    core: Req
    role: Record Qualifier
    origin: {type: Collected, source: Investigator}
    codelist: CL.SEX
    map: {rule: ct, source: dm.SEX}
  - name: AGE
    label: Age
    data_type: integer
    length: 8
    core: Exp
    role: Record Qualifier
    origin: {type: Derived}
    method: MT.DM.AGE
"""


@pytest.fixture()
def spec_root(tmp_path: Path, repo_root: Path) -> Path:
    """A writable copy of the study-level spec files and raw forms, with a small valid DM spec only."""
    root = tmp_path / "specs"
    root.mkdir()
    for name in ("study.yaml", "codelists.yaml", "methods.yaml", "comments.yaml", "documents.yaml"):
        shutil.copy(repo_root / "specs" / name, root / name)
    if (repo_root / "specs" / "raw").is_dir():
        shutil.copytree(repo_root / "specs" / "raw", root / "raw")
    (root / "sdtm").mkdir()
    (root / "sdtm" / "dm.yaml").write_text(MINIMAL_DM, encoding="utf-8")
    return root
