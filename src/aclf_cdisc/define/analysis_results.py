"""The ARM 1.0 content of the ADaM define, built from ``specs/analysis.yaml`` ``displays``.

One ``arm:ResultDisplay`` per display and one ``arm:AnalysisResult`` per result, as in CDISC's
ADaM define example: description and document reference, the parameter (``ParameterOID``: the
dataset's PARAMCD item), reason and purpose, the analysis datasets with their selection
(``def:WhereClauseRef`` to the ``def:WhereClauseDef`` built here) and analysis variables, an
optional CommentDef (comments.yaml) saying how the datasets join, documentation with a
document reference, and the programming code. :func:`analysis_results` returns the
:class:`~aclf_cdisc.define.arm.AnalysisResults` the define builder places (``define.arm``).
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from aclf_cdisc.define.arm import ARM_NS, AnalysisResults
from aclf_cdisc.define.common import NSMAP, XML_NS, deff, document_leaf_id, ig_oid, it_oid, odm
from aclf_cdisc.spec.model import Spec

ARM_NSMAP = {**NSMAP, "arm": ARM_NS}


def arm(tag: str) -> str:
    return f"{{{ARM_NS}}}{tag}"


def where_clause_oid(result_oid: str, dataset: str) -> str:
    return f"WC.{result_oid}.{dataset}"


def _description(parent: etree._Element, text: str) -> None:
    el = etree.SubElement(parent, odm("Description"))
    tt = etree.SubElement(el, odm("TranslatedText"))
    tt.set(f"{{{XML_NS}}}lang", "en")
    tt.text = " ".join(text.split())


def _where_clause(oid: str, dataset: str, conditions: list[list[Any]]) -> etree._Element:
    wc = etree.Element(deff("WhereClauseDef"), nsmap=NSMAP)
    wc.set("OID", oid)
    for variable, comparator, values in conditions:
        rc = etree.SubElement(wc, odm("RangeCheck"))
        rc.set("Comparator", str(comparator))
        rc.set("SoftHard", "Soft")
        rc.set(deff("ItemOID"), it_oid(dataset, variable))
        for value in values:
            etree.SubElement(rc, odm("CheckValue")).text = str(value)
    return wc


def _doc_ref(parent: etree._Element, doc: dict[str, Any]) -> None:
    ref = etree.SubElement(parent, deff("DocumentRef"))
    ref.set("leafID", document_leaf_id(doc["oid"]))
    if doc.get("destination"):
        pages = etree.SubElement(ref, deff("PDFPageRef"))
        pages.set("Type", "NamedDestination")
        pages.set("PageRefs", doc["destination"])
        if doc.get("title"):
            pages.set("Title", doc["title"])


def analysis_results(analyses: dict[str, Any] | None) -> AnalysisResults | None:
    """ARM for the ``displays`` of a loaded analysis.yaml (None when there are none)."""
    displays = (analyses or {}).get("displays") or []
    if not displays:
        return None
    holder = etree.Element(arm("AnalysisResultDisplays"), nsmap=ARM_NSMAP)
    where_clauses = []
    for display in displays:
        rd = etree.SubElement(holder, arm("ResultDisplay"))
        rd.set("OID", display["oid"])
        rd.set("Name", display["name"])
        _description(rd, display["description"])
        if display.get("document"):
            _doc_ref(rd, display["document"])
        for result in display["results"]:
            ar = etree.SubElement(rd, arm("AnalysisResult"))
            ar.set("OID", result["oid"])
            if result.get("parameter"):
                ar.set("ParameterOID", it_oid(result["parameter"]["dataset"], result["parameter"]["variable"]))
            ar.set("AnalysisReason", result["reason"])
            ar.set("AnalysisPurpose", result["purpose"])
            _description(ar, result["description"])
            sets = etree.SubElement(ar, arm("AnalysisDatasets"))
            if result.get("comment"):
                sets.set(deff("CommentOID"), result["comment"])
            for ds in result["datasets"]:
                oid = where_clause_oid(result["oid"], ds["dataset"])
                where_clauses.append(_where_clause(oid, ds["dataset"], ds["where"]))
                ad = etree.SubElement(sets, arm("AnalysisDataset"))
                ad.set("ItemGroupOID", ig_oid(ds["dataset"]))
                etree.SubElement(ad, deff("WhereClauseRef")).set("WhereClauseOID", oid)
                for variable in ds["variables"]:
                    etree.SubElement(ad, arm("AnalysisVariable")).set("ItemOID", it_oid(ds["dataset"], variable))
            doc = etree.SubElement(ar, arm("Documentation"))
            _description(doc, result["documentation"])
            if display.get("document"):
                _doc_ref(doc, display["document"])
            code = etree.SubElement(ar, arm("ProgrammingCode"))
            code.set("Context", result["code"]["context"])
            etree.SubElement(code, arm("Code")).text = result["code"]["text"]
    return AnalysisResults(displays=holder, where_clauses=tuple(where_clauses))


def analysis_results_for(spec: Spec, datasets: set[str] | frozenset[str]) -> AnalysisResults | None:
    """ARM of the study's analysis.yaml when every dataset it selects from is in ``datasets``."""
    from aclf_cdisc.spec.analysis import load_analysis_spec

    analyses = load_analysis_spec(spec)
    if analyses is None:
        return None
    needed = {ds["dataset"] for d in analyses["displays"] for r in d["results"] for ds in r["datasets"]}
    return analysis_results(analyses) if needed <= set(datasets) else None
