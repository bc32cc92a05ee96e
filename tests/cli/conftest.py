"""Fixtures for the command-line tests: a small raw export, a reference package, mounts."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from .helpers import run_cli, tree


@pytest.fixture(scope="session")
def small_raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A simulated export of 8 patients: a real build, quicker than the 150-patient sample."""
    folder = tmp_path_factory.mktemp("raw")
    result = run_cli("simulate", "--subjects", "8", "--out", folder)
    assert result.returncode == 0, result.stderr
    return folder


@pytest.fixture(scope="session")
def reference_build(small_raw: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A complete build of ``small_raw``, made under umask 077 (which must not leak into the package)."""
    out = tmp_path_factory.mktemp("reference") / "out"
    result = run_cli("build", "--raw", small_raw, "--out", out, umask=0o077)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="session")
def new_package(reference_build: Path) -> dict[str, bytes]:
    """What a complete build of ``small_raw`` publishes (builds are byte-reproducible)."""
    return tree(reference_build)


@pytest.fixture
def mounted(tmp_path: Path) -> Iterator[list[Path]]:
    """Mount points made by a test (root only), unmounted afterwards, innermost first."""
    points: list[Path] = []
    yield points
    for point in reversed(points):
        subprocess.run(["umount", "-l", str(point)], check=False, capture_output=True)
