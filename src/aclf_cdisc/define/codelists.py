"""CodeList: CDISC CT, external dictionaries and sponsor codelists, each written as Define-XML 2.1 wants.

- CDISC CT (spec ``nci_code``, ``ct``): ``def:StandardOID`` to the CT package's def:Standard, the
  codelist's and each CDISC term's NCI code as ``Alias Context="nci:ExtCodeID"``; a sponsor term
  added to an extensible codelist carries ``def:ExtendedValue="Yes"`` and no NCI code.
- external dictionary (MedDRA, ISO 3166): ``ExternalCodeList`` with dictionary, version and href.
- sponsor codelist: ``def:IsNonStandard="Yes"``; no term is an "extended value".

Terms written: those whose values occur in the data of the items referencing the codelist (and
the values where clauses test); a codelist none of whose items has a value keeps the spec's full
list, since a CodeList must not be empty.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from lxml import etree

from aclf_cdisc.define.common import deff, odm, translated_text
from aclf_cdisc.define.standards import ct_standard_oid
from aclf_cdisc.spec.model import Codelist, Term


def _nci_alias(parent: etree._Element, code: str) -> None:
    alias = etree.SubElement(parent, odm("Alias"))
    alias.set("Context", "nci:ExtCodeID")
    alias.set("Name", code)


def _external(el: etree._Element, cl: Codelist, meddra_version: str | None) -> None:
    external = cl.external or {}
    ext = etree.SubElement(el, odm("ExternalCodeList"))
    dictionary = external.get("dictionary", "")
    ext.set("Dictionary", dictionary)
    version = external.get("version") or (meddra_version if dictionary.upper() == "MEDDRA" else None)
    if version:
        ext.set("Version", str(version))
    if external.get("href"):
        ext.set("href", external["href"])


def _term(el: etree._Element, cl: Codelist, term: Term, decoded: bool) -> None:
    item = etree.SubElement(el, odm("CodeListItem" if decoded else "EnumeratedItem"))
    item.set("CodedValue", term.submission_value)
    if term.order is not None:
        item.set("OrderNumber", str(term.order))
    cdisc = cl.kind == "cdisc"
    if cdisc and term.extended:
        item.set(deff("ExtendedValue"), "Yes")
    if decoded:
        translated_text(item, odm("Decode"), term.decode or term.submission_value)
    if cdisc and term.nci_code and not term.extended:
        _nci_alias(item, term.nci_code)


def terms_to_write(cl: Codelist, found: set[str]) -> list[Term]:
    """The terms whose values occur (all terms when none occurs)."""
    return [t for t in cl.terms if t.submission_value in found] or list(cl.terms)


def codelist_element(cl: Codelist, found: set[str], *, meddra_version: str | None = None) -> etree._Element:
    """One ``<CodeList>`` element for ``cl`` (terms filtered to ``found``)."""
    el = etree.Element(odm("CodeList"))
    el.set("OID", cl.oid)
    el.set("Name", cl.name)
    el.set("DataType", cl.data_type)
    kind = cl.kind
    if kind == "cdisc":
        el.set(deff("StandardOID"), ct_standard_oid(cl.ct or "SDTM"))
    elif kind == "sponsor":
        el.set(deff("IsNonStandard"), "Yes")
    if kind == "external":
        _external(el, cl, meddra_version)
    else:
        decoded = any(t.decode for t in cl.terms)
        for term in terms_to_write(cl, found):
            _term(el, cl, term, decoded)
        if kind == "cdisc" and cl.nci_code:
            _nci_alias(el, cl.nci_code)
    return el


def ct_packages(codelists: Mapping[str, Codelist], oids: Iterable[str]) -> set[str]:
    """The CDISC CT packages (SDTM, ADaM) the codelists ``oids`` come from."""
    return {codelists[oid].ct or "SDTM" for oid in oids if codelists[oid].kind == "cdisc"}


def codelist_defs(codelists: Mapping[str, Codelist], used: Mapping[str, set[str]], *,
                  meddra_version: str | None = None) -> list[etree._Element]:
    """The CodeList of every codelist in ``used`` (OID -> values found), in OID order."""
    return [codelist_element(codelists[oid], used[oid], meddra_version=meddra_version) for oid in sorted(used)]
