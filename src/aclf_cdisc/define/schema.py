"""XML Schema validation of a define.xml against the CDISC Define-XML 2.1 schema set.

The product ships the schema set it needs as package data (``schemas/define-xml-2.1``: the
CDISC distribution's ``cdisc-define-2.1``, ``cdisc-odm-1.3.2``, ``cdisc-arm-1.0`` and ``core``
folders, layout untouched, provenance in ``schemas/PROVENANCE.md``), so every build validates.
A user may name another copy of the same layout (``--schema-dir``). When the schema file cannot
be found the result is an error naming it: validation is never skipped silently. Validation is
offline: the parser never fetches anything from the network.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from lxml import etree

from aclf_cdisc.errors import Issue

DEFINE_XSD = Path("cdisc-define-2.1") / "define2-1-0.xsd"
ARM_XSD = Path("cdisc-arm-1.0") / "arm1-0-0.xsd"
ARM_NS = "http://www.cdisc.org/ns/arm/v1.0"


def shipped_schema_dir() -> Path:
    """The Define-XML 2.1 schema set shipped inside the package."""
    return Path(__file__).with_name("schemas") / "define-xml-2.1"


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


def schema_or_issue(xsd: Path) -> etree.XMLSchema | Issue:
    """The schema in ``xsd``, or the error saying why it cannot be used (``define.schema-unreadable``):
    a --schema-dir copy whose XSD (or a file it includes) is not well-formed XML, is not a schema,
    or imports one from the network, which the parser never fetches."""
    try:
        return _schema(str(xsd.resolve()))
    except (etree.XMLSyntaxError, etree.XMLSchemaParseError, OSError) as exc:
        where = getattr(exc, "filename", None) or str(xsd)
        return Issue("define.schema-unreadable", f"the schema {xsd.name} cannot be used: {' '.join(str(exc).split())}; "
                     "define.xml cannot be schema-validated", file=str(where), row=getattr(exc, "lineno", None),
                     expected="the CDISC Define-XML 2.1 schema folder as distributed (well-formed XSD files, "
                              "their includes beside them)")


def _tree(path_or_tree: Path | str | etree._ElementTree | etree._Element) -> tuple[etree._ElementTree, str]:
    if isinstance(path_or_tree, etree._ElementTree):
        return path_or_tree, "define.xml"
    if isinstance(path_or_tree, etree._Element):
        return path_or_tree.getroottree(), "define.xml"
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.parse(str(path_or_tree), parser), str(path_or_tree)


def has_arm(tree: etree._ElementTree) -> bool:
    """Whether the define carries Analysis Results Metadata (validated with the ARM schema)."""
    return tree.getroot().find(f".//{{{ARM_NS}}}AnalysisResultDisplays") is not None


def validate_define_schema(path_or_tree: Path | str | etree._ElementTree | etree._Element,
                           schema_dir: Path | str | None = None) -> list[Issue]:
    """Validate against ``define2-1-0.xsd`` (``arm1-0-0.xsd`` when ARM metadata is present).

    ``schema_dir`` None means the schema set shipped with the product. A missing schema file is
    an error (``define.schema-missing``) naming the file looked for; one that cannot be read as a
    schema is ``define.schema-unreadable``.
    """
    tree, name = _tree(path_or_tree)
    folder = Path(schema_dir) if schema_dir is not None else shipped_schema_dir()
    arm = has_arm(tree)
    xsd = find_schema(folder, arm=arm)
    if xsd is None:
        wanted = ARM_XSD if arm else DEFINE_XSD
        return [Issue("define.schema-missing", f"the Define-XML 2.1 schema {wanted.as_posix()} is not in "
                      f"{folder}: define.xml cannot be schema-validated", file=name,
                      expected="the CDISC Define-XML 2.1 schema folder, layout intact")]
    schema = schema_or_issue(xsd)
    if isinstance(schema, Issue):
        return [schema]
    if schema.validate(tree):
        return []
    return [Issue("define.schema-invalid", err.message, file=name, row=err.line,
                  expected=f"valid against {xsd.name}")
            for err in schema.error_log]
