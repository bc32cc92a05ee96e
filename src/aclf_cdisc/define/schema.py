"""XML Schema validation of a define.xml against the CDISC Define-XML 2.1 schema folder.

The schemas are not shipped with the product: the user names the folder that holds the CDISC
distribution (``cdisc-define-2.1/define2-1-0.xsd`` beside ``cdisc-odm-1.3.2`` and ``core``,
layout untouched). Validation is offline: the parser never fetches anything from the network.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lxml import etree

from aclf_cdisc.errors import Issue

DEFINE_XSD = Path("cdisc-define-2.1") / "define2-1-0.xsd"
ARM_XSD = Path("cdisc-arm-1.0") / "arm1-0-0.xsd"


def find_schema(schema_dir: Path, *, arm: bool = False) -> Path | None:
    """The Define-XML (or ARM) XSD inside ``schema_dir`` (or ``schema_dir`` itself if a file)."""
    schema_dir = Path(schema_dir)
    if schema_dir.is_file():
        return schema_dir
    wanted = ARM_XSD if arm else DEFINE_XSD
    for candidate in (schema_dir / wanted, schema_dir / wanted.name, schema_dir / "define-xml-2.1" / wanted):
        if candidate.is_file():
            return candidate
    return None


@lru_cache(maxsize=4)
def _schema(path: str) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.XMLSchema(etree.parse(path, parser))


def _tree(path_or_tree: Path | str | etree._ElementTree | etree._Element) -> tuple[etree._ElementTree, str]:
    if isinstance(path_or_tree, etree._ElementTree):
        return path_or_tree, "define.xml"
    if isinstance(path_or_tree, etree._Element):
        return path_or_tree.getroottree(), "define.xml"
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.parse(str(path_or_tree), parser), str(path_or_tree)


def validate_define_schema(path_or_tree: Path | str | etree._ElementTree | etree._Element,
                           schema_dir: Path | str | None) -> list[Issue]:
    """Validate against ``define2-1-0.xsd`` (``arm1-0-0.xsd`` when ARM metadata is present).

    Without ``schema_dir`` nothing is validated and a single note says so plainly.
    """
    tree, name = _tree(path_or_tree)
    if schema_dir is None:
        return [Issue("define.schema-skipped", "XML Schema validation was skipped: no schema folder "
                      "was given (pass --schema-dir with the CDISC Define-XML 2.1 schema folder)",
                      severity="note", file=name)]
    has_arm = tree.getroot().find(".//{http://www.cdisc.org/ns/arm/v1.0}AnalysisResultDisplays") is not None
    xsd = find_schema(Path(schema_dir), arm=has_arm)
    if xsd is None:
        return [Issue("define.schema-missing", f"no {ARM_XSD if has_arm else DEFINE_XSD} under {schema_dir}",
                      file=name, expected="the CDISC Define-XML 2.1 schema folder, layout intact")]
    schema = _schema(str(xsd.resolve()))
    if schema.validate(tree):
        return []
    return [Issue("define.schema-invalid", err.message, file=name, row=err.line,
                  expected=f"valid against {xsd.name}")
            for err in schema.error_log]
