"""Texts a reviewer reads: descriptions that name files, program paths or build vocabulary.

A reviewer has the define, the datasets and the reviewer's guides, nothing else: a method that
says "factors are in study.yaml" or a FormalExpression holding a Python function path cannot be
acted on. :func:`check_define_texts` reports every such text of a define (rule
``define.text-internal``, a warning: the words need a person to rewrite them).
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from aclf_cdisc.define.common import XP_NS
from aclf_cdisc.errors import Issue

FILE_NAME = re.compile(r"\b[\w-]+\.(?:ya?ml|py|csv|json|sas|xsl|txt|toml)\b", re.I)
PROGRAM_PATH = re.compile(r"\baclf_cdisc\b|\b[a-z_]+\.[a-z_]+\.[a-z_]+\b|\b\w+\(\)")
JARGON = re.compile(r"\bbuild report\b|\bthe build\b|\bbuild time\b|\bspecs?\b|\bspecification\b|\bpipeline\b"
                    r"|\bsimulat\w*|\bconventions\.\w+|\bwarning\b", re.I)


def internal_terms(text: str) -> list[str]:
    """Every file name, program path and internal term in ``text``.

    >>> internal_terms("Factors are data in study.yaml; see aclf_cdisc.sdtm.dates.iso_datetime")
    ['study.yaml', 'aclf_cdisc', 'sdtm.dates.iso_datetime']
    >>> internal_terms("RANDDT = date of DS.DSSTDTC (e.g. 2024-01-05), from ic.DSSTDAT on the CRF")
    []
    """
    return [m.group(0) for pattern in (FILE_NAME, PROGRAM_PATH, JARGON) for m in pattern.finditer(text)]


def _owner_oid(el: etree._Element) -> str:
    holder = el.getparent()
    while holder is not None and holder.get("OID") is None:
        holder = holder.getparent()
    return holder.get("OID", "") if holder is not None else ""


def check_define_texts(tree: Any) -> list[Issue]:
    """``define.text-internal`` for each Description or FormalExpression naming internal things."""
    root = tree.getroot() if isinstance(tree, etree._ElementTree) else tree
    issues = []
    for el in root.xpath("//odm:Description/odm:TranslatedText | //odm:FormalExpression", namespaces=XP_NS):
        found = internal_terms(el.text or "")
        if found:
            owner = _owner_oid(el)
            issues.append(Issue("define.text-internal", f"the text of {owner} names {', '.join(found)}, which a "
                                "reviewer does not have", severity="warning", value=owner, row=el.sourceline))
    return issues
