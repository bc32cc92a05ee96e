"""Checks a schema cannot make: referential integrity inside a define.xml, and agreement of the
define with the datasets it describes.

Rule codes (stable; tests and reports use them):

    define.oid-duplicate            two definitions of one kind share an OID (or leaf ID)
    define.ref-unresolved           an *OID / leafID / ArchiveLocationID reference has no target
    define.orphan                   a definition nothing references
    define.codelist-datatype        CodeList DataType differs from the referencing ItemDef's
    define.order-duplicate          an OrderNumber repeats within an ItemGroupDef / ValueListDef
    define.keys-missing             an ItemGroupDef has no ItemRef with KeySequence
    define.key-sequence-duplicate   a KeySequence repeats within an ItemGroupDef
    define.itemgroup-incomplete     an ItemGroupDef lacks Description, def:Class, def:Structure
                                    or its def:leaf (datasets with def:HasNoData excepted)
    define.derived-no-method        a Derived analysis ItemDef (in a Purpose="Analysis" dataset)
                                    has no MethodOID on any ItemRef to it and no value-level list
                                    that could carry one. Tabulation items are exempt: the CDISC
                                    SDTM example itself has Derived items without methods, and our
                                    spec loader already demands a method for every Derived variable
    define.predecessor-no-description  a Predecessor origin does not name its source
    define.oid-not-token            an OID, ID or reference to one contains white space
    define.float-no-significant-digits  a float ItemDef without SignificantDigits
    define.vlm-length-exceeds-parent    a value-level ItemDef's Length is above its parent's
    define.codelist-unclassified    a CodeList is neither CDISC (def:StandardOID), external
                                    (ExternalCodeList) nor sponsor (def:IsNonStandard)
    define.extended-not-cdisc       def:ExtendedValue on a term of a non-CDISC codelist

    define.data-dataset-missing     the define has a dataset the data lacks
    define.data-dataset-undefined   the data has a dataset the define lacks
    define.data-dataset-label       dataset label differs from the ItemGroupDef Description
    define.data-variable-missing    the define lists a variable the dataset lacks
    define.data-variable-undefined  the dataset has a variable the define lacks
    define.data-order               variable order differs from the define's OrderNumber order
    define.data-label / -type / -length   variable label / type / length differ (text: the XPT
                                    length; integer/float: Length below the digits the values need)
    define.data-ct-value            a value is not in the variable's (or value-level) codelist
                                    (warning when the spec marks the codelist extensible)
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from aclf_cdisc.compact import expand_column
from aclf_cdisc.define.common import (
    DEF_NS,
    NUMERIC_TYPES,
    ODM_NS,
    condition_mask,
    meta_variables,
    metadata_from_frame,
    unpack_datasets,
    xpt_type_of,
)
from aclf_cdisc.define.distinct import DistinctValues, distinct_column
from aclf_cdisc.define.lengths import numeric_length
from aclf_cdisc.errors import Issue

# definition element (namespace, local name) -> kind
DEFINITION_KINDS: dict[tuple[str, str], str] = {
    (ODM_NS, "ItemGroupDef"): "ItemGroupDef",
    (ODM_NS, "ItemDef"): "ItemDef",
    (ODM_NS, "CodeList"): "CodeList",
    (ODM_NS, "MethodDef"): "MethodDef",
    (DEF_NS, "CommentDef"): "CommentDef",
    (DEF_NS, "ValueListDef"): "ValueListDef",
    (DEF_NS, "WhereClauseDef"): "WhereClauseDef",
    (DEF_NS, "Standard"): "Standard",
    (DEF_NS, "leaf"): "leaf",
}
# reference attribute local name -> kind it points at
REFERENCE_KINDS: dict[str, str] = {
    "ItemOID": "ItemDef",
    "ParameterOID": "ItemDef",
    "ItemGroupOID": "ItemGroupDef",
    "CodeListOID": "CodeList",
    "MethodOID": "MethodDef",
    "CommentOID": "CommentDef",
    "ValueListOID": "ValueListDef",
    "WhereClauseOID": "WhereClauseDef",
    "StandardOID": "Standard",
    "leafID": "leaf",
    "ArchiveLocationID": "leaf",
}
# kinds that exist only to be referenced: unreferenced ones are orphans
ORPHAN_KINDS = ("ItemDef", "CodeList", "MethodDef", "CommentDef", "ValueListDef", "WhereClauseDef",
                "leaf", "Standard")

_NS = {"odm": ODM_NS, "def": DEF_NS}


def _local(name: str) -> str:
    return etree.QName(name).localname


def _root(tree: Any) -> etree._Element:
    if isinstance(tree, etree._ElementTree):
        return tree.getroot()
    if isinstance(tree, etree._Element):
        return tree
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    return etree.parse(str(tree), parser).getroot()


def _text_of(el: etree._Element | None) -> str:
    if el is None:
        return ""
    tt = el.find("odm:TranslatedText", _NS)
    return (tt.text or "").strip() if tt is not None else ""


def _definitions(root: etree._Element) -> dict[str, dict[str, list[etree._Element]]]:
    defs: dict[str, dict[str, list[etree._Element]]] = defaultdict(lambda: defaultdict(list))
    for el in root.iter(etree.Element):
        qn = etree.QName(el)
        kind = DEFINITION_KINDS.get((qn.namespace or "", qn.localname))
        if kind is None:
            continue
        key = el.get("ID") if kind == "leaf" else el.get("OID")
        if key is not None:
            defs[kind][key].append(el)
    return defs


def check_define(tree: Any) -> list[Issue]:
    """Referential-integrity and completeness checks on a define.xml tree (or path)."""
    root = _root(tree)
    issues: list[Issue] = []
    defs = _definitions(root)

    for kind in sorted(defs):
        for oid, els in sorted(defs[kind].items()):
            if len(els) > 1:
                issues.append(Issue("define.oid-duplicate", f"{len(els)} {kind} definitions share {oid}",
                                    value=oid, row=els[1].sourceline, column=kind))

    referenced: dict[str, set[str]] = defaultdict(set)
    for el in root.iter(etree.Element):
        for attr, value in el.attrib.items():
            ref_kind = REFERENCE_KINDS.get(_local(attr))
            if ref_kind is None:
                continue
            kind = ref_kind
            if el.tag == f"{{{DEF_NS}}}leaf":
                continue
            referenced[kind].add(value)
            if value not in defs.get(kind, {}):
                issues.append(Issue("define.ref-unresolved",
                                    f"{_local(el.tag)} {_local(attr)}={value} names no {kind}",
                                    value=value, row=el.sourceline, column=_local(attr)))

    for kind in ORPHAN_KINDS:
        for oid, els in sorted(defs.get(kind, {}).items()):
            if kind == "Standard" and els[0].get("Type") == "CT":
                continue  # declares the pinned CT release even when no CodeList names it
            if oid not in referenced[kind]:
                issues.append(Issue("define.orphan", f"{kind} {oid} is defined but never referenced",
                                    value=oid, row=els[0].sourceline, column=kind))

    codelists = {oid: els[0] for oid, els in defs.get("CodeList", {}).items()}
    items = {oid: els[0] for oid, els in defs.get("ItemDef", {}).items()}
    for oid, item in sorted(items.items()):
        ref = item.find("odm:CodeListRef", _NS)
        if ref is not None and ref.get("CodeListOID") in codelists:
            cl = codelists[ref.get("CodeListOID")]
            if cl.get("DataType") != item.get("DataType"):
                issues.append(Issue("define.codelist-datatype",
                                    f"ItemDef {oid} is {item.get('DataType')} but its CodeList "
                                    f"{cl.get('OID')} is {cl.get('DataType')}", value=oid,
                                    row=item.sourceline, expected=item.get("DataType")))

    methods_for: dict[str, set[str]] = defaultdict(set)
    analysis_items: set[str] = set()
    vl_of_item = {oid: el.find("def:ValueListRef", _NS) for oid, el in items.items()}
    vl_items: dict[str, list[str]] = {
        vl.get("OID", ""): [r.get("ItemOID", "") for r in vl.findall("odm:ItemRef", _NS)]
        for vl in root.iter(f"{{{DEF_NS}}}ValueListDef")}
    for ref in root.iter(f"{{{ODM_NS}}}ItemRef"):
        if ref.get("MethodOID"):
            methods_for[ref.get("ItemOID", "")].add(ref.get("MethodOID", ""))
    for ig in root.iter(f"{{{ODM_NS}}}ItemGroupDef"):
        if ig.get("Purpose") != "Analysis":
            continue
        for ref in ig.findall("odm:ItemRef", _NS):
            oid = ref.get("ItemOID", "")
            analysis_items.add(oid)
            vref = vl_of_item.get(oid)
            if vref is not None:
                analysis_items.update(vl_items.get(vref.get("ValueListOID", ""), []))

    for container in [*root.iter(f"{{{ODM_NS}}}ItemGroupDef"), *root.iter(f"{{{DEF_NS}}}ValueListDef")]:
        name = container.get("Name") or container.get("OID")
        refs = container.findall("odm:ItemRef", _NS)
        orders = Counter(r.get("OrderNumber") for r in refs if r.get("OrderNumber") is not None)
        for order, count in sorted(orders.items()):
            if count > 1:
                issues.append(Issue("define.order-duplicate", f"OrderNumber {order} is used {count} times "
                                    f"in {container.get('OID')}", dataset=name, value=order,
                                    row=container.sourceline))
        if container.tag != f"{{{ODM_NS}}}ItemGroupDef":
            continue
        keys = Counter(r.get("KeySequence") for r in refs if r.get("KeySequence") is not None)
        if not keys:
            issues.append(Issue("define.keys-missing", f"ItemGroupDef {container.get('OID')} has no "
                                "KeySequence on any ItemRef", dataset=name, row=container.sourceline))
        for key, count in sorted(keys.items()):
            if count > 1:
                issues.append(Issue("define.key-sequence-duplicate", f"KeySequence {key} is used {count} "
                                    f"times in {container.get('OID')}", dataset=name, value=key))
        lacking = [what for what, ok in (
            ("Description", bool(_text_of(container.find("odm:Description", _NS)))),
            ("def:Class", container.find("def:Class", _NS) is not None),
            ("def:Structure", bool(container.get(f"{{{DEF_NS}}}Structure"))),
            ("def:leaf", container.find("def:leaf", _NS) is not None
             or container.get(f"{{{DEF_NS}}}HasNoData") == "Yes"),
        ) if not ok]
        if lacking:
            issues.append(Issue("define.itemgroup-incomplete", f"ItemGroupDef {container.get('OID')} "
                                f"lacks {', '.join(lacking)}", dataset=name, row=container.sourceline))

    for oid, item in sorted(items.items()):
        for origin in item.findall("def:Origin", _NS):
            kind = origin.get("Type")
            if kind == "Derived" and oid in analysis_items and not methods_for.get(oid) \
                    and item.find("def:ValueListRef", _NS) is None:
                issues.append(Issue("define.derived-no-method", f"ItemDef {oid} is Derived but no ItemRef "
                                    "to it names a MethodOID", value=oid, row=item.sourceline))
            if kind == "Predecessor" and not _text_of(origin.find("odm:Description", _NS)):
                issues.append(Issue("define.predecessor-no-description", f"ItemDef {oid} has a "
                                    "Predecessor origin that does not name its source", value=oid,
                                    row=item.sourceline))
    issues.extend(_token_issues(root))
    issues.extend(_size_issues(root, items, vl_items))
    issues.extend(_codelist_kind_issues(codelists))
    return issues


def _token_issues(root: etree._Element) -> list[Issue]:
    issues = []
    for el in root.iter(etree.Element):
        for attr, value in el.attrib.items():
            name = _local(attr)
            if (name in {"OID", "ID"} or name in REFERENCE_KINDS) and (not value or any(c.isspace() for c in value)):
                issues.append(Issue("define.oid-not-token", f"{_local(el.tag)} {name}={value!r} is not a token "
                                    "(no spaces allowed)", value=value, row=el.sourceline, column=name))
    return issues


def _size_issues(root: etree._Element, items: Mapping[str, etree._Element],
                 vl_items: Mapping[str, list[str]]) -> list[Issue]:
    issues = []
    for oid, item in sorted(items.items()):
        if item.get("DataType") == "float" and item.get("SignificantDigits") is None:
            issues.append(Issue("define.float-no-significant-digits", f"float ItemDef {oid} has no "
                                "SignificantDigits", value=oid, row=item.sourceline))
    for oid, item in sorted(items.items()):
        vref = item.find("def:ValueListRef", _NS)
        if vref is None or not item.get("Length"):
            continue
        for child_oid in vl_items.get(vref.get("ValueListOID", ""), []):
            child = items.get(child_oid)
            if child is not None and child.get("Length") and int(child.get("Length", 0)) > int(item.get("Length", 0)):
                issues.append(Issue("define.vlm-length-exceeds-parent", f"value-level ItemDef {child_oid} has "
                                    f"Length {child.get('Length')}, above its parent {oid}'s {item.get('Length')}",
                                    value=child.get("Length"), expected=f"at most {item.get('Length')}",
                                    row=child.sourceline))
    return issues


def _codelist_kind_issues(codelists: Mapping[str, etree._Element]) -> list[Issue]:
    issues = []
    for oid, cl in sorted(codelists.items()):
        cdisc = cl.get(f"{{{DEF_NS}}}StandardOID") is not None
        sponsor = cl.get(f"{{{DEF_NS}}}IsNonStandard") == "Yes"
        external = cl.find("odm:ExternalCodeList", _NS) is not None
        if not (cdisc or sponsor or external):
            issues.append(Issue("define.codelist-unclassified", f"CodeList {oid} has neither def:StandardOID, "
                                "def:IsNonStandard nor an ExternalCodeList", value=oid, row=cl.sourceline))
        if not cdisc and any(t.get(f"{{{DEF_NS}}}ExtendedValue") == "Yes" for t in cl):
            issues.append(Issue("define.extended-not-cdisc", f"CodeList {oid} is not a CDISC codelist but "
                                "marks terms def:ExtendedValue", value=oid, row=cl.sourceline))
    return issues


# ---------------------------------------------------------------------------------------------
# define versus data
# ---------------------------------------------------------------------------------------------


@dataclass
class _DefVar:
    name: str
    label: str
    data_type: str
    length: int | None
    codelist: str | None
    value_list: str | None
    significant_digits: int | None = None


def _codelist_values(cl: etree._Element) -> set[str] | None:
    if cl.find("odm:ExternalCodeList", _NS) is not None:
        return None
    return {el.get("CodedValue", "") for el in cl if _local(el.tag) in {"CodeListItem", "EnumeratedItem"}}


def _where(root_index: dict[str, etree._Element], wc_oid: str,
           items: dict[str, etree._Element]) -> list[tuple[str, str, tuple[str, ...]]]:
    wc = root_index.get(wc_oid)
    out: list[tuple[str, str, tuple[str, ...]]] = []
    if wc is None:
        return out
    for rc in wc.findall("odm:RangeCheck", _NS):
        item = items.get(rc.get(f"{{{DEF_NS}}}ItemOID", ""))
        name = item.get("Name", "") if item is not None else ""
        values = tuple((cv.text or "") for cv in rc.findall("odm:CheckValue", _NS))
        out.append((name, rc.get("Comparator", "EQ"), values))
    return out


def check_define_against_data(tree: Any, datasets: Mapping[str, Any], *, spec: Any = None,
                              columns: dict[str, dict[str, Any]] | None = None) -> list[Issue]:
    """Compare a define with the datasets it describes (``{name: (frame, xpt metadata)}``).

    ``spec`` (optional) tells which codelists are extensible: values outside those are warnings;
    outside any other codelist they are errors. Without a spec every codelist counts as closed.
    Metadata may be None when ``spec`` is given (it is then derived from spec and frame).
    ``columns``: the columns :func:`~aclf_cdisc.define.build.build_define` factorized from the
    same frames (dataset -> column -> DistinctColumn), reused and added to.
    """
    root = _root(tree)
    issues: list[Issue] = []
    data = unpack_datasets(datasets)
    defs = _definitions(root)
    items = {oid: els[0] for oid, els in defs.get("ItemDef", {}).items()}
    codelists = {oid: els[0] for oid, els in defs.get("CodeList", {}).items()}
    wheres = {oid: els[0] for oid, els in defs.get("WhereClauseDef", {}).items()}
    vlists = {oid: els[0] for oid, els in defs.get("ValueListDef", {}).items()}
    extensible = {oid for oid, cl in (spec.codelists.items() if spec is not None else ()) if cl.extensible}

    groups = {ig.get("Name", ""): ig for ig in root.iter(f"{{{ODM_NS}}}ItemGroupDef")}
    for name in sorted(set(groups) - set(data)):
        issues.append(Issue("define.data-dataset-missing", f"define.xml describes {name} but there is "
                            "no such dataset", dataset=name))
    for name in sorted(set(data) - set(groups)):
        issues.append(Issue("define.data-dataset-undefined", f"dataset {name} is not in define.xml",
                            dataset=name))

    def ct_check(ds: str, column: str, values: DistinctValues, cl_oid: str | None, where: str) -> None:
        if not cl_oid or cl_oid not in codelists:
            return
        allowed = _codelist_values(codelists[cl_oid])
        if allowed is None:
            return
        bad = sorted(values.code_texts() - allowed)
        for value in bad:
            issues.append(Issue("define.data-ct-value", f"{value!r} is not in codelist {cl_oid}{where}",
                                severity="warning" if cl_oid in extensible else "error",
                                dataset=ds, column=column, value=value, expected=f"a term of {cl_oid}"))

    for name in sorted(set(groups) & set(data)):
        ig = groups[name]
        frame, meta = data[name]
        texts = columns.setdefault(name, {}) if columns is not None else {}  # column -> DistinctColumn
        if meta is None and spec is not None and name in spec.datasets:
            meta = metadata_from_frame(spec.datasets[name], frame)
        refs = ig.findall("odm:ItemRef", _NS)
        refs = sorted(refs, key=lambda r: int(r.get("OrderNumber") or 0))
        dvars: list[_DefVar] = []
        for ref in refs:
            item = items.get(ref.get("ItemOID", ""))
            if item is None:
                continue
            cl = item.find("odm:CodeListRef", _NS)
            vl = item.find("def:ValueListRef", _NS)
            length = item.get("Length")
            digits = item.get("SignificantDigits")
            dvars.append(_DefVar(item.get("Name", ""), _text_of(item.find("odm:Description", _NS)),
                                 item.get("DataType", ""), int(length) if length else None,
                                 cl.get("CodeListOID") if cl is not None else None,
                                 vl.get("ValueListOID") if vl is not None else None,
                                 int(digits) if digits else None))
        if meta is not None:
            label = _text_of(ig.find("odm:Description", _NS))
            if str(meta.label) != label:
                issues.append(Issue("define.data-dataset-label", f"dataset label {meta.label!r} differs from "
                                    f"define.xml {label!r}", dataset=name, value=meta.label, expected=label))
            mvars = meta_variables(meta)
        else:
            mvars = []
        data_names = [v.name for v in mvars] if mvars else [str(c).upper() for c in frame.columns]
        def_names = [v.name for v in dvars]
        for var in def_names:
            if var not in data_names:
                issues.append(Issue("define.data-variable-missing", f"define.xml lists {var} but {name} "
                                    "has no such variable", dataset=name, column=var))
        for var in data_names:
            if var not in def_names:
                issues.append(Issue("define.data-variable-undefined", f"{name}.{var} is not in define.xml",
                                    dataset=name, column=var))
        common_def = [v for v in def_names if v in data_names]
        common_data = [v for v in data_names if v in def_names]
        if common_def != common_data:
            issues.append(Issue("define.data-order", f"variable order of {name} differs from define.xml",
                                dataset=name, value=" ".join(common_data), expected=" ".join(common_def)))
        by_meta = {v.name: v for v in mvars}
        for dv in dvars:
            mv = by_meta.get(dv.name)
            if mv is not None:
                if mv.label != dv.label:
                    issues.append(Issue("define.data-label", f"label of {name}.{dv.name} differs",
                                        dataset=name, column=dv.name, value=mv.label, expected=dv.label))
                if mv.type != xpt_type_of(dv.data_type):
                    issues.append(Issue("define.data-type", f"{name}.{dv.name} is {mv.type} in the data but "
                                        f"{dv.data_type} in define.xml", dataset=name, column=dv.name,
                                        value=mv.type, expected=xpt_type_of(dv.data_type)))
                if dv.length is not None and dv.data_type in NUMERIC_TYPES and dv.name in frame.columns:
                    needed = numeric_length(expand_column(frame[dv.name]), dv.data_type, dv.significant_digits)
                    if needed > dv.length:
                        issues.append(Issue("define.data-length", f"{name}.{dv.name} needs {needed} digits "
                                            f"but define.xml gives Length {dv.length}", dataset=name,
                                            column=dv.name, value=needed, expected=f"at most {dv.length}"))
                elif dv.length is not None and mv.length != dv.length:
                    issues.append(Issue("define.data-length", f"length of {name}.{dv.name} differs",
                                        dataset=name, column=dv.name, value=mv.length,
                                        expected=str(dv.length)))
            if dv.name not in frame.columns:
                continue
            column = distinct_column(texts, frame, dv.name)
            ct_check(name, dv.name, column.everything(), dv.codelist, "")
            vl = vlists.get(dv.value_list or "")
            if vl is None:
                continue
            for vref in vl.findall("odm:ItemRef", _NS):
                vitem = items.get(vref.get("ItemOID", ""))
                wref = vref.find("def:WhereClauseRef", _NS)
                if vitem is None or wref is None:
                    continue
                cl = vitem.find("odm:CodeListRef", _NS)
                if cl is None:
                    continue
                wc_oid = wref.get("WhereClauseOID", "")
                mask = condition_mask(frame, _where(wheres, wc_oid, items), cache=texts)
                ct_check(name, dv.name, column.rows(mask), cl.get("CodeListOID"), f" (where {wc_oid})")
    return issues
