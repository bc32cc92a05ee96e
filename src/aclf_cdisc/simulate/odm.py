"""Write a raw export (one frame per form) as one CDISC ODM 1.3.2 file, byte-for-byte reproducible.

    write_odm(frames, Path("edc/nct05985863.xml"), spec)

The file holds a Study with its MetaDataVersion (a StudyEventDef per visit, a FormDef, ItemGroupDef
and ItemDefs per form of ``specs/raw``, a CodeList per column with ``allowed`` values) and one
ClinicalData snapshot (no AuditRecord). OIDs follow the raw layouts (``RawForm.form_oid``,
``item_group_oid``, ``item_oids``), so :func:`aclf_cdisc.raw.odm.read_odm` reads back exactly the
frames written. Dates and times are ``text`` items holding the EDC's text (partial dates as
``UN JAN 2024``). Visits are events ``SE.<VISIT>`` named by the visit; a visit
``<name> <n>`` whose name is in ``conventions.odm.repeating_visits`` is the repeating event
``SE.<NAME>`` with StudyEventRepeatKey n; forms without a visit column sit in the
``conventions.odm.subject_event``. Records keep the CSV writer's order (subjects sorted by STUDYID,
SITEID, SUBJID); a form whose keys go beyond its structural columns is a repeating item group
(ItemGroupRepeatKey 1, 2, ... within its FormData). Blank values are left out (absent = missing).
CreationDateTime is ``conventions.odm.creation_datetime`` (never the clock).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from lxml import etree

from aclf_cdisc.errors import InputError, Issue
from aclf_cdisc.raw.odm import ODM_NS
from aclf_cdisc.simulate.writer import order_frame, write_whole
from aclf_cdisc.spec.model import RawForm, Spec

DATA_TYPES = {"text": "text", "integer": "integer", "float": "float", "date": "text", "time": "text"}
SUBJECT_EVENT = {"oid": "SE.SUBJECT", "name": "Subject-level forms"}


def _q(local: str) -> str:
    return f"{{{ODM_NS}}}{local}"


def _el(parent: etree._Element, local: str, **attrib: str) -> etree._Element:
    return etree.SubElement(parent, _q(local), {k: v for k, v in attrib.items()})


def _text(parent: etree._Element, local: str, text: str) -> etree._Element:
    node = _el(parent, local)
    etree.SubElement(node, _q("TranslatedText"), {"{http://www.w3.org/XML/1998/namespace}lang": "en"}).text = text
    return node


def event_of(visit: str, repeating: tuple[str, ...]) -> tuple[str, str, str | None]:
    """(StudyEventOID, event name, StudyEventRepeatKey) of a visit text.

    >>> event_of("Week 12", ("Unscheduled",)), event_of("Unscheduled 2", ("Unscheduled",))
    (('SE.WEEK12', 'Week 12', None), ('SE.UNSCHEDULED', 'Unscheduled', '2'))
    """
    for name in repeating:
        m = re.fullmatch(re.escape(name) + r" (\d+)", visit)
        if m:
            return f"SE.{re.sub('[^A-Z0-9]', '', name.upper())}", name, m.group(1)
    return f"SE.{re.sub('[^A-Z0-9]', '', visit.upper())}", visit, None


def repeating_group(form: RawForm) -> bool:
    """A form is a repeating item group when its keys name more than its structural columns."""
    return bool(set(form.keys) - set(form.structural_columns.values())) or not form.keys


def _metadata(study: etree._Element, spec: Spec, layouts: Mapping[str, RawForm], conf: Mapping[str, Any],
              events: dict[str, tuple[str, bool, list[str]]]) -> None:
    glob = _el(study, "GlobalVariables")
    _el(glob, "StudyName").text = spec.study.studyid
    _el(glob, "StudyDescription").text = spec.study.title
    _el(glob, "ProtocolName").text = spec.study.protocol
    mdv = _el(study, "MetaDataVersion", OID=str(conf.get("metadata_version", "MDV.1")),
              Name=f"{spec.study.studyid} raw EDC forms")
    protocol = _el(mdv, "Protocol")
    for oid in events:
        _el(protocol, "StudyEventRef", StudyEventOID=oid, Mandatory="No")
    subject_oid = str((conf.get("subject_event") or SUBJECT_EVENT)["oid"])
    for oid, (name, repeats, forms) in events.items():
        kind = "Common" if oid == subject_oid else ("Unscheduled" if repeats else "Scheduled")
        ev = _el(mdv, "StudyEventDef", OID=oid, Name=name, Repeating="Yes" if repeats else "No", Type=kind)
        for form_name in forms:
            _el(ev, "FormRef", FormOID=layouts[form_name].form_oid, Mandatory="No")
    for layout in layouts.values():
        fd = _el(mdv, "FormDef", OID=layout.form_oid, Name=layout.label, Repeating="No")
        _el(fd, "ItemGroupRef", ItemGroupOID=layout.item_group_oid, Mandatory="Yes")
    for form in layouts.values():
        ig = _el(mdv, "ItemGroupDef", OID=form.item_group_oid, Name=form.label,
                 Repeating="Yes" if repeating_group(form) else "No", SASDatasetName=form.name.upper()[:8])
        for oid, column in form.item_oids().items():
            required = next(c.required for c in form.columns if c.name == column)
            _el(ig, "ItemRef", ItemOID=oid, Mandatory="Yes" if required else "No")
    codelists = []
    for form in layouts.values():
        by_name = {c.name: c for c in form.columns}
        for oid, column in form.item_oids().items():
            col = by_name[column]
            item = _el(mdv, "ItemDef", OID=oid, Name=column, DataType=DATA_TYPES[col.data_type],
                       SASFieldName=column[:8])
            if col.description:
                _text(item, "Description", col.description)
            if col.allowed:
                cl_oid = f"CL.{form.name.upper()}.{column}"
                _el(item, "CodeListRef", CodeListOID=cl_oid)
                codelists.append((cl_oid, column, DATA_TYPES[col.data_type], col.allowed))
    for cl_oid, name, data_type, allowed in codelists:
        cl = _el(mdv, "CodeList", OID=cl_oid, Name=name, DataType=data_type)
        for value in allowed:
            _el(cl, "EnumeratedItem", CodedValue=value)


def _records(frames: Mapping[str, pd.DataFrame], layouts: Mapping[str, RawForm], repeating: tuple[str, ...],
             subject_event: Mapping[str, str]) -> tuple[dict[tuple[str, str, str], dict[tuple[str, str | None],
                                                                                       dict[str, list[int]]]],
                                                        dict[str, tuple[str, bool, list[str]]],
                                                        dict[str, pd.DataFrame]]:
    """Group every record: subject (study, site, key) -> event (OID, repeat key) -> form -> row numbers."""
    ordered = {name: order_frame(frames[name], layouts[name]) for name in sorted(frames)}
    subjects: dict[tuple[str, str, str], dict[tuple[str, str | None], dict[str, list[int]]]] = {}
    events: dict[str, tuple[str, bool, list[str]]] = {}
    for name, frame in ordered.items():
        roles = layouts[name].structural_columns
        if "subject" not in roles:
            raise InputError(Issue(rule="raw.odm-subject-missing", dataset=name,
                                   message=f"form {name} names no subject column (odm.subject)",
                                   expected="odm.subject, or a SUBJID column"))
        cols = [roles.get(r) for r in ("study", "site", "subject", "visit")]
        values = [frame[c].tolist() if c else [""] * len(frame) for c in cols]
        for i, (study, site, subject, visit) in enumerate(zip(*values, strict=True)):
            if roles.get("visit"):
                oid, ev_name, key = event_of(visit, repeating)
            else:
                oid, ev_name, key = subject_event["oid"], subject_event["name"], None
            known = events.setdefault(oid, (ev_name, key is not None, []))
            if name not in known[2]:
                known[2].append(name)
            subjects.setdefault((study, site, subject), {}).setdefault((oid, key), {}).setdefault(name, []).append(i)
    merged = {subject: {event: forms[event] for event in event_order(forms.items())}
              for subject, forms in sorted(subjects.items())}
    return merged, events, ordered


def event_order(forms: Any) -> list[Any]:
    """One subject's events in an order each form's own visit order agrees with.

    ``forms`` holds, per event (in first-appearance order), form -> the form's record numbers; a form
    that visits A then B puts A before B. Events no form orders keep their first appearance.

    >>> event_order({"W2": {"sv": [1]}, "W0": {"sv": [0]}, "W1": {"sv": [2], "lb": [5]}}.items())
    ['W0', 'W2', 'W1']
    """
    items = list(forms)
    first = {event: k for k, (event, _) in enumerate(items)}
    after: dict[Any, set[Any]] = {event: set() for event in first}
    needs = dict.fromkeys(first, 0)
    per_form: dict[str, list[tuple[int, Any]]] = {}
    for event, by_form in items:
        for form, rows in by_form.items():
            per_form.setdefault(form, []).extend((row, event) for row in rows)
    for visits in per_form.values():
        seq = [event for _, event in sorted(visits, key=lambda rv: rv[0])]
        for a, b in itertools.pairwise(seq):
            if a != b and b not in after[a]:
                after[a].add(b)
                needs[b] += 1
    done: list[Any] = []
    ready = sorted((e for e, n in needs.items() if n == 0), key=first.__getitem__)
    while ready:
        event = ready.pop(0)
        done.append(event)
        for b in after[event]:
            needs[b] -= 1
            if needs[b] == 0:
                ready.append(b)
        ready.sort(key=first.__getitem__)
    done += [e for e in first if e not in done]  # forms that disagree: the rest by first appearance
    return done


def odm_document(frames: Mapping[str, pd.DataFrame], spec: Spec) -> bytes:
    """The ODM 1.3.2 file of ``frames`` (form -> text frame), as bytes."""
    layouts = {n: f for n, f in sorted(spec.raw_forms.items()) if n in frames}
    conf = spec.study.conventions.get("odm") or {}
    subject_event = conf.get("subject_event") or SUBJECT_EVENT
    repeating = tuple(conf.get("repeating_visits") or ())
    subjects, events, ordered = _records(frames, layouts, repeating, subject_event)
    root = etree.Element(_q("ODM"), nsmap={None: ODM_NS})
    for key, value in (("FileType", "Snapshot"), ("FileOID", str(conf.get("file_oid", spec.study.studyid))),
                       ("CreationDateTime", str(conf["creation_datetime"])), ("ODMVersion", "1.3.2"),
                       ("Originator", spec.study.sponsor), ("SourceSystem", "aclf-cdisc simulate")):
        root.set(key, value)
    study = _el(root, "Study", OID=next(iter(subjects))[0] if subjects else spec.study.studyid)
    _metadata(study, spec, layouts, conf, events)
    cells = {name: frame[list(layouts[name].item_oids().values())].to_numpy(dtype=object)
             for name, frame in ordered.items()}
    by_study: dict[str, etree._Element] = {}
    for (study_oid, site, subject), subject_events in subjects.items():
        if study_oid not in by_study:
            by_study[study_oid] = _el(root, "ClinicalData", StudyOID=study_oid or spec.study.studyid,
                                      MetaDataVersionOID=str(conf.get("metadata_version", "MDV.1")))
        sd = _el(by_study[study_oid], "SubjectData", SubjectKey=subject)
        if site:
            _el(sd, "SiteRef", LocationOID=site)
        for (oid, repeat_key), forms in subject_events.items():
            ev = _el(sd, "StudyEventData", StudyEventOID=oid)
            if repeat_key is not None:
                ev.set("StudyEventRepeatKey", repeat_key)
            for name, rows in forms.items():
                _form_data(ev, layouts[name], cells[name], rows)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def _form_data(event: etree._Element, layout: RawForm, cells: Any, rows: list[int]) -> None:
    """One FormData: an ItemGroupData per record ``rows`` of ``cells`` (the form's items as text, in ItemOID order)."""
    fd = _el(event, "FormData", FormOID=layout.form_oid)
    repeats = repeating_group(layout)
    items = list(layout.item_oids().items())
    for n, i in enumerate(rows, start=1):
        ig = _el(fd, "ItemGroupData", ItemGroupOID=layout.item_group_oid)
        if repeats:
            ig.set("ItemGroupRepeatKey", str(n))
        for (oid, column), value in zip(items, cells[i], strict=True):
            if value == "":
                continue
            try:
                _el(ig, "ItemData", ItemOID=oid, Value=value)
            except ValueError as exc:  # a control character XML cannot carry
                raise InputError(Issue(rule="raw.odm-value-unwritable", dataset=layout.name, row=i + 1,
                                       column=column, value=value, message=f"{layout.name}.{column}: {exc}",
                                       expected="text without control characters")) from None


def write_odm(frames: Mapping[str, pd.DataFrame], path: Path, spec: Spec) -> Path:
    """Write the ODM file whole (:func:`aclf_cdisc.simulate.writer.write_whole`); return its path."""
    unknown = sorted(set(frames) - set(spec.raw_forms))
    if unknown:
        raise InputError([Issue(rule="raw.form-unknown", message=f"no raw layout for form {f}", dataset=f)
                          for f in unknown])
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_whole(path, odm_document(frames, spec))
    return path
