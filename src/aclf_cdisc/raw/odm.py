"""Read a CDISC ODM 1.3 ClinicalData export (one XML file) into the raw forms of ``specs/raw``.

    odm = read_odm(Path("edc/export.xml"), layouts)    # OdmForms: frames, lines, issues, present
    odm.frames["ae"]                                    # declared columns as text (None = absent)
    odm.lines["ae"]                                     # line of each record's ItemGroupData

How ODM maps to a form (``odm:`` of ``specs/raw/<form>.yaml``, defaults in docs/spec-format.md):
each ItemGroupData whose FormData/@FormOID and @ItemGroupOID are the form's (``F.<FORM>``,
``IG.<FORM>``) is one record, repeating item groups (ItemGroupRepeatKey) included; each ItemData
fills the column its ItemOID names (``IT.<FORM>.<COLUMN>``); the structural columns come from the
enclosing elements: ClinicalData/@StudyOID, SubjectData/@SubjectKey, SiteRef/@LocationOID, and
for forms that name a visit column, the StudyEventDef Name of StudyEventData/@StudyEventOID (the
OID when the file declares no such event) followed by `` <StudyEventRepeatKey>`` when the event is
declared ``Repeating="Yes"`` (or undeclared and the key is present). Values are text as entered
(``ItemData/@Value`` or the text of a typed ``ItemDataString``...), so partial dates such as
``UN JAN 2024`` pass unchanged; ``IsNull="Yes"`` and absent items are missing. A snapshot needs no
AuditRecord; audit trails and signatures, when present, are skipped.

Findings: a file that is not well-formed XML, not ODM 1.3, or whose data sit in the wrong place
gives one error (``raw.odm-malformed``) naming the element and line (and column for syntax
errors); an ItemOID or item group no layout declares gives a warning per distinct OID
(``raw.odm-item-unknown``, ``raw.odm-group-unknown``) with the line of its first use. An ItemOID
given twice in one ItemGroupData with different values is ``raw.odm-item-duplicated`` (both
values, both lines), of the severity the caller gives: an error, or a warning that keeps the
first value, as a CSV header naming a column twice does; the same value twice is one value.
ReferenceData item groups are not a subject's records and are skipped.

The file is read with ``lxml.etree.iterparse`` and each ItemGroupData is released once read, so
memory grows with the records kept, not with the XML.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
from lxml import etree

from aclf_cdisc.errors import Issue, Severity, cap
from aclf_cdisc.spec.model import RawForm

ODM_NS = "http://www.cdisc.org/ns/odm/v1.3"
TYPED_ITEMS = frozenset({"ItemDataAny", "ItemDataString", "ItemDataInteger", "ItemDataFloat", "ItemDataDate",
                         "ItemDataTime", "ItemDataDatetime", "ItemDataBoolean", "ItemDataDouble",
                         "ItemDataPartialDate", "ItemDataPartialTime", "ItemDataPartialDatetime",
                         "ItemDataDurationDatetime", "ItemDataIntervalDatetime", "ItemDataIncompleteDatetime",
                         "ItemDataIncompleteDate", "ItemDataIncompleteTime", "ItemDataURI", "ItemDataHexBinary",
                         "ItemDataBase64Binary", "ItemDataHexFloat", "ItemDataBase64Float"})
# element -> the element it must sit in (ODM 1.3.2 ClinicalData)
PARENTS = {"SubjectData": ("ClinicalData",), "SiteRef": ("SubjectData",), "StudyEventData": ("SubjectData",),
           "FormData": ("StudyEventData",), "ItemGroupData": ("FormData", "ReferenceData"),
           "ItemData": ("ItemGroupData",), **{t: ("ItemGroupData",) for t in TYPED_ITEMS}}
REQUIRED = {"ClinicalData": "StudyOID", "SubjectData": "SubjectKey", "StudyEventData": "StudyEventOID",
            "FormData": "FormOID", "ItemGroupData": "ItemGroupOID", "ItemData": "ItemOID",
            **{t: "ItemOID" for t in TYPED_ITEMS}}


@dataclass
class OdmForms:
    """The records of each declared form found in one ODM file, before the layout checks."""

    frames: dict[str, pd.DataFrame]
    lines: dict[str, list[int]]
    present: set[str]  # forms with records or a FormDef in the file's MetaDataVersion
    issues: list[Issue] = field(default_factory=list)


class OdmMalformed(Exception):
    """The file is not a readable ODM 1.3 ClinicalData export; ``issue`` says where."""

    def __init__(self, issue: Issue):
        super().__init__(issue.message)
        self.issue = issue


def is_odm_file(path: Path) -> bool:
    """True for an ``.xml`` file (any case): the one file an ODM export is."""
    return path.is_file() and path.suffix.lower() == ".xml"


def malformed(file: str, message: str, element: str | None = None, line: int | None = None,
              column: int | None = None) -> Issue:
    where = f"line {line}" + (f", column {column}" if column else "") if line else "the file"
    return Issue(rule="raw.odm-malformed", file=file, row=line, column=element,
                 message=f"{file} is not a readable ODM 1.3 export: {message} ({where})",
                 expected="a well-formed CDISC ODM 1.3 ClinicalData file")


def visit_text(oid: str, repeat_key: str | None, events: Mapping[str, tuple[str, bool]]) -> str:
    """The visit a StudyEventData stands for: its StudyEventDef Name (else OID), plus the repeat key.

    >>> visit_text("SE.UNS", "2", {"SE.UNS": ("Unscheduled", True)})
    'Unscheduled 2'
    >>> visit_text("SE.WEEK1", "1", {"SE.WEEK1": ("Week 1", False)}), visit_text("SCREEN", None, {})
    ('Week 1', 'SCREEN')
    """
    name, repeating = events.get(oid, (oid, True))
    return f"{name} {repeat_key}" if repeating and repeat_key else name


def _local(tag: object) -> tuple[str | None, str]:
    text = str(tag)
    if text.startswith("{"):
        ns, _, local = text[1:].partition("}")
        return ns, local
    return None, text


class _Reader:
    """State of one pass over the file (a cursor in the ClinicalData tree)."""

    def __init__(self, path: Path, layouts: Mapping[str, RawForm], duplicated: Severity = "error"):
        self.file = path.name
        self.duplicated = duplicated
        self.layouts = layouts
        self.by_group = {(f.form_oid, f.item_group_oid): f for f in layouts.values()}
        self.form_oids = {f.form_oid: f.name for f in layouts.values()}
        self.items = {f.name: f.item_oids() for f in layouts.values()}
        self.rows: dict[str, list[dict[str, str | None]]] = {n: [] for n in layouts}
        self.lines: dict[str, list[int]] = {n: [] for n in layouts}
        self.present: set[str] = set()
        self.events: dict[str, tuple[str, bool]] = {}
        self.context: dict[str, str | None] = {}
        self.group: tuple[RawForm, dict[str, str | None]] | None = None
        self.unknown: dict[tuple[str, str], Issue] = {}
        self.stack: list[str] = []
        self.typed: tuple[str, str, int | None] | None = None  # (column, ItemOID, line) of a typed item being read
        self.given: dict[str, tuple[str | None, int | None]] = {}  # the group's columns read: (value, line)
        self.duplicates: list[Issue] = []

    def start(self, element: etree._Element, local: str) -> None:
        attrib = element.attrib
        line = element.sourceline
        parent = PARENTS.get(local)
        if parent is not None and (not self.stack or self.stack[-1] not in parent):
            where = self.stack[-1] if self.stack else "the document"
            raise OdmMalformed(malformed(self.file, f"{local} inside {where}, not inside {' or '.join(parent)}",
                                         local, line))
        needed = REQUIRED.get(local)
        if needed is not None and not attrib.get(needed):
            raise OdmMalformed(malformed(self.file, f"{local} has no {needed}", local, line))
        if local == "StudyEventDef":
            self.events[str(attrib.get("OID"))] = (str(attrib.get("Name") or attrib.get("OID")),
                                                   attrib.get("Repeating") == "Yes")
        elif local == "FormDef" and attrib.get("OID") in self.form_oids:
            self.present.add(self.form_oids[str(attrib.get("OID"))])
        elif local == "ClinicalData":
            self.context = {"study": attrib.get("StudyOID")}
        elif local == "SubjectData":
            self.context = {"study": self.context.get("study"), "subject": attrib.get("SubjectKey")}
        elif local == "SiteRef":
            self.context["site"] = attrib.get("LocationOID")
        elif local == "StudyEventData":
            self.context["visit"] = visit_text(str(attrib.get("StudyEventOID")), attrib.get("StudyEventRepeatKey"),
                                               self.events)
        elif local == "FormData":
            self.context["form"] = attrib.get("FormOID")
        elif local == "ItemGroupData" and self.stack[-1] == "ReferenceData":
            self.group = None  # reference data (not a subject's record): not read
        elif local == "ItemGroupData":
            self.start_group(str(attrib.get("ItemGroupOID")), line)
        elif local == "ItemData" or local in TYPED_ITEMS:
            self.item(element, local, line)
        self.stack.append(local)

    def start_group(self, group_oid: str, line: int | None) -> None:
        form_oid = str(self.context.get("form"))
        layout = self.by_group.get((form_oid, group_oid))
        if layout is None:
            self.group = None
            key = ("group", f"{form_oid}/{group_oid}")
            self.unknown.setdefault(key, Issue(
                rule="raw.odm-group-unknown", severity="warning", file=self.file, row=line, column="ItemGroupData",
                value=f"{form_oid}/{group_oid}",
                message=f"{self.file}: FormOID {form_oid} with ItemGroupOID {group_oid} is no form of specs/raw; "
                        "its records are not read", expected="the form and item group OIDs of a raw layout"))
            return
        values: dict[str, str | None] = {column: self.context.get(role)
                                         for role, column in layout.structural_columns.items()}
        self.group = (layout, values)
        self.given = {}
        self.present.add(layout.name)
        self.lines[layout.name].append(int(line or 0))

    def item(self, element: etree._Element, local: str, line: int | None) -> None:
        if self.group is None:
            return
        layout, _ = self.group
        oid = str(element.get("ItemOID"))
        column = self.items[layout.name].get(oid)
        if column is None:
            self.unknown.setdefault((layout.name, oid), Issue(
                rule="raw.odm-item-unknown", severity="warning", file=self.file, dataset=layout.name, row=line,
                column="ItemData", value=oid,
                message=f"{self.file}: ItemOID {oid} in {layout.item_group_oid} is no column of specs/raw/"
                        f"{layout.name}.yaml; its values are not read",
                expected=f"one of {', '.join(sorted(self.items[layout.name]))}"))
            return
        if element.get("IsNull") == "Yes" or element.get("TransactionType") == "Remove":
            self.fill(column, None, oid, line)
        elif local == "ItemData":
            self.fill(column, element.get("Value"), oid, line)
        else:
            self.typed = (column, oid, line)  # typed item: its text arrives at the end event

    def fill(self, column: str, value: str | None, oid: str, line: int | None) -> None:
        """Set ``column`` of the record being read; a second, different value for it is reported
        (:func:`duplicated_item`) and the first one kept."""
        assert self.group is not None  # items are read only inside a declared item group
        layout, values = self.group
        if column not in self.given:
            self.given[column] = (value, line)
            values[column] = value
            return
        first, first_line = self.given[column]
        if first != value:
            self.duplicates.append(duplicated_item(self.file, layout, oid, column, (first, first_line),
                                                   (value, line), self.lines[layout.name][-1], self.duplicated))

    def end(self, element: etree._Element, local: str) -> None:
        self.stack.pop()
        if local in TYPED_ITEMS and self.group is not None and self.typed:
            column, oid, line = self.typed
            self.fill(column, element.text, oid, line)
            self.typed = None
        elif local == "ItemGroupData":
            if self.group is not None:
                layout, values = self.group
                self.rows[layout.name].append(values)
            self.group = None
        if local in ("ItemGroupData", "SubjectData", "StudyEventDef", "ItemGroupDef", "ItemDef", "CodeList"):
            element.clear()
            while element.getprevious() is not None:
                del element.getparent()[0]

    def result(self) -> OdmForms:
        frames = {}
        for name, layout in self.layouts.items():
            columns = [c.name for c in layout.columns]
            frames[name] = pd.DataFrame([[row.get(c) for c in columns] for row in self.rows[name]],
                                        columns=columns, dtype=object)
        issues = [self.unknown[k] for k in self.unknown] + self.duplicates
        return OdmForms(frames=frames, lines=self.lines, present=self.present, issues=issues)


def duplicated_item(file: str, layout: RawForm, oid: str, column: str, first: tuple[str | None, int | None],
                    second: tuple[str | None, int | None], group_line: int, severity: Severity) -> Issue:
    """The Issue for an ItemOID given twice, with different values, in one ItemGroupData.

    >>> from aclf_cdisc.spec.model import RawColumn
    >>> ae = RawForm(name="ae", label="AE", columns=(RawColumn(name="AESEV", data_type="text"),))
    >>> duplicated_item("edc.xml", ae, "IT.AE.AESEV", "AESEV", ("Mild", 12), ("Severe", 14), 10, "error").render()
    "[error] raw.odm-item-duplicated: edc.xml: ItemOID IT.AE.AESEV is given twice in the IG.AE record of line 10, \
'Mild' on line 12 and 'Severe' on line 14: which one is the data? (file=edc.xml, dataset=ae, row=14, \
column=AESEV); value=('Mild', 'Severe'); expected each ItemOID once per ItemGroupData"
    """
    (value, line), (again, again_line) = first, second
    shown = [None if v is None else cap(v) for v in (value, again)]
    kept = "; the first is kept" if severity == "warning" else ""
    return Issue(rule="raw.odm-item-duplicated", severity=severity, file=file, dataset=layout.name, row=again_line,
                 column=column, value=tuple(shown),
                 message=f"{file}: ItemOID {oid} is given twice in the {layout.item_group_oid} record of line "
                         f"{group_line}, {shown[0]!r} on line {line} and {shown[1]!r} on line {again_line}: "
                         f"which one is the data?{kept}",
                 expected="each ItemOID once per ItemGroupData")


def read_odm(path: Path, layouts: Mapping[str, RawForm], *, duplicated: Severity = "error") -> OdmForms:
    """Every declared form's records in the ODM file ``path``; raise :class:`OdmMalformed` if unreadable.

    ``duplicated``: the severity of an ItemOID given twice, with different values, in one record.
    """
    path = Path(path)
    reader = _Reader(path, layouts, duplicated)
    root_seen = False
    try:
        for event, element in etree.iterparse(str(path), events=("start", "end"), resolve_entities=False,
                                              no_network=True, remove_comments=True, remove_pis=True):
            ns, local = _local(element.tag)
            if not root_seen:
                root_seen = True
                if local != "ODM" or ns != ODM_NS:
                    raise OdmMalformed(malformed(path.name, f"the root element is {local} in namespace {ns}, "
                                                 f"not ODM in {ODM_NS}", local, element.sourceline))
            if ns != ODM_NS:
                continue  # vendor extensions (Rave, OpenClinica namespaces) are not data
            if event == "start":
                reader.start(element, local)
            else:
                reader.end(element, local)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (None, None)
        raise OdmMalformed(malformed(path.name, str(exc.msg), None, line, column)) from None
    except OSError as exc:
        raise OdmMalformed(malformed(path.name, f"cannot read: {exc}")) from None
    return reader.result()
