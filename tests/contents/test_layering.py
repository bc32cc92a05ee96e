"""The define cites the aCRF pages and ADaM programs from aclf_cdisc.contents, never from documents."""

from __future__ import annotations

import ast
from pathlib import Path

import aclf_cdisc

SRC = Path(aclf_cdisc.__file__).parent


def _imported(folder: Path) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.setdefault(node.module, set()).add(path.name)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    found.setdefault(alias.name, set()).add(path.name)
    return found


def test_define_imports_no_documents_module_but_the_contents_it_cites():
    imported = _imported(SRC / "define")
    assert sorted(m for m in imported if m.startswith("aclf_cdisc.documents")) == []
    assert {m: sorted(f) for m, f in imported.items() if m.startswith("aclf_cdisc.contents")} == {
        "aclf_cdisc.contents.acrf": ["references.py"], "aclf_cdisc.contents.programs": ["references.py"]}


def test_contents_imports_only_the_spec():
    imported = _imported(SRC / "contents")
    assert sorted(m for m in imported if m.startswith("aclf_cdisc")) == ["aclf_cdisc.spec.model"]
