"""Shared test fixtures: where the read-only CDISC reference material lives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
