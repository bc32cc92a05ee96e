"""RS (Disease Response and Clin Classification): the clinical liver assessments of the cla form.

Source: the raw ``cla`` form, one row per subject and visit, transposed to one record per item:
HEGRADE -> WHEG0101 (West Haven hepatic encephalopathy grade, classification WHEG01) and
ASCITES -> CPS0102 (the ascites item of the Child-Pugh classification CPS01). Needs DM
(USUBJID, RFSTDTC), SE (EPOCH) and the subjects' visit map (SV's).

Why RS: SDTMIG 3.4 puts clinical classifications (named instruments scored by an observer) in
RS, and CDISC CT publishes both items (COM.RS). Codelists come from the spec's value-level
metadata: RSCAT picks the RSTESTCD/RSTEST codelists, RSTESTCD the RSORRES/RSSTRESC codelists.

* RSORRES: the CRF value recoded to the item's CT result (HEGRADE 2 -> GRADE 2; ascites
  None/Mild/Moderate-Severe -> absent/slight/moderate, COM.RS.CPS0102).
* RSSTRESC: WHEG0101 the grade, CPS0102 the Child-Pugh points 1-3 (the synonyms of CL.CPS0102STR
  hold the pairing of the CT result with its points).
* RSSTRESN: RSSTRESC when it is a number (the Child-Pugh points), null otherwise. The West Haven
  grade is an ordinal category whose CT standard result is the text GRADE 0-4 (CL.HEPENCGR, the same
  terms as RSORRES); the CDISC QRS convention puts a number in --STRESN only when the standard
  result is numeric (SDTMIG 3.4 §4.5.1; Pinnacle 21 SD1448, CDISC CORE-000732), so the grade has none.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from aclf_cdisc.errors import DerivationError, Issue
from aclf_cdisc.raw.reader import ROW_COL
from aclf_cdisc.sdtm.assemble import assemble_form, form_file, frame_file
from aclf_cdisc.sdtm.ct import recode_ct
from aclf_cdisc.sdtm.derivations import COMMON_DERIVATIONS
from aclf_cdisc.sdtm.duplicates import drop_duplicate_records, key_conflicts
from aclf_cdisc.sdtm.finish import finish
from aclf_cdisc.sdtm.map_inputs import MapInputs
from aclf_cdisc.sdtm.mapping import Derivation, MappingContext, apply_mappings
from aclf_cdisc.sdtm.timing import derive_timing
from aclf_cdisc.sdtm.value_level import value_level_by
from aclf_cdisc.sdtm.visits import subject_visit_map
from aclf_cdisc.spec.model import Codelist, Dataset, Spec

DOMAIN = "RS"
FORM = "cla"
#: CRF field -> the clinical classification item it records (the transposition of the cla form).
ITEMS: dict[str, str] = {"HEGRADE": "WHEG0101", "ASCITES": "CPS0102"}
SOURCE, VALUE = "_FIELD", "_VALUE"  # the CRF field and its raw value on each transposed record


# ------------------------------------------------------------------------------------------
# value-level codelists
# ------------------------------------------------------------------------------------------
def value_level_codelists(dataset: Dataset, spec: Spec, variable: str, by: str) -> dict[str, Codelist]:
    """``by`` value -> codelist of ``variable`` where ``by`` EQ that value (from the value-level rows)."""
    return {value: spec.codelists[row.codelist] for value, row in value_level_by(dataset, variable, by)
            if row.codelist}


def item_categories(dataset: Dataset, spec: Spec) -> dict[str, str]:
    """RSTESTCD -> RSCAT: the category whose RSTESTCD value-level codelist holds the test code."""
    out: dict[str, str] = {}
    for rscat, codelist in value_level_codelists(dataset, spec, "RSTESTCD", "RSCAT").items():
        for testcd in codelist.values:
            out[testcd] = rscat
    missing = sorted(set(ITEMS.values()) - set(out))
    if missing:
        raise DerivationError([Issue(rule="sdtm.rs-item-unknown", dataset=DOMAIN, column="RSTESTCD", value=t,
                                     message="no RSCAT value-level codelist of RSTESTCD holds the item",
                                     expected="value_level RSTESTCD where RSCAT EQ <category>")
                               for t in missing])
    return out


def _recode_by_test(frame: pd.DataFrame, context: MappingContext, variable: str, source: pd.Series,
                    by: str = "RSTESTCD") -> pd.Series:
    """Recode ``source`` through the value-level codelist of ``variable`` for each record's ``by`` value."""
    codelists = value_level_codelists(context.dataset, context.spec, variable, by)
    out = pd.Series(None, index=frame.index, dtype=object)
    for key, codelist in codelists.items():
        mask = frame[by] == key
        if mask.any():
            values, _ = recode_ct(source[mask], codelist, dataset=DOMAIN, variable=variable)
            out[mask] = values
    return out


def recode_issues(frame: pd.DataFrame, dataset: Dataset, spec: Spec) -> list[Issue]:
    """Every raw result no term of its item's RSORRES codelist knows (one Issue per value and item)."""
    issues: list[Issue] = []
    for testcd, codelist in value_level_codelists(dataset, spec, "RSORRES", "RSTESTCD").items():
        mask = frame["RSTESTCD"] == testcd
        if mask.any():
            _, found = recode_ct(frame.loc[mask, VALUE], codelist, dataset=DOMAIN, variable="RSORRES",
                                 file=frame_file(frame, FORM), rows=frame.loc[mask, ROW_COL])
            issues += found
    return issues


# ------------------------------------------------------------------------------------------
# derivations
# ------------------------------------------------------------------------------------------
def derive_rstestcd(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    return frame[SOURCE].map(ITEMS).astype(object)


def derive_rscat(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    return frame["RSTESTCD"].map(item_categories(context.dataset, context.spec)).astype(object)


def derive_rstest(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    """The test name of the test code: the RSTEST term with the RSTESTCD term's NCI code."""
    codes = value_level_codelists(context.dataset, context.spec, "RSTESTCD", "RSCAT")
    names = value_level_codelists(context.dataset, context.spec, "RSTEST", "RSCAT")
    lookup: dict[str, str] = {}
    for rscat, codelist in codes.items():
        by_code = {t.nci_code: t.submission_value for t in names[rscat].terms} if rscat in names else {}
        for term in codelist.terms:
            if term.nci_code in by_code:
                lookup[term.submission_value] = by_code[term.nci_code]
    return frame["RSTESTCD"].map(lookup).astype(object)


def derive_rsorres(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    return _recode_by_test(frame, context, "RSORRES", frame[VALUE])


def derive_rsstresc(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    return _recode_by_test(frame, context, "RSSTRESC", frame["RSORRES"])


def derive_rsstresn(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    """RSSTRESC as a number where it is one (Child-Pugh points "3" -> 3); null for text (GRADE 2)."""
    text = frame["RSSTRESC"].astype("string").str.strip()
    return pd.to_numeric(text.where(text.str.fullmatch(r"\d+")), errors="coerce").astype("float64")


DERIVATIONS: dict[str, Derivation] = {
    **COMMON_DERIVATIONS,
    "derive_rstestcd": derive_rstestcd,
    "derive_rstest": derive_rstest,
    "derive_rscat": derive_rscat,
    "derive_rsorres": derive_rsorres,
    "derive_rsstresc": derive_rsstresc,
    "derive_rsstresn": derive_rsstresn,
}
MAP_INPUTS = MapInputs(forms=(FORM,), derivations=frozenset(DERIVATIONS))


def transpose_items(assembled: pd.DataFrame) -> pd.DataFrame:
    """One record per assessment and CRF item field (``_FIELD``, ``_VALUE``); empty items are dropped."""
    pieces = []
    for field in ITEMS:
        part = assembled.copy()
        part[SOURCE] = field
        part[VALUE] = part[f"{FORM}.{field}"]
        pieces.append(part[part[VALUE].notna()])
    out = pd.concat(pieces, ignore_index=True)
    return out.sort_values([ROW_COL, SOURCE], kind="mergesort").reset_index(drop=True)


def build_rs(raw: Any, spec: Spec, *, dm: pd.DataFrame, se: pd.DataFrame,
             visit_map: pd.DataFrame | None = None, issues: list[Issue] | None = None) -> pd.DataFrame:
    """Build RS from the raw cla form (two items per assessment).

    ``dm``: SDTM DM (USUBJID, RFSTDTC); ``se``: SDTM SE (EPOCH); ``visit_map``: the subjects' visit
    map (SV's, from the raw sv form when None). A raw grade no CT result knows, an unknown visit or
    a subject not in DM raise :class:`~aclf_cdisc.errors.InputError`; warnings go to ``issues``.
    """
    dataset = spec.dataset(DOMAIN)
    found: list[Issue] = []
    assembled = transpose_items(assemble_form(raw, spec, FORM, dm, dataset=DOMAIN, issues=found))
    frame, mapped = apply_mappings(assembled, dataset, spec, DERIVATIONS)
    found += mapped + recode_issues(frame, dataset, spec)
    frame = drop_duplicate_records(frame, ["USUBJID", "RSTESTCD", f"{FORM}.VISIT", "RSDTC", "RSORRES"],
                                   dataset=DOMAIN, file=form_file(raw, FORM), issues=found)
    if visit_map is None:
        visit_map = subject_visit_map(raw, spec)
    frame = derive_timing(frame, spec, dataset=DOMAIN, form=FORM, dtc_var="RSDTC", dy_var="RSDY", se=se,
                          visit_map=visit_map, issues=found)
    found += key_conflicts(frame, [k for k in dataset.keys if k != "RSSEQ"], dataset=DOMAIN,
                           file=form_file(raw, FORM))
    return finish(frame, dataset, found, issues, "RSSEQ")
