"""Documents: def:AnnotatedCRF, def:SupplementalDoc and the def:leaf of every document referenced.

Which document is which comes from ``documents.yaml``: the annotated CRF is the one whose href or
OID names ``acrf``; the reviewer's guide of a define is the cSDRG (SDTM) or ADRG (ADaM).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lxml import etree

from aclf_cdisc.define.common import NSMAP, deff, document_leaf_id
from aclf_cdisc.define.references import References
from aclf_cdisc.spec.model import Document, Spec


def acrf_oid(spec: Spec) -> str | None:
    """The OID of the annotated CRF in documents.yaml, if there is one."""
    for oid, doc in sorted(spec.documents.items()):
        if "acrf" in (doc.href or "").lower() or "acrf" in oid.lower():
            return oid
    return None


def supplemental_oids(spec: Spec, standard: str) -> list[str]:
    """The reviewer's guide(s) of a define: cSDRG for SDTM, ADRG for ADaM."""
    marker = "csdrg" if standard == "SDTM" else "adrg"
    return [oid for oid, doc in sorted(spec.documents.items())
            if marker in (doc.href or "").lower() or marker in oid.lower()]


def _document_refs(parent: etree._Element, oids: Iterable[str], refs: References) -> None:
    for oid in oids:
        leaf = refs.document(oid, "define")
        if leaf:
            etree.SubElement(parent, deff("DocumentRef")).set("leafID", leaf)


def document_sections(spec: Spec, standard: str, refs: References) -> list[etree._Element]:
    """``def:AnnotatedCRF`` (SDTM, when documents.yaml has an aCRF) and ``def:SupplementalDoc``."""
    sections = []
    acrf = acrf_oid(spec)
    if standard == "SDTM" and acrf:
        annotated = etree.Element(deff("AnnotatedCRF"))
        _document_refs(annotated, [acrf], refs)
        sections.append(annotated)
    supplemental = supplemental_oids(spec, standard)
    if supplemental:
        supp = etree.Element(deff("SupplementalDoc"))
        _document_refs(supp, supplemental, refs)
        sections.append(supp)
    return sections


def leaf_element(leaf_id: str, href: str, title: str) -> etree._Element:
    """``<def:leaf ID xlink:href><def:title>`` (a dataset file or a document)."""
    leaf = etree.Element(deff("leaf"))
    leaf.set("ID", leaf_id)
    leaf.set(f"{{{NSMAP['xlink']}}}href", href)
    etree.SubElement(leaf, deff("title")).text = title
    return leaf


def document_leaves(documents: dict[str, Document], oids: Iterable[str]) -> list[etree._Element]:
    """The def:leaf of each document in ``oids``, in OID order."""
    return [leaf_element(document_leaf_id(oid), documents[oid].href, documents[oid].title) for oid in sorted(oids)]


def program_leaves(programs: Iterable[Any]) -> list[etree._Element]:
    """The def:leaf of each ADaM program file a method cites (contents.programs.Program), by leaf ID."""
    unique = {p.leaf_id: p for p in programs}
    return [leaf_element(leaf_id, p.href, p.title) for leaf_id, p in sorted(unique.items())]
