"""Start a spec folder from an existing Define-XML 2.0 or 2.1 (a previous study's metadata).

What a define holds becomes spec YAML: datasets (ItemGroupDef), variables (ItemRef + ItemDef),
value level (def:ValueListDef), where clauses (def:WhereClauseDef), codelists (CodeList, with
NCI codes from their Alias), methods (MethodDef), comments (def:CommentDef) and documents
(def:leaf). What a define cannot say is left for the spec writer and listed in the folder's
README.md: the raw form layouts and map rules, the study design of ``study.yaml`` (a skeleton
marked TODO is written), and each guess made here (core from Mandatory, origin types renamed
from Define-XML 2.0). Every file passes the spec JSON Schemas; ``aclf-cdisc spec check`` then
says what the cross-file checks still miss.

Define 2.0 origin types map to the spec's (Define 2.1) types: CRF -> Collected (Investigator),
eDT -> Collected (Vendor); the others keep their names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from lxml import etree

from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.loader import schema_issues
from aclf_cdisc.spec.workbook import TextFile, schema_name
from aclf_cdisc.spec.yamlio import YamlDoc

ODM = "http://www.cdisc.org/ns/odm/v1.3"
DEF_NAMESPACES = {"2.0": "http://www.cdisc.org/ns/def/v2.0", "2.1": "http://www.cdisc.org/ns/def/v2.1"}
XLINK = "http://www.w3.org/1999/xlink"
ORIGIN_TYPES_20 = {"CRF": ("Collected", "Investigator"), "eDT": ("Collected", "Vendor")}
SAS_NAME = re.compile(r"^[A-Z][A-Z0-9_]{0,7}$")
FORMAT = re.compile(r"^\$?[A-Z][A-Z0-9_]*\d*\.\d*$")
PREDECESSOR = re.compile(r"^[A-Z][A-Z0-9_]{0,7}\.[A-Z][A-Z0-9_]{0,7}$")
STANDARD_OF_PURPOSE = {"Tabulation": "SDTM", "Analysis": "ADaM"}


class DefineFault(ValueError):
    """An element of the define breaks a rule of Define-XML the import relies on (a reference to
    an ItemDef the define does not hold, a KeySequence that is not a number): its Issue names it."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.message)
        self.issue = issue


class Define:
    """A parsed define: its version, namespaces and lookups by OID. ``source`` names the file in findings."""

    def __init__(self, root: etree._Element, source: str = "") -> None:
        self.root = root
        self.source = source
        self.version = next((v for v, uri in DEF_NAMESPACES.items() if uri in root.nsmap.values()), "2.1")
        self.ns = {"odm": ODM, "def": DEF_NAMESPACES[self.version], "xlink": XLINK}
        tag = etree.QName(root)
        if tag.namespace != ODM:
            raise ValueError(f"the root element is {tag.localname} in namespace {tag.namespace}, not ODM in {ODM} "
                             "(Define-XML 1.0, on ODM 1.2, is not read)")
        self.mdv = root.find("odm:Study/odm:MetaDataVersion", self.ns)
        if self.mdv is None:
            raise ValueError("no Study/MetaDataVersion element")
        self.items = {e.get("OID"): e for e in self.findall("odm:ItemDef")}
        self.renamed: dict[str, str] = {}

    def fault(self, rule: str, node: etree._Element, column: str, value: str | None, message: str,
              expected: str) -> DefineFault:
        """The error for ``node`` (its line in the file, the attribute and its value)."""
        return DefineFault(Issue(rule=rule, message=message, file=self.source, row=node.sourceline, column=column,
                                 value=value, expected=expected))

    def item(self, ref: etree._Element) -> etree._Element:
        """The ItemDef an ItemRef names; :class:`DefineFault` when the define holds no ItemDef of that OID."""
        oid = ref.get("ItemOID")
        found = self.items.get(oid)
        if found is None:
            raise self.fault("define-import.item-unknown", ref, "ItemOID", oid,
                             "the ItemRef names no ItemDef of the define", "the OID of an ItemDef in the define")
        return found

    def key_sequence(self, ref: etree._Element) -> int:
        """An ItemRef's KeySequence, a whole number; :class:`DefineFault` when it is something else."""
        text = ref.get("KeySequence") or ""
        if not re.fullmatch(r"[0-9]+", text.strip()):
            raise self.fault("define-import.value-invalid", ref, "KeySequence", text,
                             "KeySequence is not a whole number", "a whole number (the variable's place in the key)")
        return int(text)

    def oid(self, value: str | None) -> str | None:
        """A define OID as a spec OID (letters, digits, ``._-``); each rename is remembered."""
        if value is None:
            return None
        spec = re.sub(r"[^A-Za-z0-9._-]+", "_", value).strip("_")
        spec = spec if spec[:1].isalpha() else f"X{spec}"
        if spec != value:
            self.renamed[value] = spec
        return spec

    def findall(self, path: str, node: etree._Element | None = None) -> list[etree._Element]:
        return list((node if node is not None else self.mdv).findall(path, self.ns))

    def attr(self, node: etree._Element, name: str) -> str | None:
        """An attribute by name; ``def:Name`` in the define's def namespace."""
        if name.startswith("def:"):
            return node.get(f"{{{self.ns['def']}}}{name[4:]}")
        return node.get(name)

    def text(self, node: etree._Element | None, path: str = "odm:Description") -> str | None:
        """The (first) TranslatedText under ``path``, stripped; None when absent or empty."""
        if node is None:
            return None
        found = node.find(f"{path}/odm:TranslatedText", self.ns)
        value = " ".join((found.text or "").split()) if found is not None else ""
        return value or None

    def document(self, node: etree._Element) -> tuple[str | None, list[str]]:
        ref = node.find("def:DocumentRef", self.ns)
        if ref is None:
            return None, []
        pages = ref.find("def:PDFPageRef", self.ns)
        return self.oid(ref.get("leafID")), (pages.get("PageRefs") or "").split() if pages is not None else []


def _put(record: dict[str, Any], key: str, value: Any) -> None:
    if value not in (None, "", []):
        record[key] = value


# --------------------------------------------------------------------------------------------
# One function per kind of define element
# --------------------------------------------------------------------------------------------
def origin_of(define: Define, item: etree._Element, notes: list[str]) -> dict[str, Any]:
    node = item.find("def:Origin", define.ns)
    if node is None:
        notes.append(f"{item.get('Name')}: no def:Origin in the define; origin set to Not Available")
        return {"type": "Not Available"}
    kind = node.get("Type") or "Not Available"
    kind, source = ORIGIN_TYPES_20.get(kind, (kind, node.get("Source")))
    origin: dict[str, Any] = {"type": kind}
    _put(origin, "source", source)
    _, pages = define.document(node)
    _put(origin, "pages", pages)
    description = define.text(node)
    if kind == "Predecessor" and description and PREDECESSOR.match(description):
        origin["predecessor"] = description
    else:
        _put(origin, "description", description)
    return origin


def item_fields(define: Define, item: etree._Element, notes: list[str]) -> dict[str, Any]:
    """The ItemDef part of a variable or value-level row (type, length, codelist, origin...)."""
    record: dict[str, Any] = {"data_type": item.get("DataType") or "text"}
    length = item.get("Length")
    if length and length.isdigit() and 1 <= int(length) <= 200:
        record["length"] = int(length)
    elif length is not None:
        notes.append(f"{item.get('Name')}: Length {length!r} is not a whole number from 1 to 200 (an XPT v5 "
                     "variable's); left out")
    digits = item.get("SignificantDigits")
    if digits and digits.isdigit():
        record["significant_digits"] = int(digits)
    elif digits is not None:
        notes.append(f"{item.get('Name')}: SignificantDigits {digits!r} is not a whole number; left out")
    fmt = define.attr(item, "def:DisplayFormat")
    if fmt and FORMAT.match(fmt.upper()):
        record["display_format"] = fmt.upper()
    elif fmt:
        notes.append(f"{item.get('Name')}: display format {fmt!r} is not a SAS format name; left out")
    codelist = item.find("odm:CodeListRef", define.ns)
    if codelist is not None:
        record["codelist"] = define.oid(codelist.get("CodeListOID"))
    record["origin"] = origin_of(define, item, notes)
    _put(record, "comment", define.oid(define.attr(item, "def:CommentOID")))
    return record


def variable_of(define: Define, ref: etree._Element, notes: list[str]) -> dict[str, Any]:
    item = define.item(ref)
    fields = item_fields(define, item, notes)
    label = define.text(item) or item.get("Name")
    variable: dict[str, Any] = {"name": item.get("Name"), "label": label[:40], "data_type": fields.pop("data_type")}
    if len(label) > 40:
        notes.append(f"{item.get('Name')}: label cut to 40 characters")
    _put(variable, "length", fields.pop("length", None))
    variable["core"] = "Req" if ref.get("Mandatory") == "Yes" else "Perm"
    _put(variable, "role", ref.get("Role"))
    variable.update(fields)
    _put(variable, "method", define.oid(ref.get("MethodOID")))
    vl = item.find("def:ValueListRef", define.ns)
    if vl is not None:
        variable["value_list"] = define.oid(vl.get("ValueListOID"))
    return variable


def where_of(define: Define, oid: str) -> dict[str, Any] | None:
    node = next((w for w in define.findall("def:WhereClauseDef") if w.get("OID") == oid), None)
    if node is None:
        return None
    conditions = []
    for check in define.findall("odm:RangeCheck", node):
        item = define.items.get(define.attr(check, "def:ItemOID"))
        values = [v.text or "" for v in define.findall("odm:CheckValue", check)]
        if item is None or not values:
            return None
        conditions.append([item.get("Name"), check.get("Comparator"), values])
    return {"oid": define.oid(oid), "conditions": conditions} if conditions else None


def value_level_of(define: Define, list_oid: str, variable: str, notes: list[str]) -> list[dict[str, Any]]:
    node = next((v for v in define.findall("def:ValueListDef") if v.get("OID") == list_oid), None)
    rows: list[dict[str, Any]] = []
    for ref in define.findall("odm:ItemRef", node) if node is not None else ():
        wheres = define.findall("def:WhereClauseRef", ref)
        where = where_of(define, wheres[0].get("WhereClauseOID")) if wheres else None
        if where is None:
            notes.append(f"{list_oid} {ref.get('ItemOID')}: no usable where clause; value-level row left out")
            continue
        if len(wheres) > 1:
            notes.append(f"{list_oid} {ref.get('ItemOID')}: only the first of {len(wheres)} where clauses kept")
        item = define.item(ref)
        row: dict[str, Any] = {"variable": variable, "where": where, **item_fields(define, item, notes)}
        _put(row, "method", define.oid(ref.get("MethodOID")))
        row["mandatory"] = ref.get("Mandatory") == "Yes"
        label = define.text(item)
        if label and len(label) <= 40 and label.isascii():
            row["label"] = label
        rows.append(row)
    return rows


def dataset_of(define: Define, group: etree._Element, notes: list[str]) -> dict[str, Any]:
    name = group.get("Name") or ""
    purpose = group.get("Purpose") or "Tabulation"
    klass = define.attr(group, "def:Class")
    subclass = None
    if klass is None:  # 2.1: <def:Class Name="..."><def:SubClass Name="..."/></def:Class>
        node = group.find("def:Class", define.ns)
        klass = node.get("Name") if node is not None else None
        sub = node.find("def:SubClass", define.ns) if node is not None else None
        subclass = sub.get("Name") if sub is not None else None
    refs = define.findall("odm:ItemRef", group)
    if not refs:
        raise define.fault("define-import.dataset-empty", group, "ItemRef", name, f"dataset {name} has no ItemRef",
                           "an ItemRef for each variable of the dataset")
    variables = [variable_of(define, ref, notes) for ref in refs]
    keyed = sorted((define.key_sequence(r), define.item(r).get("Name")) for r in refs if r.get("KeySequence"))
    keys = [key for _, key in keyed]
    if not keys:
        keys = [variables[0]["name"]]
        notes.append(f"{name}: the define gives no KeySequence; keys set to {keys[0]} (TODO)")
    label = define.text(group) or name
    dataset: dict[str, Any] = {
        "dataset": name, "label": label[:40], "standard": STANDARD_OF_PURPOSE.get(purpose, "SDTM"),
        "class": (klass or "").upper(), "structure": define.attr(group, "def:Structure") or "TODO",
        "purpose": purpose, "repeating": group.get("Repeating") == "Yes",
        "reference_data": group.get("IsReferenceData") == "Yes",
    }
    _put(dataset, "subclass", subclass.upper() if subclass else None)
    domain = group.get("Domain")
    if domain and re.fullmatch(r"[A-Z]{2}", domain):
        dataset["domain"] = domain
    dataset["keys"] = keys
    _put(dataset, "comment", define.oid(define.attr(group, "def:CommentOID")))
    dataset["variables"] = variables
    value_level = []
    for ref in refs:
        vl = define.item(ref).find("def:ValueListRef", define.ns)
        if vl is not None:
            name_ = define.item(ref).get("Name")
            value_level += value_level_of(define, vl.get("ValueListOID"), name_, notes)
    _put(dataset, "value_level", value_level)
    return dataset


def codelist_of(define: Define, node: etree._Element) -> dict[str, Any]:
    codelist: dict[str, Any] = {"oid": define.oid(node.get("OID")), "name": node.get("Name"),
                                "data_type": node.get("DataType") or "text"}
    aliases = [a for a in define.findall("odm:Alias", node) if a.get("Context") == "nci:ExtCodeID"]
    _put(codelist, "nci_code", aliases[0].get("Name") if aliases else None)
    external = node.find("odm:ExternalCodeList", define.ns)
    if external is not None:
        codelist["external"] = {k: external.get(a) for k, a in (("dictionary", "Dictionary"),
                                ("version", "Version"), ("href", "href"), ("ref", "ref")) if external.get(a)}
        return codelist
    terms = []
    for item in define.findall("odm:CodeListItem", node) + define.findall("odm:EnumeratedItem", node):
        term: dict[str, Any] = {"value": item.get("CodedValue")}
        _put(term, "decode", define.text(item, "odm:Decode"))
        alias = next((a.get("Name") for a in define.findall("odm:Alias", item)
                      if a.get("Context") == "nci:ExtCodeID"), None)
        _put(term, "nci_code", alias)
        if define.attr(item, "def:ExtendedValue") == "Yes":
            term["extended"] = True
        order = item.get("OrderNumber")
        if order and order.isdigit():
            term["order"] = int(order)
        terms.append(term)
    codelist["terms"] = sorted(terms, key=lambda t: t.get("order", 0))
    return codelist


def method_of(define: Define, node: etree._Element) -> dict[str, Any]:
    method: dict[str, Any] = {"oid": define.oid(node.get("OID")), "name": node.get("Name"),
                              "type": node.get("Type") if node.get("Type") in ("Computation", "Imputation")
                              else "Computation",
                              "description": define.text(node) or node.get("Name")}
    expression = node.find("odm:FormalExpression", define.ns)
    if expression is not None and (expression.text or "").strip():
        method["expression"] = expression.text.strip()
    _put(method, "document", define.document(node)[0])
    return method


def comment_of(define: Define, node: etree._Element) -> dict[str, Any]:
    comment: dict[str, Any] = {"oid": define.oid(node.get("OID")), "description": define.text(node) or "TODO"}
    _put(comment, "document", define.document(node)[0])
    return comment


def document_of(define: Define, node: etree._Element) -> dict[str, Any]:
    title = node.find("def:title", define.ns)
    text = " ".join((title.text or "").split()) if title is not None else ""
    return {"oid": define.oid(node.get("ID")), "title": text or "TODO", "href": node.get(f"{{{XLINK}}}href") or "TODO"}


# --------------------------------------------------------------------------------------------
# The folder
# --------------------------------------------------------------------------------------------
def study_skeleton(define: Define) -> str:
    """A study.yaml that passes the schema; every value the define cannot give is marked TODO."""
    globals_ = define.root.find("odm:Study/odm:GlobalVariables", define.ns)

    def global_text(name: str) -> str:
        node = globals_.find(f"odm:{name}", define.ns) if globals_ is not None else None
        return " ".join((node.text or "").split()) if node is not None and node.text else "TODO"

    studyid = re.sub(r"[^A-Za-z0-9_-]", "-", global_text("StudyName")).strip("-") or "TODO"
    ct = [s.get("Version") for s in define.findall("def:Standards/def:Standard")
          if s.get("Type") == "CT" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", s.get("Version") or "")]
    ct_version = ct[-1] if ct else "1900-01-01"

    def q(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    return f"""\
# study.yaml started from {q(define.root.get("FileOID") or "a define.xml")} by aclf-cdisc spec import.
# Every TODO below is a value Define-XML does not hold: replace it before building (see README.md).
studyid: {q(studyid)}
title: {q(global_text("StudyDescription"))}
protocol: {q(global_text("ProtocolName"))}
sponsor: TODO
registry_id: NCT00000000            # TODO: the ClinicalTrials.gov identifier
ct_versions:
  SDTM: "{ct_version}"               # {"from def:Standards" if ct else "TODO: the CT release used"}
meddra_version: "0.0"               # TODO
arms:                               # TODO: the trial arms (TA / DM ARMCD)
  - {{armcd: TODO, arm: TODO}}
elements:                           # TODO: the trial elements (TE)
  - {{etcd: TODO, element: TODO, start_rule: TODO}}
trial_arms:                         # TODO: TA rows
  - {{ARMCD: TODO, TAETORD: 1, ETCD: TODO, EPOCH: TODO}}
epochs: [TODO]
visits:                             # TODO: TV rows and analysis windows
  - {{visitnum: 1, visit: TODO, visitdy: 1, window_low: 1, window_high: 1}}
trial_summary:                      # TODO: TS parameters
  - {{TSPARMCD: TODO, TSPARM: TODO}}
inclusion_exclusion:                # TODO: TI criteria
  - {{IETESTCD: TODO, IETEST: TODO, IECAT: INCLUSION}}
conventions: {{}}                    # TODO: the analysis conventions the derivations read
"""


def readme(define_name: str, version: str, counts: dict[str, int], notes: Iterable[str]) -> str:
    lines = [
        f"# Spec started from {define_name} (Define-XML {version})",
        "",
        "Imported: " + ", ".join(f"{n} {what}" for what, n in counts.items()) + ".",
        "",
        "## Left for the spec writer (the define does not hold them)",
        "",
        "- `study.yaml`: a skeleton; every `TODO` (identifiers, arms, elements, visits, TS, TI, conventions).",
        "- `raw/<form>.yaml`: the raw EDC export layout, and each variable's `map` rule.",
        "- `core` (Req/Exp/Perm/Cond): set from Mandatory (Yes -> Req, No -> Perm); check Exp and Cond.",
        "- Codelists: `extensible` and `synonyms` (raw values that recode to a term).",
        "- Methods: the expression context (only the expression text is kept).",
        "- Run `aclf-cdisc spec check --specs <this folder>` for what the cross-file checks still miss.",
        "",
    ]
    notes = list(notes)
    if notes:
        lines += ["## Notes on this import", "", *[f"- {n}" for n in notes], ""]
    return "\n".join(lines)


def import_define(path: Path) -> tuple[dict[str, Any], list[Issue], list[str]]:
    """Spec files (relative path -> data) from a define, findings, and a printed summary."""
    try:
        define = Define(etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True)).getroot(),
                        path.name)
    except (OSError, etree.XMLSyntaxError, ValueError) as exc:
        return {}, [Issue(rule="define-import.unreadable", message=f"not a readable Define-XML file: {exc}",
                          file=path.name, expected="a Define-XML 2.0 or 2.1 file")], []
    notes: list[str] = []
    files: dict[str, Any] = {}
    groups = define.findall("odm:ItemGroupDef")
    try:
        for group in groups:
            dataset = dataset_of(define, group, notes)
            folder = "adam" if dataset["standard"] == "ADaM" else "sdtm"
            files[f"{folder}/{dataset['dataset'].lower()}.yaml"] = dataset
    except DefineFault as fault:
        return {}, [fault.issue], []
    codelists = [codelist_of(define, c) for c in define.findall("odm:CodeList")]
    files["codelists.yaml"] = {"codelists": codelists}
    files["methods.yaml"] = {"methods": [method_of(define, m) for m in define.findall("odm:MethodDef")]}
    files["comments.yaml"] = {"comments": [comment_of(define, c) for c in define.findall("def:CommentDef")]}
    files["documents.yaml"] = {"documents": [document_of(define, d) for d in define.findall("def:leaf")]}
    files["study.yaml"] = TextFile(study_skeleton(define))
    counts = {"datasets": len(groups),
              "variables": sum(len(d["variables"]) for d in files.values() if isinstance(d, dict) and "dataset" in d),
              "value-level rows": sum(len(d.get("value_level", [])) for d in files.values()
                                      if isinstance(d, dict) and "dataset" in d),
              "codelists": len(codelists), "methods": len(files["methods.yaml"]["methods"]),
              "comments": len(files["comments.yaml"]["comments"]),
              "documents": len(files["documents.yaml"]["documents"])}
    notes += [f"OID {old!r} renamed {new!r} (spec OIDs are letters, digits, '.', '_', '-')"
              for old, new in sorted(define.renamed.items())]
    files["README.md"] = TextFile(readme(path.name, define.version, counts, notes))
    issues = []
    for rel, data in files.items():
        name = schema_name(rel)
        if name is not None:
            parsed = yaml.safe_load(data) if isinstance(data, TextFile) else data
            issues += schema_issues(YamlDoc(file=rel, data=parsed), name)
    summary = [f"spec import: from Define-XML {define.version}: "
               + ", ".join(f"{n} {what}" for what, n in counts.items()),
               "spec import: study.yaml is a skeleton marked TODO; README.md lists what the define cannot supply"
               + (f" and {len(notes)} note(s)" if notes else "")]
    return files, issues, summary
