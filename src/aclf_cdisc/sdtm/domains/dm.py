"""DM (Demographics): one record per screened subject, screen failures included.

Sources: dm (demographics), ic (consent), ie (eligibility), irt_rand (both randomization stages),
the infusion log (ex) joined to the IRT kit list (irt_kits), dd (death), ae (fatal outcome),
eos (end of study), sv (screening visit date) and every dated raw form (last contact).

Decisions (stated in specs/methods.yaml so Define-XML carries them):

* USUBJID = STUDYID-SITEID-subject number. The EDC SUBJID already starts with the site
  ("101-0001"), so the site is not repeated: ``ACLF-MSC-302-101-0001``
  (:func:`aclf_cdisc.sdtm.assemble.compute_usubjid`; every domain uses it).
* RFSTDTC = date/time of the first infusion (study day 1 = first infusion day); for a subject
  randomized but never infused, the stage-1 randomization date/time; empty for screen failures.
* AGE is derived from the birth date at informed consent (MT.DM.AGE), the CRF AGE is used only
  when the birth year is unknown; a derived age that differs from the CRF age is a warning.
* ARM/ARMCD from the IRT stage-1 and stage-2 groups; ACTARM/ACTARMCD from the kits actually
  infused (multi-stage assignment, SDTMIG 3.4 section 5.2). An hUC-MSC patient without a stage-2
  randomization gets the partial path MSC "hUC-MSC x3".
* Blinded builds: without the IRT files the arms cannot be derived, so :func:`build_dm` raises an
  :class:`~aclf_cdisc.errors.InputError` unless ``blinded=True``; then every arm variable of a
  randomized (or infused) subject is :data:`~aclf_cdisc.sdtm.irt.BLINDED` and the IRT treatment
  columns are never read.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from aclf_cdisc.errors import DerivationError, Issue
from aclf_cdisc.raw.reader import FILE_COL, ROW_COL
from aclf_cdisc.sdtm.assemble import compute_usubjid, frame_file, get_form, prefix_columns, raw_forms, with_usubjid
from aclf_cdisc.sdtm.conform import conform_to_spec
from aclf_cdisc.sdtm.dates import raw_to_iso8601, to_iso8601
from aclf_cdisc.sdtm.derivations import derive_studyid
from aclf_cdisc.sdtm.duplicates import one_per_subject
from aclf_cdisc.sdtm.finish import settle_issues
from aclf_cdisc.sdtm.irt import BLINDED, MSC, PBO, require_irt
from aclf_cdisc.sdtm.map_inputs import MapInputs, joined_columns
from aclf_cdisc.sdtm.mapping import Derivation, MappingContext, apply_mappings
from aclf_cdisc.sdtm.shared_inputs import SharedInputs
from aclf_cdisc.sdtm.study_day import compute_dy, iso_date_part
from aclf_cdisc.spec.conventions import required_convention
from aclf_cdisc.spec.model import Spec

DOMAIN = "DM"
FORM = "dm"
# The columns DM joins to its form's record, one record per subject of each form (form -> columns),
# and the screening visit's date from the sv form.
JOINED: dict[str, tuple[str, ...]] = {"ic": ("DSSTDAT", "ICVER"), "ie": ("IEYN", "IEDAT"), "dd": ("DTHDAT",),
                                      "eos": ("DSSTDAT", "DSDECOD"), "ltx": ("PRSTDAT",)}
SCREENING: dict[str, tuple[str, ...]] = {"sv": ("VISDAT",)}

# Multi-stage assignment: (stage-1 group, stage-2 group or None) -> ARMCD (spec.study.arms).
ARMCD_BY_STAGES: dict[tuple[str, str | None], str] = {
    (PBO, None): "PBO",
    (MSC, PBO): "MSC-PBO",
    (MSC, MSC): "MSC-MSC",
    (MSC, None): "MSC",  # partial path: not re-randomized (SDTMIG 3.4 multi-stage assignment)
}
ARMNRS_SCREEN_FAILURE = "SCREEN FAILURE"
ARMNRS_NOT_ASSIGNED = "NOT ASSIGNED"
ARMNRS_NOT_TREATED = "ASSIGNED, NOT TREATED"
ARMNRS_UNPLANNED = "UNPLANNED TREATMENT"


# ------------------------------------------------------------------------------------------
# subject-level facts every domain of this package needs
# ------------------------------------------------------------------------------------------
def last_contact_dates(raw: Any, spec: Spec) -> pd.Series:
    """USUBJID -> latest complete date (ISO) in any dated column of any raw form except the birth date.

    Date columns are the ones declared ``type: date`` in specs/raw; unreadable or partial dates
    are skipped (they are reported by the domain that maps them). The date columns of every form are read as
    one column: each distinct date text is parsed, and each subject's USUBJID made, once.
    """
    sites: list[pd.Series] = []
    subjects: list[pd.Series] = []
    texts: list[pd.Series] = []
    for form_name, layout in sorted(spec.raw_forms.items()):
        frame = get_form(raw, form_name, required=False)
        if frame is None or "SUBJID" not in frame.columns or frame.empty:
            continue
        site, subject = frame["SITEID"], frame["SUBJID"]
        for column in layout.columns:
            if column.data_type != "date" or column.name == "BRTHDAT" or column.name not in frame.columns:
                continue
            sites.append(site)
            subjects.append(subject)
            texts.append(frame[column.name].astype("string"))
    if not texts:
        return pd.Series(dtype=object)
    usubjid = compute_usubjid(spec.study.studyid, pd.concat(sites, ignore_index=True),
                              pd.concat(subjects, ignore_index=True))
    values, _ = raw_to_iso8601(pd.concat(texts, ignore_index=True), dataset=DOMAIN, variable="RFPENDTC")
    every = pd.DataFrame({"USUBJID": usubjid, "DATE": iso_date_part(values)})
    return latest_per_subject(every.dropna())


def latest_per_subject(dates: pd.DataFrame) -> pd.Series:
    """USUBJID (sorted) -> the latest of its ISO dates (``DATE``, text that sorts as the dates do).

    >>> latest_per_subject(pd.DataFrame({"USUBJID": ["B", "A", "B"],
    ...                                  "DATE": ["2024-03-01", "2024-01-05", "2024-02-10"]})).to_dict()
    {'A': '2024-01-05', 'B': '2024-03-01'}
    """
    # the dates numbered in sorted order: the latest is the highest number
    codes, ordered = pd.factorize(dates["DATE"].to_numpy(dtype=object), sort=True)
    latest = pd.Series(codes, index=dates.index).groupby(dates["USUBJID"].to_numpy()).max()
    return pd.Series(ordered[latest.to_numpy()], index=latest.index.rename("USUBJID"), name="DATE", dtype=object)


def fatal_ae_dates(raw: Any, spec: Spec) -> pd.DataFrame:
    """USUBJID of subjects with a fatal AE (AEOUT Fatal) and the latest such AE end date (ISO, may be empty)."""
    ae = get_form(raw, "ae", required=False)
    if ae is None or ae.empty or "AEOUT" not in ae.columns:
        return pd.DataFrame({"USUBJID": pd.Series(dtype=object), "AEDTHDTC": pd.Series(dtype=object)})
    ae = with_usubjid(ae, spec)
    fatal = ae[ae["AEOUT"].fillna("").str.casefold() == "fatal"].copy()
    fatal["AEDTHDTC"] = raw_to_iso8601(fatal["AEENDAT"], dataset=DOMAIN, variable="DTHDTC",
                                      file=frame_file(ae, "ae"))[0] \
        if not fatal.empty else pd.Series(dtype=object)
    return (fatal.sort_values("AEDTHDTC", na_position="first")
            .drop_duplicates("USUBJID", keep="last")[["USUBJID", "AEDTHDTC"]].reset_index(drop=True))


def run_length_text(treatments: list[str]) -> str:
    """["hUC-MSC", "hUC-MSC", "Placebo"] -> "hUC-MSC x2, then Placebo x1" (the ARM naming style)."""
    parts: list[tuple[str, int]] = []
    for trt in treatments:
        if parts and parts[-1][0] == trt:
            parts[-1] = (trt, parts[-1][1] + 1)
        else:
            parts.append((trt, 1))
    return ", then ".join(f"{trt} x{n}" for trt, n in parts)


def assemble_dm(raw: Any, spec: Spec, *, blinded: bool = False, shared: SharedInputs | None = None) -> pd.DataFrame:
    """One row per subject of the dm form, columns ``form.COLUMN`` plus ``_``-prefixed subject facts.

    Facts: _RAND1DTC/_RAND1GRP/_RAND2DTC/_RAND2GRP (IRT), _EXSTDTC/_EXENDTC (first/last infusion),
    _ACT1/_ACT2 (treatments infused at stage 1/2 in time order, "|"-joined), _NINF (infusions given),
    _LASTCONTACT (latest raw date), _AEDTHDTC (fatal AE end date), _FATALAE.
    ``shared``: the build's infusions and randomization (assembled here when not given).
    """
    shared = shared if shared is not None else SharedInputs(raw, spec, blinded)
    form = get_form(raw, FORM)
    assert form is not None  # required form: get_form raised InputError when it is missing
    dm = one_per_subject(with_usubjid(form, spec), FORM)
    frame = prefix_columns(dm, FORM)

    def join(form: str, columns: list[str], source: pd.DataFrame | None = None) -> None:
        nonlocal frame
        part = source if source is not None else get_form(raw, form, required=False)
        if part is None:
            for column in columns:
                frame[f"{form}.{column}"] = None
            return
        if source is None:
            part = one_per_subject(with_usubjid(part, spec), form)
        part = part[["USUBJID", *columns]].rename(columns={c: f"{form}.{c}" for c in columns})
        frame = frame.merge(part, on="USUBJID", how="left")

    for name, columns in JOINED.items():
        join(name, list(columns))
    sv = get_form(raw, "sv", required=False)
    if sv is not None:
        sv = with_usubjid(sv, spec)
        screening = sv[sv["VISIT"].fillna("").str.casefold() == _screening_folder(spec).casefold()]
        screening = screening.dropna(subset=list(SCREENING["sv"])).drop_duplicates("USUBJID")
        join("sv", list(SCREENING["sv"]), screening)
    else:
        join("sv", list(SCREENING["sv"]))

    rand = shared.randomization().set_index("USUBJID")
    for column in ("RAND1DTC", "RAND1GRP", "RAND2DTC", "RAND2GRP", f"RAND1{ROW_COL}", f"RAND2{ROW_COL}",
                   f"RAND1{FILE_COL}", f"RAND2{FILE_COL}"):
        frame[f"_{column}"] = frame["USUBJID"].map(rand[column]) if len(rand) else None

    infusions = shared.infusions()  # its warnings are EX's (build_ex): raised once
    ordered = infusions.sort_values(["USUBJID", "EXSTDTC"], kind="mergesort")
    by_subject = ordered.groupby("USUBJID", sort=False)
    frame["_EXSTDTC"] = frame["USUBJID"].map(by_subject["EXSTDTC"].first())
    frame["_EXENDTC"] = frame["USUBJID"].map(by_subject["EXENDTC"].last())
    frame["_NINF"] = frame["USUBJID"].map(by_subject.size()).fillna(0).astype(int)
    for stage in (1, 2):
        part = ordered[ordered["STAGE"] == stage]
        seq = part.groupby("USUBJID", sort=False)["TRTGRP"].agg(lambda s: "|".join(map(str, s)))
        frame[f"_ACT{stage}"] = frame["USUBJID"].map(seq) if not blinded else None

    frame["_LASTCONTACT"] = frame["USUBJID"].map(last_contact_dates(raw, spec))
    fatal = fatal_ae_dates(raw, spec).set_index("USUBJID")
    frame["_FATALAE"] = frame["USUBJID"].isin(fatal.index)
    frame["_AEDTHDTC"] = frame["USUBJID"].map(fatal["AEDTHDTC"]) if len(fatal) else None
    return frame.astype(object).where(frame.notna(), None)


def _screening_folder(spec: Spec) -> str:
    first = min(spec.study.visits, key=lambda v: v.visitnum)
    return getattr(first, "edc_folder", None) or first.visit


# ------------------------------------------------------------------------------------------
# derivations (the spec's ``map: {rule: derive, function: ...}``)
# ------------------------------------------------------------------------------------------
def _blank(frame: pd.DataFrame) -> pd.Series:
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def _is_blinded(context: MappingContext) -> bool:
    return bool(context.options.get("blinded", False))


def derive_usubjid(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    return compute_usubjid(context.spec.study.studyid, frame["dm.SITEID"], frame["dm.SUBJID"])


def _randomized(frame: pd.DataFrame) -> pd.Series:
    return frame["_RAND1DTC"].notna()


def derive_rfstdtc(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    """First infusion date/time; randomized but never infused: stage-1 randomization date/time."""
    return frame["_EXSTDTC"].where(frame["_EXSTDTC"].notna(), frame["_RAND1DTC"]).astype(object)


def derive_rfendtc(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    """End-of-study date; without one, the death or transplant date; empty for screen failures."""
    eos = to_iso8601(frame["eos.DSSTDAT"], dataset=DOMAIN, variable="RFENDTC", file="eos.csv")
    ltx = to_iso8601(frame["ltx.PRSTDAT"], dataset=DOMAIN, variable="RFENDTC", file="ltx.csv")
    out = eos.where(eos.notna(), death_dtc(frame)).where(lambda s: s.notna(), ltx)
    entered = _randomized(frame) | frame["_EXSTDTC"].notna() | frame["eos.DSSTDAT"].notna()
    return out.where(entered, None).astype(object)


def derive_rfxstdtc(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    return frame["_EXSTDTC"].astype(object)


def derive_rfxendtc(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    return frame["_EXENDTC"].astype(object)


def derive_rfpendtc(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    """Latest date of any contact recorded in the raw export (screen failures included)."""
    return frame["_LASTCONTACT"].astype(object)


def death_dtc(frame: pd.DataFrame) -> pd.Series:
    """Death form date; a fatal AE without a death form gives the AE end date."""
    dd = to_iso8601(frame["dd.DTHDAT"], dataset=DOMAIN, variable="DTHDTC", file="dd.csv")
    return dd.where(dd.notna(), frame["_AEDTHDTC"]).astype(object)


def derive_dthdtc(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    return death_dtc(frame)


def derive_dthfl(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    died = frame["dd.DTHDAT"].notna() | frame["_FATALAE"].astype(bool)
    return pd.Series("Y", index=frame.index, dtype=object).where(died, None)


def derive_age(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    """Completed years from birth to consent; an unknown birth day, or month and day, are assumed
    as study.yaml ``conventions.birth_date_imputation`` says (MT.DM.AGE).

    The CRF AGE is used when the birth year or the consent date is unknown.
    """
    assumed = required_convention(context.spec.study.conventions, "birth_date_imputation")
    birth = frame["BRTHDTC"].astype("string")
    consent = pd.to_datetime(iso_date_part(frame["RFICDTC"]), errors="coerce")
    year = pd.to_numeric(birth.str.slice(0, 4), errors="coerce")
    month = pd.to_numeric(birth.str.slice(5, 7), errors="coerce")
    day = pd.to_numeric(birth.str.slice(8, 10), errors="coerce")
    day = day.where(day.notna(), np.where(month.notna(), assumed["unknown_day"], assumed["unknown_month_day"]))
    month = month.fillna(assumed["unknown_month"])
    had_birthday = (consent.dt.month > month) | ((consent.dt.month == month) & (consent.dt.day >= day))
    age = consent.dt.year - year - np.where(had_birthday, 0, 1)
    crf = pd.to_numeric(frame["dm.AGE"], errors="coerce")
    return age.where(age.notna(), crf).astype("float64")


def stage_groups(frame: pd.DataFrame, prefix: str) -> pd.Series:
    """(stage-1 group, stage-2 group) per subject from _<prefix>1/_<prefix>2 columns."""
    return pd.Series(list(zip(frame[f"_{prefix}1GRP"], frame[f"_{prefix}2GRP"], strict=True)),
                     index=frame.index, dtype=object)


def derive_armcd(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    randomized = _randomized(frame)
    if _is_blinded(context):
        return pd.Series(BLINDED, index=frame.index, dtype=object).where(randomized | (frame["_NINF"] > 0), None)
    codes = [ARMCD_BY_STAGES.get((g1, g2)) if g1 else None
             for g1, g2 in zip(frame["_RAND1GRP"], frame["_RAND2GRP"], strict=True)]
    # the irt_rand record that makes the pair impossible: stage 2's when there is one
    stage2 = frame["_RAND2GRP"].notna()
    record = frame[f"_RAND2{ROW_COL}"].where(stage2, frame[f"_RAND1{ROW_COL}"])
    file = frame[f"_RAND2{FILE_COL}"].where(stage2, frame[f"_RAND1{FILE_COL}"])
    unknown = [(s, g1, g2, f, r) for s, g1, g2, c, f, r in zip(frame["USUBJID"], frame["_RAND1GRP"], frame["_RAND2GRP"],
                                                                codes, file, record, strict=True) if g1 and c is None]
    if unknown:
        raise DerivationError([Issue(rule="sdtm.arm-unknown", message=f"randomization groups match no arm ({s})",
                                     file=f if pd.notna(f) else "irt_rand.csv", dataset=DOMAIN,
                                     row=int(r) if pd.notna(r) else f"USUBJID={s}",
                                     column="TRTGRP", value=f"{g1} / {g2}", expected="a stage pair of the study's arms")
                               for s, g1, g2, f, r in unknown])
    return pd.Series(codes, index=frame.index, dtype=object)


def _arm_text(context: MappingContext) -> dict[str, str]:
    return {arm.armcd: arm.arm for arm in context.spec.study.arms} | {BLINDED: BLINDED}


def derive_arm(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    return frame["ARMCD"].map(_arm_text(context)).astype(object).where(frame["ARMCD"].notna(), None)


def _actual_sequences(frame: pd.DataFrame) -> list[tuple[list[str], list[str]]]:
    def split(value: object) -> list[str]:
        return [] if value is None or (isinstance(value, float) and np.isnan(value)) else str(value).split("|")

    return [(split(a), split(b)) for a, b in zip(frame["_ACT1"], frame["_ACT2"], strict=True)]


def actual_armcd(stage1: list[str], stage2: list[str]) -> str | None:
    """The arm the infusions received describe: one treatment per stage, a planned or partial path."""
    if not stage1 or len(set(stage1)) != 1 or len(set(stage2)) > 1:
        return None
    return ARMCD_BY_STAGES.get((stage1[0], stage2[0] if stage2 else None))


def derive_actarmcd(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    if _is_blinded(context):
        return pd.Series(BLINDED, index=frame.index, dtype=object).where(frame["_NINF"] > 0, None)
    return pd.Series([actual_armcd(s1, s2) for s1, s2 in _actual_sequences(frame)], index=frame.index, dtype=object)


def derive_actarm(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    return frame["ACTARMCD"].map(_arm_text(context)).astype(object).where(frame["ACTARMCD"].notna(), None)


def derive_armnrs(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    """SCREEN FAILURE (eligibility not met), NOT ASSIGNED (eligible, never randomized),
    ASSIGNED, NOT TREATED (no infusion) or UNPLANNED TREATMENT (infusions match no arm)."""
    out: list[str | None] = []
    for armcd, actarmcd, ninf, ieyn in zip(frame["ARMCD"], frame["ACTARMCD"], frame["_NINF"], frame["ie.IEYN"],
                                           strict=True):
        if armcd is None and ninf == 0:
            out.append(ARMNRS_SCREEN_FAILURE if str(ieyn or "").upper() == "N" else ARMNRS_NOT_ASSIGNED)
        elif actarmcd is None:
            out.append(ARMNRS_NOT_TREATED if ninf == 0 else ARMNRS_UNPLANNED)
        elif armcd is None:
            out.append(ARMNRS_NOT_ASSIGNED)  # infused without a randomization record
        else:
            out.append(None)
    return pd.Series(out, index=frame.index, dtype=object)


def derive_actarmud(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    texts = [
        "; ".join(f"stage {k}: {run_length_text(seq)}" for k, seq in ((1, s1), (2, s2)) if seq)
        if nrs == ARMNRS_UNPLANNED else None
        for (s1, s2), nrs in zip(_actual_sequences(frame), frame["ARMNRS"], strict=True)
    ]
    return pd.Series(texts, index=frame.index, dtype=object)


def derive_dmdy(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    return compute_dy(frame["DMDTC"], frame["RFSTDTC"]).astype("float64")


DERIVATIONS: dict[str, Derivation] = {
    "derive_studyid": derive_studyid,
    "derive_usubjid": derive_usubjid,
    "derive_rfstdtc": derive_rfstdtc,
    "derive_rfendtc": derive_rfendtc,
    "derive_rfxstdtc": derive_rfxstdtc,
    "derive_rfxendtc": derive_rfxendtc,
    "derive_rfpendtc": derive_rfpendtc,
    "derive_dthdtc": derive_dthdtc,
    "derive_dthfl": derive_dthfl,
    "derive_age": derive_age,
    "derive_armcd": derive_armcd,
    "derive_arm": derive_arm,
    "derive_actarmcd": derive_actarmcd,
    "derive_actarm": derive_actarm,
    "derive_armnrs": derive_armnrs,
    "derive_actarmud": derive_actarmud,
    "derive_dmdy": derive_dmdy,
}
MAP_INPUTS = MapInputs(forms=(FORM,), columns=joined_columns({**JOINED, **SCREENING}),
                       derivations=frozenset(DERIVATIONS))


def age_issues(frame: pd.DataFrame) -> list[Issue]:
    """A derived AGE different from the AGE the site entered: a warning naming both."""
    crf = pd.to_numeric(frame["dm.AGE"], errors="coerce")
    differs = crf.notna() & frame["AGE"].notna() & (crf != frame["AGE"])
    return [
        Issue(rule="sdtm.age-crf-differs", severity="warning",
              message="AGE derived from the birth date at consent differs from the CRF age",
              file=frame_file(frame, "dm"), dataset=DOMAIN, row=int(r), column="AGE", value=int(a),
              expected=f"CRF AGE {int(c)}")
        for r, a, c in zip(frame.loc[differs, "_row"], frame.loc[differs, "AGE"], crf[differs], strict=True)
    ]


def no_subjects_issue(raw: Any) -> Issue | None:
    """The error for an export whose dm form is there but holds no record (a header-only file, an
    ODM file without ClinicalData): with no subject there is no DM, and every other domain's
    records are a subject's, so there is nothing to build. None when the form holds a record (or
    is missing, which :func:`get_form` reports)."""
    form = raw_forms(raw).get(FORM)
    if form is None or len(form):
        return None
    files = getattr(raw, "files", {})
    return Issue(rule="sdtm.no-subjects", dataset=DOMAIN,
                 file=files[FORM].name if FORM in files else frame_file(form, FORM),
                 message=f"the {FORM} form holds no record: the export has no subject to build datasets for",
                 expected=f"one {FORM} record per subject screened")


def build_dm(raw: Any, spec: Spec, *, blinded: bool = False, issues: list[Issue] | None = None,
             shared: SharedInputs | None = None) -> pd.DataFrame:
    """Build DM from the raw export.

    ``blinded``: without IRT files an unblinded build raises :class:`InputError`; a blinded one
    sets ARMCD/ARM/ACTARMCD/ACTARM to ``BLINDED`` for randomized (or infused) subjects.
    ``issues``: non-fatal findings (warnings) are appended here; errors raise.
    ``shared``: the build's infusions and randomization (:class:`SharedInputs`, same ``blinded``).
    """
    require_irt(raw, blinded, DOMAIN)
    dataset = spec.dataset(DOMAIN)
    found: list[Issue] = []
    assembled = assemble_dm(raw, spec, blinded=blinded, shared=shared)
    frame, mapped = apply_mappings(assembled, dataset, spec, DERIVATIONS, options={"blinded": blinded})
    found += mapped + age_issues(frame)
    settle_issues(found, issues, DOMAIN)
    return conform_to_spec(frame, dataset)
