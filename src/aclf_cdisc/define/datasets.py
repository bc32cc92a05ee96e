"""ItemGroupDef and ItemDef: the datasets and their variables, as the XPT files hold them.

The spec supplies labels, types, roles, keys, origins, methods, comments and codelists; the data
supplies which variables exist, text lengths (the XPT length) and numeric lengths (the digits the
values need, see :mod:`aclf_cdisc.define.lengths`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from lxml import etree

from aclf_cdisc.define.common import (
    LENGTH_TYPES,
    NUMERIC_TYPES,
    dataset_leaf_id,
    deff,
    document_leaf_id,
    ig_oid,
    it_oid,
    odm,
    translated_text,
)
from aclf_cdisc.define.distinct import DistinctValues
from aclf_cdisc.define.documents import leaf_element
from aclf_cdisc.define.lengths import decimals_needed, numeric_length
from aclf_cdisc.define.references import References
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Dataset, Origin, Spec, Variable

# Dataset order in the define: SDTMIG class order, then name; ADaM: ADSL first, then name.
SDTM_CLASS_ORDER = ("TRIAL DESIGN", "SPECIAL PURPOSE", "INTERVENTIONS", "EVENTS", "FINDINGS",
                    "FINDINGS ABOUT", "RELATIONSHIP", "STUDY REFERENCE")
ADAM_CLASS_ORDER = ("SUBJECT LEVEL ANALYSIS DATASET", "OCCURRENCE DATA STRUCTURE",
                    "BASIC DATA STRUCTURE", "ADAM OTHER")
SPONSOR_ORIGINS = frozenset({"Derived", "Assigned", "Protocol", "Predecessor"})


def dataset_sort_key(ds: Dataset) -> tuple[int, str]:
    order = SDTM_CLASS_ORDER if ds.standard == "SDTM" else ADAM_CLASS_ORDER
    cls = (ds.class_ or "").upper()
    rank = order.index(cls) if cls in order else len(order)
    if ds.name.startswith("SUPP") or ds.name == "RELREC":
        rank = order.index("RELATIONSHIP") if "RELATIONSHIP" in order else len(order)
    return rank, ds.name


@dataclass(frozen=True)
class ItemSize:
    """Length and SignificantDigits of an ItemDef (None where the DataType has none)."""

    length: int | None
    significant_digits: int | None


def item_size(data_type: str, values: pd.Series | np.ndarray | None, xpt_length: int | None,
              significant_digits: int | None) -> ItemSize:
    """Text: the XPT length. Integer/float: the digits the values need. Float: SignificantDigits
    from the spec, else from the values. Dates and other ISO 8601 types: neither."""
    if data_type not in LENGTH_TYPES:
        return ItemSize(None, None)
    if data_type not in NUMERIC_TYPES:
        return ItemSize(xpt_length or 1, None)
    observed = values if values is not None else pd.Series([], dtype=float)
    digits = None
    if data_type == "float":
        digits = significant_digits if significant_digits is not None else decimals_needed(observed)
    return ItemSize(numeric_length(observed, data_type, digits), digits)


def set_item_attrs(el: etree._Element, oid: str, name: str, data_type: str, size: ItemSize,
                   display_format: str | None) -> None:
    el.set("OID", oid)
    el.set("Name", name)
    el.set("DataType", data_type)
    if size.length:
        el.set("Length", str(size.length))
    if size.significant_digits is not None:
        el.set("SignificantDigits", str(size.significant_digits))
    el.set("SASFieldName", name)
    if display_format and data_type in NUMERIC_TYPES:
        el.set(deff("DisplayFormat"), display_format)


def origin_element(parent: etree._Element, origin: Origin, where: str, refs: References,
                   acrf: str | None) -> None:
    """``def:Origin`` with type, source, description and (Collected) the aCRF pages."""
    el = etree.SubElement(parent, deff("Origin"))
    el.set("Type", origin.type)
    source = origin.source or ("Sponsor" if origin.type in SPONSOR_ORIGINS else None)
    if source:
        el.set("Source", source)
    description = origin.description
    if origin.type == "Predecessor":
        description = origin.predecessor or origin.description
    if description:
        translated_text(el, odm("Description"), description)
    if origin.pages and origin.type in {"Collected", "Predecessor"}:
        if acrf is None:
            refs.problems.append(Issue("define.acrf-missing", f"{where} names aCRF pages but "
                                       "documents.yaml has no annotated CRF", severity="warning"))
            return
        ref = etree.SubElement(el, deff("DocumentRef"))
        ref.set("leafID", refs.document(acrf, where) or document_leaf_id(acrf))
        pages = [str(p) for p in origin.pages]
        pdf = etree.SubElement(ref, deff("PDFPageRef"))
        pdf.set("PageRefs", " ".join(pages))
        pdf.set("Type", "PhysicalRef" if all(p.isdigit() for p in pages) else "NamedDestination")


def item_group_def(spec: Spec, ds: Dataset, variables: list[Variable], refs: References,
                   ig_standard: str) -> etree._Element:
    """``<ItemGroupDef>`` of ``ds`` listing ``variables`` (those the data has) in spec order."""
    ig = etree.Element(odm("ItemGroupDef"))
    ig.set("OID", ig_oid(ds.name))
    if ds.standard == "SDTM":
        ig.set("Domain", ds.domain or ds.name[:2])
    ig.set("Name", ds.name)
    ig.set("Repeating", "Yes" if ds.repeating else "No")
    ig.set("IsReferenceData", "Yes" if ds.reference_data else "No")
    ig.set("SASDatasetName", ds.name)
    ig.set("Purpose", ds.purpose)
    ig.set(deff("Structure"), ds.structure)
    ig.set(deff("StandardOID"), ig_standard)
    ig.set(deff("ArchiveLocationID"), dataset_leaf_id(ds.name))
    comment = refs.comment(ds.comment, f"dataset {ds.name}")
    if comment:
        ig.set(deff("CommentOID"), comment)
    translated_text(ig, odm("Description"), ds.label)  # equals the XPT dataset label
    keys = {name: i for i, name in enumerate(ds.keys, start=1)}
    for order, var in enumerate(variables, start=1):
        ref = etree.SubElement(ig, odm("ItemRef"))
        ref.set("ItemOID", it_oid(ds.name, var.name))
        ref.set("OrderNumber", str(order))
        ref.set("Mandatory", "Yes" if var.core == "Req" else "No")
        if var.name in keys:
            ref.set("KeySequence", str(keys[var.name]))
        method = refs.method(var.method, f"{ds.name}.{var.name}")
        if method:
            ref.set("MethodOID", method)
        if ds.standard == "SDTM" and var.role:
            ref.set("Role", var.role)
    if ds.name.startswith("SUPP") and len(ds.name) > 4:
        parent_code = ds.domain or ds.name[4:]
        parent_ds = spec.datasets.get(parent_code)
        alias = etree.SubElement(ig, odm("Alias"))
        alias.set("Context", "DomainDescription")
        alias.set("Name", parent_ds.label if parent_ds else parent_code)
    cls = etree.SubElement(ig, deff("Class"))
    cls.set("Name", ds.class_)
    if ds.subclass:
        etree.SubElement(cls, deff("SubClass")).set("Name", ds.subclass)
    file = f"{ds.name.lower()}.xpt"
    ig.append(leaf_element(dataset_leaf_id(ds.name), file, file))
    return ig


def item_def(ds: Dataset, var: Variable, meta: Any, values: pd.Series | DistinctValues, refs: References, *,
             value_list: str | None, acrf: str | None) -> tuple[etree._Element, ItemSize]:
    """``<ItemDef>`` of one dataset variable, and its size (value-level items may not exceed it)."""
    where = f"{ds.name}.{var.name}"
    item = etree.Element(odm("ItemDef"))
    if not isinstance(values, DistinctValues):
        values = DistinctValues.of(values)
    numbers = values.finite_numbers() if var.data_type in NUMERIC_TYPES else None
    size = item_size(var.data_type, numbers, meta.length, var.significant_digits)
    set_item_attrs(item, it_oid(ds.name, var.name), var.name, var.data_type, size,
                   var.display_format or meta.format)
    comment = refs.comment(var.comment, where)
    if comment:
        item.set(deff("CommentOID"), comment)
    translated_text(item, odm("Description"), var.label)
    codelist = refs.codelist(var.codelist, where, values)
    if codelist:
        etree.SubElement(item, odm("CodeListRef")).set("CodeListOID", codelist)
    origin_element(item, refs.with_acrf_pages(var.origin, ds.name, var.name), where, refs, acrf)
    if value_list:
        etree.SubElement(item, deff("ValueListRef")).set("ValueListOID", value_list)
    return item, size
