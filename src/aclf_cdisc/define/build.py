"""Build a Define-XML 2.1 document from the spec and the datasets actually written.

The spec supplies every description, origin, method, comment and codelist; the data and its
XPT metadata supply what only the files know: which datasets and variables exist, their
lengths, which codelist terms occur and which value-level rows have records. Nothing here reads
a clock: the caller passes CreationDateTime, so the same inputs give the same bytes.

Choices (see define/README.md):
- CodeList terms: the terms whose values occur in the data of the variables (or value-level
  subsets) that reference the codelist, plus the values a WhereClauseDef tests against the
  codelist's variable. A codelist none of whose variables has a non-missing value keeps the
  spec's full term list (a CodeList must not be empty). Data values that are not spec terms are
  not invented here; ``check_define_against_data`` reports them.
- Value-level rows whose where clause matches no record are dropped (they describe no data).
- Only definitions something references are written: methods, comments, codelists, documents.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import pandas as pd
from lxml import etree

from aclf_cdisc import __version__
from aclf_cdisc.define.common import (
    DEF_NS,
    LENGTH_TYPES,
    NSMAP,
    STYLESHEET_NAME,
    XML_NS,
    condition_mask,
    dataset_leaf_id,
    deff,
    distinct_code_texts,
    document_leaf_id,
    ig_oid,
    it_oid,
    meta_variables,
    metadata_from_frame,
    odm,
    unpack_datasets,
)
from aclf_cdisc.errors import Issue, SpecError
from aclf_cdisc.spec.model import Codelist, Dataset, Origin, Spec, ValueLevel, Variable

Standard = Literal["SDTM", "ADaM"]

IG_STANDARDS: dict[str, tuple[str, str]] = {"SDTM": ("SDTMIG", "3.4"), "ADaM": ("ADaMIG", "1.3")}
# CT publishing sets listed in each define (ADaM datasets carry SDTM terminology too).
CT_SETS: dict[str, tuple[str, ...]] = {"SDTM": ("SDTM",), "ADaM": ("ADaM", "SDTM")}
DEFINE_VERSION = "2.1.0"

# Dataset order in the define: SDTMIG class order, then name; ADaM: ADSL first, then name.
SDTM_CLASS_ORDER = ("TRIAL DESIGN", "SPECIAL PURPOSE", "INTERVENTIONS", "EVENTS", "FINDINGS",
                    "FINDINGS ABOUT", "RELATIONSHIP", "STUDY REFERENCE")
ADAM_CLASS_ORDER = ("SUBJECT LEVEL ANALYSIS DATASET", "OCCURRENCE DATA STRUCTURE",
                    "BASIC DATA STRUCTURE", "ADAM OTHER")

SPONSOR_ORIGINS = frozenset({"Derived", "Assigned", "Protocol", "Predecessor"})


def _text(parent: etree._Element, tag: str, text: str) -> etree._Element:
    """Append ``<tag><TranslatedText xml:lang="en">text</TranslatedText></tag>``."""
    el = etree.SubElement(parent, tag)
    tt = etree.SubElement(el, odm("TranslatedText"))
    tt.set(f"{{{XML_NS}}}lang", "en")
    tt.text = text
    return el


def _dataset_sort_key(ds: Dataset) -> tuple[int, str]:
    order = SDTM_CLASS_ORDER if ds.standard == "SDTM" else ADAM_CLASS_ORDER
    cls = (ds.class_ or "").upper()
    rank = order.index(cls) if cls in order else len(order)
    if ds.name.startswith("SUPP") or ds.name == "RELREC":
        rank = order.index("RELATIONSHIP") if "RELATIONSHIP" in order else len(order)
    return rank, ds.name


@dataclass
class _VLRow:
    dataset: Dataset
    row: ValueLevel
    item_oid: str


@dataclass
class _Build:
    spec: Spec
    standard: Standard
    frames: dict[str, pd.DataFrame]
    metas: dict[str, dict[str, Any]]  # dataset -> variable -> VariableMeta
    datasets: list[Dataset]
    problems: list[Issue] = field(default_factory=list)
    methods: set[str] = field(default_factory=set)
    comments: set[str] = field(default_factory=set)
    documents: set[str] = field(default_factory=set)
    # codelist OID -> ordered set of coded values found in data (None: no data)
    codelist_values: dict[str, set[str]] = field(default_factory=dict)
    codelist_users: dict[str, int] = field(default_factory=dict)
    value_lists: dict[tuple[str, str], tuple[str, list[_VLRow]]] = field(default_factory=dict)
    where_clauses: OrderedDict[str, tuple[str, tuple[tuple[str, str, tuple[str, ...]], ...]]] = field(
        default_factory=OrderedDict)
    # dataset -> condition_mask's cache of the text of the columns where clauses test
    text_cache: dict[str, dict[str, Any]] = field(default_factory=dict)

    # -- references ---------------------------------------------------------------------------
    def use_method(self, oid: str | None, where: str) -> str | None:
        if oid is None:
            return None
        if oid not in self.spec.methods:
            self.problems.append(Issue("define.spec-ref-missing", f"{where} names method {oid}, "
                                       "which methods.yaml does not define", value=oid))
            return None
        self.methods.add(oid)
        doc = self.spec.methods[oid].document
        if doc:
            self.use_document(doc, f"method {oid}")
        return oid

    def use_comment(self, oid: str | None, where: str) -> str | None:
        if oid is None:
            return None
        if oid not in self.spec.comments:
            self.problems.append(Issue("define.spec-ref-missing", f"{where} names comment {oid}, "
                                       "which comments.yaml does not define", value=oid))
            return None
        self.comments.add(oid)
        doc = self.spec.comments[oid].document
        if doc:
            self.use_document(doc, f"comment {oid}")
        return oid

    def use_document(self, oid: str, where: str) -> str | None:
        if oid not in self.spec.documents:
            self.problems.append(Issue("define.spec-ref-missing", f"{where} names document {oid}, "
                                       "which documents.yaml does not define", value=oid))
            return None
        self.documents.add(oid)
        return document_leaf_id(oid)

    def use_codelist(self, oid: str | None, where: str, values: pd.Series | None) -> str | None:
        if oid is None:
            return None
        if oid not in self.spec.codelists:
            self.problems.append(Issue("define.spec-ref-missing", f"{where} names codelist {oid}, "
                                       "which codelists.yaml does not define", value=oid))
            return None
        found = self.codelist_values.setdefault(oid, set())
        self.codelist_users[oid] = self.codelist_users.get(oid, 0) + 1
        if values is not None:
            found.update(distinct_code_texts(values))
        return oid

    # -- documents ----------------------------------------------------------------------------
    def acrf_oid(self) -> str | None:
        for oid, doc in sorted(self.spec.documents.items()):
            if "acrf" in (doc.href or "").lower() or "acrf" in oid.lower():
                return oid
        return None

    def supplemental_oids(self) -> list[str]:
        marker = "csdrg" if self.standard == "SDTM" else "adrg"
        return [oid for oid, doc in sorted(self.spec.documents.items())
                if marker in (doc.href or "").lower() or marker in oid.lower()]


def _present_variables(b: _Build, ds: Dataset) -> list[Variable]:
    names = b.metas[ds.name]
    return [v for v in ds.variables if v.name in names]


def _origin(b: _Build, parent: etree._Element, origin: Origin, where: str) -> None:
    el = etree.SubElement(parent, deff("Origin"))
    el.set("Type", origin.type)
    source = origin.source or ("Sponsor" if origin.type in SPONSOR_ORIGINS else None)
    if source:
        el.set("Source", source)
    description = origin.description
    if origin.type == "Predecessor":
        description = origin.predecessor or origin.description
    if description:
        _text(el, odm("Description"), description)
    if origin.pages and origin.type in {"Collected", "Predecessor"}:
        acrf = b.acrf_oid()
        if acrf is None:
            b.problems.append(Issue("define.acrf-missing", f"{where} names aCRF pages but "
                                    "documents.yaml has no annotated CRF", severity="warning"))
            return
        ref = etree.SubElement(el, deff("DocumentRef"))
        ref.set("leafID", b.use_document(acrf, where) or document_leaf_id(acrf))
        pages = [str(p) for p in origin.pages]
        pdf = etree.SubElement(ref, deff("PDFPageRef"))
        pdf.set("PageRefs", " ".join(pages))
        pdf.set("Type", "PhysicalRef" if all(p.isdigit() for p in pages) else "NamedDestination")


def _value_level(b: _Build) -> None:
    """Collect value-level rows that describe data, their where clauses and ItemDef OIDs."""
    for ds in b.datasets:
        frame = b.frames[ds.name]
        present = {v.name for v in _present_variables(b, ds)}
        used_item_oids: set[str] = set()
        for row in ds.value_level:
            if row.variable not in present:
                continue
            conditions = tuple((c[0], c[1], tuple(str(x) for x in c[2])) for c in row.where.conditions)
            missing = [c[0] for c in conditions if c[0] not in present]
            if missing:
                b.problems.append(Issue("define.vlm-variable-missing", f"where clause {row.where.oid} "
                                        f"tests {', '.join(missing)}, which {ds.name} does not have",
                                        dataset=ds.name, column=row.variable, value=row.where.oid))
                continue
            if not bool(condition_mask(frame, conditions, cache=b.text_cache.setdefault(ds.name, {})).any()):
                continue  # describes no record
            known = b.where_clauses.get(row.where.oid)
            if known is not None and known[1] != conditions:
                b.problems.append(Issue("define.where-conflict", f"where clause {row.where.oid} is "
                                        "declared twice with different conditions", dataset=ds.name,
                                        value=row.where.oid))
                continue
            b.where_clauses[row.where.oid] = (ds.name, conditions)
            suffix = ".".join("-".join(values) for _, _, values in conditions)
            item = f"{it_oid(ds.name, row.variable)}.{suffix}"
            if item in used_item_oids:
                item = f"{it_oid(ds.name, row.variable)}.{row.where.oid}"
            used_item_oids.add(item)
            var = ds.variable(row.variable)
            vl_oid = var.value_list or f"VL.{ds.name}.{row.variable}"
            b.value_lists.setdefault((ds.name, row.variable), (vl_oid, []))[1].append(
                _VLRow(ds, row, item))


def _standards(b: _Build, mdv: etree._Element) -> dict[str, str]:
    standards = etree.SubElement(mdv, deff("Standards"))
    name, version = IG_STANDARDS[b.standard]
    ig = etree.SubElement(standards, deff("Standard"))
    ig_std = f"STD.IG.{name}"
    for key, value in (("OID", ig_std), ("Name", name), ("Type", "IG"), ("Version", version),
                       ("Status", "Final")):
        ig.set(key, value)
    ct_oids: dict[str, str] = {"IG": ig_std}
    for pub in CT_SETS[b.standard]:
        version_ct = b.spec.study.ct_versions.get(pub)
        if not version_ct:
            continue
        ct = etree.SubElement(standards, deff("Standard"))
        oid = f"STD.CT.{pub}"
        for key, value in (("OID", oid), ("Name", "CDISC/NCI"), ("Type", "CT"),
                           ("PublishingSet", pub), ("Version", str(version_ct)), ("Status", "Final")):
            ct.set(key, value)
        ct_oids[pub] = oid
    return ct_oids


def _item_group(b: _Build, parent: etree._Element, ds: Dataset, std_oid: str) -> None:
    ig = etree.SubElement(parent, odm("ItemGroupDef"))
    ig.set("OID", ig_oid(ds.name))
    if ds.standard == "SDTM":
        ig.set("Domain", ds.domain or ds.name[:2])
    ig.set("Name", ds.name)
    ig.set("Repeating", "Yes" if ds.repeating else "No")
    ig.set("IsReferenceData", "Yes" if ds.reference_data else "No")
    ig.set("SASDatasetName", ds.name)
    ig.set("Purpose", ds.purpose)
    ig.set(deff("Structure"), ds.structure)
    ig.set(deff("StandardOID"), std_oid)
    ig.set(deff("ArchiveLocationID"), dataset_leaf_id(ds.name))
    comment = b.use_comment(ds.comment, f"dataset {ds.name}")
    if comment:
        ig.set(deff("CommentOID"), comment)
    _text(ig, odm("Description"), ds.label)  # equals the XPT dataset label
    keys = {name: i for i, name in enumerate(ds.keys, start=1)}
    for order, var in enumerate(_present_variables(b, ds), start=1):
        ref = etree.SubElement(ig, odm("ItemRef"))
        ref.set("ItemOID", it_oid(ds.name, var.name))
        ref.set("OrderNumber", str(order))
        ref.set("Mandatory", "Yes" if var.core == "Req" else "No")
        if var.name in keys:
            ref.set("KeySequence", str(keys[var.name]))
        method = b.use_method(var.method, f"{ds.name}.{var.name}")
        if method:
            ref.set("MethodOID", method)
        if ds.standard == "SDTM" and var.role:
            ref.set("Role", var.role)
    if ds.name.startswith("SUPP") and len(ds.name) > 4:
        parent_code = ds.domain or ds.name[4:]
        parent_ds = b.spec.datasets.get(parent_code)
        alias = etree.SubElement(ig, odm("Alias"))
        alias.set("Context", "DomainDescription")
        alias.set("Name", parent_ds.label if parent_ds else parent_code)
    cls = etree.SubElement(ig, deff("Class"))
    cls.set("Name", ds.class_)
    if ds.subclass:
        etree.SubElement(cls, deff("SubClass")).set("Name", ds.subclass)
    leaf = etree.SubElement(ig, deff("leaf"))
    leaf.set("ID", dataset_leaf_id(ds.name))
    leaf.set(f"{{{NSMAP['xlink']}}}href", f"{ds.name.lower()}.xpt")
    etree.SubElement(leaf, deff("title")).text = f"{ds.name.lower()}.xpt"


def _item_attrs(el: etree._Element, oid: str, name: str, data_type: str, length: int | None,
                significant_digits: int | None, display_format: str | None) -> None:
    el.set("OID", oid)
    el.set("Name", name)
    el.set("DataType", data_type)
    if data_type in LENGTH_TYPES and length:
        el.set("Length", str(length))
    if significant_digits is not None and data_type == "float":
        el.set("SignificantDigits", str(significant_digits))
    el.set("SASFieldName", name)
    if display_format and data_type in {"integer", "float"}:
        el.set(deff("DisplayFormat"), display_format)


def _item_defs(b: _Build, parent: etree._Element) -> None:
    for ds in b.datasets:
        frame = b.frames[ds.name]
        for var in _present_variables(b, ds):
            meta = b.metas[ds.name][var.name]
            where = f"{ds.name}.{var.name}"
            item = etree.SubElement(parent, odm("ItemDef"))
            _item_attrs(item, it_oid(ds.name, var.name), var.name, var.data_type, meta.length,
                        var.significant_digits, var.display_format or meta.format)
            comment = b.use_comment(var.comment, where)
            if comment:
                item.set(deff("CommentOID"), comment)
            _text(item, odm("Description"), var.label)
            codelist = b.use_codelist(var.codelist, where, frame[var.name])
            if codelist:
                etree.SubElement(item, odm("CodeListRef")).set("CodeListOID", codelist)
            _origin(b, item, var.origin, where)
            vl = b.value_lists.get((ds.name, var.name))
            if vl:
                etree.SubElement(item, deff("ValueListRef")).set("ValueListOID", vl[0])
        for (ds_name, var_name), (_, rows) in b.value_lists.items():
            if ds_name != ds.name:
                continue
            parent_var = ds.variable(var_name)
            meta = b.metas[ds.name][var_name]
            for vl_row in rows:
                row = vl_row.row
                where = f"{ds.name}.{var_name} where {row.where.oid}"
                item = etree.SubElement(parent, odm("ItemDef"))
                if row.data_type in LENGTH_TYPES:
                    length = row.length or meta.length
                    if row.data_type in {"integer", "float"} and row.length is None:
                        length = 8
                else:
                    length = None
                _item_attrs(item, vl_row.item_oid, var_name, row.data_type, length,
                            row.significant_digits, row.display_format)
                comment = b.use_comment(row.comment, where)
                if comment:
                    item.set(deff("CommentOID"), comment)
                label = row.label or parent_var.label
                if row.unit:
                    label = f"{label} ({row.unit})"
                _text(item, odm("Description"), label)
                mask = condition_mask(frame, b.where_clauses[row.where.oid][1],
                                      cache=b.text_cache.setdefault(ds.name, {}))
                subset = frame.loc[mask, var_name]
                codelist = b.use_codelist(row.codelist, where, subset)
                if codelist:
                    etree.SubElement(item, odm("CodeListRef")).set("CodeListOID", codelist)
                _origin(b, item, row.origin, where)


def _value_list_defs(b: _Build, parent: etree._Element) -> None:
    for (ds_name, var_name), (vl_oid, rows) in b.value_lists.items():
        vl = etree.SubElement(parent, deff("ValueListDef"))
        vl.set("OID", vl_oid)
        for order, vl_row in enumerate(rows, start=1):
            row = vl_row.row
            ref = etree.SubElement(vl, odm("ItemRef"))
            ref.set("ItemOID", vl_row.item_oid)
            ref.set("OrderNumber", str(order))
            ref.set("Mandatory", "Yes" if row.mandatory else "No")
            method = b.use_method(row.method, f"{ds_name}.{var_name} where {row.where.oid}")
            if method:
                ref.set("MethodOID", method)
            etree.SubElement(ref, deff("WhereClauseRef")).set("WhereClauseOID", row.where.oid)


def _where_clause_defs(b: _Build, parent: etree._Element) -> None:
    for oid, (ds_name, conditions) in b.where_clauses.items():
        wc = etree.SubElement(parent, deff("WhereClauseDef"))
        wc.set("OID", oid)
        for variable, comparator, values in conditions:
            rc = etree.SubElement(wc, odm("RangeCheck"))
            rc.set("Comparator", comparator.upper())
            rc.set("SoftHard", "Soft")
            rc.set(deff("ItemOID"), it_oid(ds_name, variable))
            for value in values:
                etree.SubElement(rc, odm("CheckValue")).text = value
            # the values a where clause tests belong in the tested variable's codelist
            var = b.spec.datasets[ds_name].variable(variable)
            if var.codelist in b.codelist_values:
                b.codelist_values[var.codelist].update(values)


def _codelist_standard(b: _Build, cl: Codelist, ct_oids: dict[str, str]) -> str | None:
    if cl.external or not cl.nci_code:
        return None
    ct_sets = [pub for pub in CT_SETS[b.standard] if pub in ct_oids]
    if b.standard == "SDTM" or len(ct_sets) == 1:
        return ct_oids[ct_sets[0]] if ct_sets else None
    return None  # ADaM define with both ADaM and SDTM CT: the publishing set is not in the spec


def _codelists(b: _Build, parent: etree._Element, ct_oids: dict[str, str]) -> None:
    for oid in sorted(b.codelist_values):
        cl = b.spec.codelists[oid]
        el = etree.SubElement(parent, odm("CodeList"))
        el.set("OID", cl.oid)
        el.set("Name", cl.name)
        el.set("DataType", cl.data_type)
        std = _codelist_standard(b, cl, ct_oids)
        if std:
            el.set(deff("StandardOID"), std)
        if cl.external:
            ext = etree.SubElement(el, odm("ExternalCodeList"))
            dictionary = cl.external.get("dictionary", "")
            ext.set("Dictionary", dictionary)
            version = cl.external.get("version") or (
                b.spec.study.meddra_version if dictionary.upper() == "MEDDRA" else None)
            if version:
                ext.set("Version", str(version))
            if cl.external.get("href"):
                ext.set("href", cl.external["href"])
        else:
            found = b.codelist_values[oid]
            terms = [t for t in cl.terms if t.submission_value in found] or list(cl.terms)
            decoded = any(t.decode for t in cl.terms)
            for term in terms:
                item = etree.SubElement(el, odm("CodeListItem" if decoded else "EnumeratedItem"))
                item.set("CodedValue", term.submission_value)
                if term.order is not None:
                    item.set("OrderNumber", str(term.order))
                if term.extended:
                    item.set(deff("ExtendedValue"), "Yes")
                if decoded:
                    _text(item, odm("Decode"), term.decode or term.submission_value)
                if term.nci_code and not term.extended:
                    alias = etree.SubElement(item, odm("Alias"))
                    alias.set("Context", "nci:ExtCodeID")
                    alias.set("Name", term.nci_code)
        if cl.nci_code:
            alias = etree.SubElement(el, odm("Alias"))
            alias.set("Context", "nci:ExtCodeID")
            alias.set("Name", cl.nci_code)


def _methods_comments_leaves(b: _Build, mdv: etree._Element) -> None:
    for oid in sorted(b.methods):
        method = b.spec.methods[oid]
        el = etree.SubElement(mdv, odm("MethodDef"))
        el.set("OID", oid)
        el.set("Name", method.name)
        el.set("Type", method.type)
        _text(el, odm("Description"), method.description)
        if method.expression:
            fe = etree.SubElement(el, odm("FormalExpression"))
            fe.set("Context", "Python (aclf_cdisc)")
            fe.text = method.expression
        if method.document:
            etree.SubElement(el, deff("DocumentRef")).set("leafID", document_leaf_id(method.document))
    for oid in sorted(b.comments):
        comment = b.spec.comments[oid]
        el = etree.SubElement(mdv, deff("CommentDef"))
        el.set("OID", oid)
        _text(el, odm("Description"), comment.description)
        if comment.document:
            etree.SubElement(el, deff("DocumentRef")).set("leafID", document_leaf_id(comment.document))
    for oid in sorted(b.documents):
        doc = b.spec.documents[oid]
        leaf = etree.SubElement(mdv, deff("leaf"))
        leaf.set("ID", document_leaf_id(oid))
        leaf.set(f"{{{NSMAP['xlink']}}}href", doc.href)
        etree.SubElement(leaf, deff("title")).text = doc.title


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
) -> etree._ElementTree:
    """Return the Define-XML 2.1 tree for the ``standard`` datasets in ``datasets``.

    ``datasets`` maps dataset names to ``(frame, meta)``; ``meta`` is the XPT metadata
    (``name``, ``label``, ``variables`` with ``name``/``label``/``type``/``length``) or None to
    derive it from the spec and the frame. Non-fatal findings (warnings) are appended to
    ``issues`` when a list is given. Raises :class:`SpecError` when the spec cannot
    describe the data (a dataset or reference the spec lacks).
    """
    if standard not in IG_STANDARDS:
        raise ValueError(f"standard must be SDTM or ADaM, not {standard!r}")
    given = unpack_datasets(datasets)
    problems: list[Issue] = []
    chosen: list[Dataset] = []
    frames: dict[str, pd.DataFrame] = {}
    metas: dict[str, dict[str, Any]] = {}
    for name, (frame, meta) in sorted(given.items()):
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
    chosen.sort(key=_dataset_sort_key)
    b = _Build(spec, standard, frames, metas, chosen)

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

    ct_oids = _standards(b, mdv)
    if standard == "SDTM":
        acrf = b.acrf_oid()
        if acrf:
            b.use_document(acrf, "define")
            annotated = etree.SubElement(mdv, deff("AnnotatedCRF"))
            etree.SubElement(annotated, deff("DocumentRef")).set("leafID", document_leaf_id(acrf))
    supplemental = b.supplemental_oids()
    if supplemental:
        supp = etree.SubElement(mdv, deff("SupplementalDoc"))
        for oid in supplemental:
            b.use_document(oid, "define")
            etree.SubElement(supp, deff("DocumentRef")).set("leafID", document_leaf_id(oid))

    _value_level(b)
    # ItemDefs are built first (they decide which codelists, methods, comments are used) and then
    # moved into schema order below the ItemGroupDefs.
    items_holder = etree.Element("holder")
    _item_defs(b, items_holder)
    vl_holder = etree.Element("holder")
    _value_list_defs(b, vl_holder)
    for el in vl_holder:
        mdv.append(el)
    _where_clause_defs(b, mdv)
    for ds in chosen:
        _item_group(b, mdv, ds, ct_oids["IG"])
    for el in list(items_holder):
        mdv.append(el)
    _codelists(b, mdv, ct_oids)
    _methods_comments_leaves(b, mdv)
    if b.problems and any(p.severity == "error" for p in b.problems):
        raise SpecError(b.problems, "the spec cannot describe the data as Define-XML")
    if issues is not None:
        issues.extend(b.problems)

    if stylesheet:
        pi = etree.ProcessingInstruction("xml-stylesheet", f'type="text/xsl" href="{stylesheet}"')
        root.addprevious(pi)
    etree.cleanup_namespaces(root, top_nsmap=NSMAP)
    return etree.ElementTree(root)


def define_bytes(tree: etree._ElementTree) -> bytes:
    """Serialise a define tree: UTF-8, XML declaration, two-space indentation, trailing newline."""
    etree.indent(tree, space="  ")
    return etree.tostring(tree, xml_declaration=True, encoding="UTF-8", pretty_print=True)


__all__ = ["DEF_NS", "build_define", "define_bytes"]
