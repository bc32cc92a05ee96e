"""Analysis Results Metadata (ARM 1.0): where an ADaM define carries its analysis results.

The define builder does not derive analysis results itself: the caller passes
:class:`AnalysisResults`, a finished ``arm:AnalysisResultDisplays`` element (built from the
analysis specs) and the ``def:WhereClauseDef`` elements its selection criteria name. The
builder records the documents and comments the displays reference (so their def:leaf and
CommentDef are written), adds the where clauses after the value-level ones and places the
displays last in MetaDataVersion, as the ARM 1.0 schema wants. A define with ARM is validated
against ``cdisc-arm-1.0/arm1-0-0.xsd`` (:mod:`aclf_cdisc.define.schema`) and the stylesheet
renders it as CDISC's ADaM example define does.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from aclf_cdisc.define.common import DEF_NS, document_leaf_id
from aclf_cdisc.define.references import References
from aclf_cdisc.errors import Issue

ARM_NS = "http://www.cdisc.org/ns/arm/v1.0"
ARM_ROOT = f"{{{ARM_NS}}}AnalysisResultDisplays"


@dataclass(frozen=True)
class AnalysisResults:
    """The ARM of an ADaM define: the displays and the where clauses they select records with."""

    displays: etree._Element
    where_clauses: tuple[etree._Element, ...] = ()


def check_displays(results: AnalysisResults) -> list[Issue]:
    """An error unless ``displays`` is an ``arm:AnalysisResultDisplays`` element."""
    if results.displays.tag == ARM_ROOT:
        return []
    return [Issue("define.arm-not-displays", "analysis results must be an arm:AnalysisResultDisplays "
                  f"element, not {etree.QName(results.displays).localname}", value=str(results.displays.tag))]


def record_references(results: AnalysisResults, refs: References) -> None:
    """Record the documents (by leaf ID) and comments the displays name."""
    by_leaf = {document_leaf_id(oid): oid for oid in refs.spec.documents}
    for el in results.displays.iter(etree.Element):
        if el.get("leafID"):
            oid = by_leaf.get(el.get("leafID", ""))
            if oid is None:
                refs.problems.append(Issue("define.spec-ref-missing", f"analysis results cite document leaf "
                                           f"{el.get('leafID')}, which documents.yaml does not define",
                                           value=el.get("leafID")))
            else:
                refs.document(oid, "analysis results")
        comment = el.get(f"{{{DEF_NS}}}CommentOID")
        if comment:
            refs.comment(comment, "analysis results")
