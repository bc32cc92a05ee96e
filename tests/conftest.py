"""Shared test fixtures: where the read-only CDISC reference material lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# No property test is timed: a per-example deadline fails a correct test on a busy machine.
settings.register_profile("untimed", deadline=None)
settings.load_profile("untimed")

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("ACLF_SHARED", REPO_ROOT.parent / "shared")).resolve()


@pytest.fixture(scope="session")
def shared() -> Path:
    """The ../shared reference folder (CDISC anchors, schemas, CT, IG metadata)."""
    if not (SHARED / "anchors").is_dir():
        pytest.fail(f"reference folder not found at {SHARED}; set ACLF_SHARED to the shared/ folder")
    return SHARED


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture
def broken_export(tmp_path: Path):
    """A copy of the sample export with some cells changed: ``broken_export([(form, row, column, value)])``.

    ``row`` is the 1-based record (the header is not a record), as Issues report it. Returns the folder.
    """
    import csv
    import shutil

    from aclf_cdisc.sample import edc_dir

    def make(edits: list[tuple[str, int, str, str]]) -> Path:
        folder = tmp_path / "edc"
        if not folder.exists():
            shutil.copytree(edc_dir(), folder)
        for form, row, column, value in edits:
            path = folder / f"{form}.csv"
            with path.open(newline="", encoding="utf-8") as handle:
                rows = list(csv.reader(handle))
            rows[row][rows[0].index(column)] = value
            with path.open("w", newline="", encoding="utf-8") as handle:
                csv.writer(handle, lineterminator="\n").writerows(rows)
        return folder

    return make


@pytest.fixture(scope="session")
def sample_records():
    """``sample_records(form)``: the sample export's form as dicts, record i (1-based) at index i - 1."""
    import csv

    from aclf_cdisc.sample import edc_dir

    def records(form: str) -> list[dict[str, str]]:
        with (edc_dir() / f"{form}.csv").open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    return records
