"""The lock pins everything the code imports, and the environment runs what the lock says."""

from __future__ import annotations

import ast
import os
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCK = ROOT / "requirements" / "constraints.txt"
CODE_DIRS = ("src", "tests", "benchmarks", "tools")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins() -> dict[str, str]:
    pins = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"{LOCK.name}: {line!r} is not pinned with =="
            pins[_canonical(name)] = version
    return pins


def _top_level_imports() -> dict[str, str]:
    """Every top-level module imported anywhere in the code, with one file that imports it."""
    found: dict[str, str] = {}
    for folder in CODE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module]
                else:
                    continue
                for name in names:
                    found.setdefault(name.split(".")[0], str(path.relative_to(ROOT)))
    return found


def test_every_import_is_pinned_in_the_lock() -> None:
    pins = _pins()
    distributions = metadata.packages_distributions()
    local = {"aclf_cdisc", "conftest"} | {p.stem for folder in CODE_DIRS for p in (ROOT / folder).rglob("*.py")}
    local |= {p.name for folder in CODE_DIRS for p in (ROOT / folder).rglob("*") if p.is_dir()}
    unpinned = {}
    for module, where in _top_level_imports().items():
        if module in sys.stdlib_module_names or module in local:
            continue
        owners = distributions.get(module)
        if not owners:
            unpinned[module] = f"{where}: no installed distribution provides it"
        elif not any(_canonical(owner) in pins for owner in owners):
            unpinned[module] = f"{where}: {owners} not in {LOCK.name}"
    assert not unpinned, unpinned


def test_declared_dependencies_are_pinned() -> None:
    pins = _pins()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [*project["dependencies"], *(r for extra in project["optional-dependencies"].values() for r in extra)]
    name = re.compile(r"^\s*([A-Za-z0-9_.\-]+)")
    missing = [r for r in declared if _canonical(name.match(r).group(1)) not in pins]  # type: ignore[union-attr]
    assert declared and not missing


@pytest.mark.skipif(not os.environ.get("PIP_CONSTRAINT"),
                    reason="only meaningful in an environment installed from the lock (tox sets PIP_CONSTRAINT)")
def test_installed_versions_equal_the_lock() -> None:
    pins = _pins()
    differs = {}
    for dist in metadata.distributions():
        name = _canonical(dist.metadata["Name"])
        if name in pins and dist.version != pins[name]:
            differs[name] = (dist.version, pins[name])
    assert not differs
