"""Fixtures shared by the package tests: the repository's spec, and a folder read as its bytes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from aclf_cdisc.spec import load_spec

REPO_SPECS = Path(__file__).resolve().parents[2] / "specs"


def _tree_bytes(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` by its relative path, with its bytes."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="session")
def tree_bytes() -> Callable[[Path], dict[str, bytes]]:
    return _tree_bytes


@pytest.fixture(scope="module")
def spec():
    return load_spec(REPO_SPECS)
