"""MethodDef and def:CommentDef: the derivations and comments the define's items reference.

Descriptions are the spec's words, written for a reviewer (tests/define/test_texts.py keeps file
names, program paths and build vocabulary out of them). The spec's ``expression`` names the
program implementing a method for the sponsor's traceability; it is not a FormalExpression a
reviewer could run, so it is not written into define.xml.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from lxml import etree

from aclf_cdisc.define.common import deff, document_leaf_id, odm, translated_text
from aclf_cdisc.spec.model import Comment, Method


def method_def(method: Method, program_leaf: str | None = None) -> etree._Element:
    """``<MethodDef>`` with its description, the document it cites and (ADaM) the program file
    implementing it."""
    el = etree.Element(odm("MethodDef"))
    el.set("OID", method.oid)
    el.set("Name", method.name)
    el.set("Type", method.type)
    translated_text(el, odm("Description"), method.description)
    if method.document:
        etree.SubElement(el, deff("DocumentRef")).set("leafID", document_leaf_id(method.document))
    if program_leaf:
        etree.SubElement(el, deff("DocumentRef")).set("leafID", program_leaf)
    return el


def comment_def(comment: Comment) -> etree._Element:
    """``<def:CommentDef>`` with its description and the document it cites."""
    el = etree.Element(deff("CommentDef"))
    el.set("OID", comment.oid)
    translated_text(el, odm("Description"), comment.description)
    if comment.document:
        etree.SubElement(el, deff("DocumentRef")).set("leafID", document_leaf_id(comment.document))
    return el


def method_defs(methods: dict[str, Method], oids: Iterable[str],
                program_leaves: Mapping[str, str] | None = None) -> list[etree._Element]:
    """MethodDefs in OID order; ``program_leaves`` maps a method OID to its program's def:leaf ID."""
    leaves = program_leaves or {}
    return [method_def(methods[oid], leaves.get(oid)) for oid in sorted(oids)]


def comment_defs(comments: dict[str, Comment], oids: Iterable[str]) -> list[etree._Element]:
    return [comment_def(comments[oid]) for oid in sorted(oids)]
