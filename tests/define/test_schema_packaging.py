"""The shipped Define-XML schema set is package data: an installed aclf-cdisc validates offline."""

from __future__ import annotations

import tomllib
from pathlib import Path

from aclf_cdisc.define.schema import shipped_schema_dir

REPO = Path(__file__).resolve().parents[2]


def test_package_data_patterns_cover_every_shipped_schema_file():
    config = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["aclf_cdisc.define"]
    package = shipped_schema_dir().parents[1]  # src/aclf_cdisc/define
    packaged = {p for pattern in patterns for p in package.glob(pattern) if p.is_file()}
    shipped = {p for p in (package / "schemas").rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert shipped == packaged
    assert len([p for p in shipped if p.suffix == ".xsd"]) == 12
    provenance = (package / "schemas" / "PROVENANCE.md").read_text("utf-8")
    for xsd in sorted(p for p in shipped if p.suffix == ".xsd"):
        assert xsd.relative_to(shipped_schema_dir()).as_posix() in provenance
