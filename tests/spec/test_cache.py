"""Checked specs are cached by content: any edit gives a fresh check, a broken cache is ignored."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from aclf_cdisc.errors import SpecError
from aclf_cdisc.spec import load_spec
from aclf_cdisc.spec.cache import cache_dir, spec_fingerprint

SPECS = Path(__file__).resolve().parents[2] / "specs"


@pytest.fixture
def specs_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ACLF_CACHE_DIR", str(tmp_path / "cache"))
    target = tmp_path / "specs"
    shutil.copytree(SPECS, target)
    return target


def test_second_load_comes_from_the_cache_and_equals_the_first(specs_copy: Path) -> None:
    first = load_spec(specs_copy)
    entries = list((specs_copy.parent / "cache").glob("spec-*.pickle"))
    assert len(entries) == 1 and entries[0].name == f"spec-{spec_fingerprint(specs_copy)}.pickle"
    second = load_spec(specs_copy)
    assert second == first and second is not first


def test_an_edit_is_checked_again(specs_copy: Path) -> None:
    load_spec(specs_copy)
    dm = specs_copy / "sdtm" / "dm.yaml"
    dm.write_text(dm.read_text(encoding="utf-8").replace("label:", "lable:", 1), encoding="utf-8")
    with pytest.raises(SpecError):
        load_spec(specs_copy)


def test_a_corrupt_entry_is_ignored(specs_copy: Path) -> None:
    spec = load_spec(specs_copy)
    (entry,) = (specs_copy.parent / "cache").glob("spec-*.pickle")
    entry.write_bytes(b"not a pickle")
    assert load_spec(specs_copy) == spec


def test_off_turns_the_cache_off(specs_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACLF_CACHE_DIR", "off")
    assert cache_dir() is None
    load_spec(specs_copy)
    assert not (specs_copy.parent / "cache").exists()


def test_a_cached_load_imports_neither_the_yaml_parser_nor_the_schema_validator(specs_copy: Path) -> None:
    """The passes that check a spec import what they use: a command loading a cached spec (every
    build after the first) does not pay for those imports."""
    import json
    import os
    import subprocess
    import sys

    load_spec(specs_copy)  # fills the cache
    probe = ("import json, sys\nfrom pathlib import Path\nfrom aclf_cdisc.spec import load_spec\n"
             f"load_spec(Path({str(specs_copy)!r}))\n"
             "print(json.dumps(sorted(m for m in ('yaml', 'jsonschema', 'referencing') if m in sys.modules)))")
    src = str(Path(__file__).resolve().parents[2] / "src")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == []
