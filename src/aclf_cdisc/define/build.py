"""Build a Define-XML 2.1 document from the spec and the datasets actually written.

The spec supplies every description, origin, method, comment and codelist; the data and its
XPT metadata supply what only the files know: which datasets and variables exist, their
lengths, which codelist terms occur and which value-level rows have records. Nothing here reads
a clock: the caller passes CreationDateTime, so the same inputs give the same bytes.

Each Define-XML section is built by its own module: :mod:`.standards`, :mod:`.datasets`
(ItemGroupDef, ItemDef), :mod:`.value_level`, :mod:`.codelists`, :mod:`.methods` (MethodDef,
CommentDef), :mod:`.documents` and :mod:`.arm`; :class:`.references.References` records what
the items reference so the definition sections write exactly that. This module only orders them.

Choices:
- CodeList terms: the terms whose values occur in the data of the variables (or value-level
  subsets) that reference the codelist, plus the values a WhereClauseDef tests against the
  codelist's variable. A codelist none of whose variables has a non-missing value keeps the
  spec's full term list (a CodeList must not be empty). Data values that are not spec terms are
  not invented here; ``check_define_against_data`` reports them.
- Value-level rows whose where clause matches no record are dropped (they describe no data).
- Only definitions something references are written: methods, comments, codelists, documents.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, Literal

import pandas as pd
from lxml import etree

from aclf_cdisc import __version__
from aclf_cdisc.define.arm import ARM_NS, AnalysisResults, check_displays, record_references
from aclf_cdisc.define.codelists import codelist_defs, ct_packages
from aclf_cdisc.define.common import (
    DEF_NS,
    NSMAP,
    STYLESHEET_NAME,
    deff,
    meta_variables,
    metadata_from_frame,
    odm,
    unpack_datasets,
)
from aclf_cdisc.define.datasets import ItemSize, dataset_sort_key, item_def, item_group_def
from aclf_cdisc.define.documents import acrf_oid, document_leaves, document_sections, program_leaves
from aclf_cdisc.define.methods import comment_defs, method_defs
from aclf_cdisc.define.references import References
from aclf_cdisc.define.standards import DEFINE_VERSION, IG_STANDARDS, ig_standard_oid, standards_element
from aclf_cdisc.define.value_level import (
    plan_value_level,
    value_item_defs,
    value_list_defs,
    where_clause_defs,
)
from aclf_cdisc.errors import Issue, SpecError
from aclf_cdisc.spec.model import Dataset, Spec

Standard = Literal["SDTM", "ADaM"]


def _select(spec: Spec, standard: str, datasets: Mapping[str, Any]
            ) -> tuple[list[Dataset], dict[str, pd.DataFrame], dict[str, dict[str, Any]]]:
    """The spec datasets of ``standard`` that have data, their frames and XPT variable metadata."""
    problems: list[Issue] = []
    chosen: list[Dataset] = []
    frames: dict[str, pd.DataFrame] = {}
    metas: dict[str, dict[str, Any]] = {}
    for name, (frame, meta) in sorted(unpack_datasets(datasets).items()):
        if name not in spec.datasets:
            problems.append(Issue("define.dataset-not-in-spec", f"dataset {name} has data but no spec",
                                  dataset=name))
            continue
        ds = spec.datasets[name]
        if ds.standard != standard:
            continue
        meta = meta if meta is not None else metadata_from_frame(ds, frame)
        frames[name] = frame
        metas[name] = {v.name: v for v in meta_variables(meta)}
        chosen.append(ds)
    if problems:
        raise SpecError(problems, "the spec does not describe every dataset given")
    return sorted(chosen, key=dataset_sort_key), frames, metas


def _root(spec: Spec, standard: str, creation_datetime: str, file_oid: str | None,
          originator: str | None) -> tuple[etree._Element, etree._Element]:
    """ODM root, Study with GlobalVariables, and the empty MetaDataVersion."""
    study = spec.study
    root = etree.Element(odm("ODM"), nsmap=NSMAP)
    root.set("FileType", "Snapshot")
    root.set("FileOID", file_oid or f"{study.studyid}.Define-XML_2.1.{standard}")
    root.set("CreationDateTime", creation_datetime)
    root.set("ODMVersion", "1.3.2")
    root.set("Originator", originator or study.sponsor)
    root.set("SourceSystem", "aclf-cdisc")
    root.set("SourceSystemVersion", __version__)
    root.set(deff("Context"), "Submission")
    st = etree.SubElement(root, odm("Study"))
    st.set("OID", f"STDY.{study.studyid}")
    gv = etree.SubElement(st, odm("GlobalVariables"))
    etree.SubElement(gv, odm("StudyName")).text = study.studyid
    etree.SubElement(gv, odm("StudyDescription")).text = study.title
    etree.SubElement(gv, odm("ProtocolName")).text = study.protocol
    ig_name, ig_version = IG_STANDARDS[standard]
    mdv = etree.SubElement(st, odm("MetaDataVersion"))
    mdv.set("OID", f"MDV.{study.studyid}.{standard}")
    mdv.set("Name", f"Study {study.studyid}, {standard} Data Definitions")
    mdv.set("Description", f"{standard} data definitions for {study.studyid} ({ig_name} {ig_version}): "
            f"{study.title}")
    mdv.set(deff("DefineVersion"), DEFINE_VERSION)
    return root, mdv


def build_define(
    spec: Spec,
    standard: Standard,
    datasets: Mapping[str, Any],
    *,
    creation_datetime: str,
    file_oid: str | None = None,
    originator: str | None = None,
    stylesheet: str | None = STYLESHEET_NAME,
    issues: list[Issue] | None = None,
    analysis_results: AnalysisResults | None = None,
    columns: dict[str, dict[str, Any]] | None = None,
) -> etree._ElementTree:
    """Return the Define-XML 2.1 tree for the ``standard`` datasets in ``datasets``.

    ``datasets`` maps dataset names to ``(frame, meta)``; ``meta`` is the XPT metadata
    (``name``, ``label``, ``variables`` with ``name``/``label``/``type``/``length``) or None to
    derive it from the spec and the frame. Non-fatal findings (warnings) are appended to
    ``issues`` when a list is given. ``analysis_results`` (ADaM ARM: the displays and their
    where clauses) are placed where the ARM schema wants them. ``columns`` (a dict, empty or kept
    from a call on the same frames) receives each column factorized (dataset -> column ->
    :class:`~aclf_cdisc.define.distinct.DistinctColumn`), so ``check_define_against_data`` can
    reuse them. Raises :class:`SpecError` when the spec cannot describe the data (a dataset or
    reference the spec lacks).
    """
    if standard not in IG_STANDARDS:
        raise ValueError(f"standard must be SDTM or ADaM, not {standard!r}")
    chosen, frames, metas = _select(spec, standard, datasets)
    root, mdv = _root(spec, standard, creation_datetime, file_oid, originator)
    refs = References(spec, standard=standard)
    acrf = acrf_oid(spec)
    present = {ds.name: [v for v in ds.variables if v.name in metas[ds.name]] for ds in chosen}
    plan = plan_value_level(chosen, frames, {name: {v.name for v in vs} for name, vs in present.items()}, columns)
    refs.problems.extend(plan.problems)

    # Items first: they decide which codelists, methods, comments and documents are referenced.
    items: list[etree._Element] = []
    for ds in chosen:
        frame = frames[ds.name]
        sizes: dict[str, ItemSize] = {}
        for var in present[ds.name]:
            values = plan.column(ds.name, frame, var.name).everything()
            item, sizes[var.name] = item_def(ds, var, metas[ds.name][var.name], values, refs,
                                             value_list=plan.value_list_oid(ds.name, var.name), acrf=acrf)
            items.append(item)
        items.extend(value_item_defs(plan, ds, frame, sizes, refs, acrf))
    value_lists = value_list_defs(plan, refs)
    where_clauses = where_clause_defs(plan, spec, refs)
    if analysis_results is not None:
        refs.problems.extend(check_displays(analysis_results))
        record_references(analysis_results, refs)
        where_clauses.extend(copy.deepcopy(el) for el in analysis_results.where_clauses)
    groups = [item_group_def(spec, ds, present[ds.name], refs, ig_standard_oid(standard)) for ds in chosen]
    documents = document_sections(spec, standard, refs)
    codelists = codelist_defs(spec.codelists, refs.codelist_values, meddra_version=spec.study.meddra_version)
    standards, problems = standards_element(standard, ct_packages(spec.codelists, refs.codelist_values),
                                            spec.study.ct_versions)
    refs.problems.extend(problems)

    # MetaDataVersion children in schema order.
    for el in [standards, *documents, *value_lists, *where_clauses, *groups, *items, *codelists,
               *method_defs(spec.methods, refs.methods, {oid: p.leaf_id for oid, p in refs.method_programs.items()}),
               *comment_defs(spec.comments, refs.comments),
               *document_leaves(spec.documents, refs.documents), *program_leaves(refs.method_programs.values())]:
        mdv.append(el)
    if analysis_results is not None:
        mdv.append(copy.deepcopy(analysis_results.displays))  # the caller's element is left as it was
    if any(p.severity == "error" for p in refs.problems):
        raise SpecError(refs.problems, "the spec cannot describe the data as Define-XML")
    if issues is not None:
        issues.extend(refs.problems)

    if stylesheet:
        pi = etree.ProcessingInstruction("xml-stylesheet", f'type="text/xsl" href="{stylesheet}"')
        root.addprevious(pi)
    nsmap = {**NSMAP, "arm": ARM_NS} if analysis_results is not None else NSMAP
    etree.cleanup_namespaces(root, top_nsmap=nsmap)
    return etree.ElementTree(root)


def define_bytes(tree: etree._ElementTree) -> bytes:
    """Serialise a define tree: UTF-8, XML declaration, two-space indentation, trailing newline."""
    etree.indent(tree, space="  ")
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=True)


__all__ = ["DEF_NS", "build_define", "define_bytes"]
