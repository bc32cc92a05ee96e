"""ADSL: one record per randomized subject (ADaMIG v1.3 Subject-Level Analysis Dataset).

Built in two steps because ADSL and ADLB depend on each other:

1. :func:`build_adsl_core` (from SDTM DM, DS, EX, SE, SV, LB, AE, RS, PR): identifiers and
   demographics copied from DM, treatments per period, treatment and randomization dates,
   population flags, death, transplant, last known alive, end of study;
2. :func:`add_baselines` (from ADLB): TBILBL ... CTPCLBL, the baseline-flagged ADLB values.

Metadata (labels, order, types, codelists) comes from ``specs/adam/adsl.yaml``; the rules are
written out in ``specs/methods.yaml`` (MT.ADSL.*). Helpers used by the other ADaM builders
(ISO date to ADaM date, treatment codelists, follow-up length) live here, as ADSL is built first.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.typing import NAType

from aclf_cdisc.adam.derivations import (
    compute_ctp_class,
    derive_var_trtseq,
    derive_vars_ap_dates,
    derive_vars_dt,
)
from aclf_cdisc.errors import DerivationError, Issue, SpecError
from aclf_cdisc.sdtm.epoch import boundary_rule
from aclf_cdisc.sdtm.text import map_distinct
from aclf_cdisc.spec.conventions import ctp_convention, required_convention
from aclf_cdisc.spec.model import Codelist, Spec

TREATMENT_CODELIST = "CL.TRT"
AGE_GROUP_CODELIST = "CL.AGEGR1"
STAGE_1_EPOCH = "TREATMENT 1"
STAGE_2_EPOCH = "TREATMENT 2"

#: ADSL baseline variable -> (ADLB PARAMCD, ADLB variable holding the value).
BASELINE_VARS: dict[str, tuple[str, str]] = {
    "TBILBL": ("TBIL", "AVAL"),
    "INRBL": ("INR", "AVAL"),
    "ALBBL": ("ALB", "AVAL"),
    "BUNBL": ("BUN", "AVAL"),
    "CREATBL": ("CREAT", "AVAL"),
    "SODIUMBL": ("SODIUM", "AVAL"),
    "MELDBL": ("MELD", "AVAL"),
    "MELDNABL": ("MELDNA", "AVAL"),
    "CTPBL": ("CTP", "AVAL"),
}
DM_COPIES = ("STUDYID", "USUBJID", "SUBJID", "SITEID", "AGE", "AGEU", "SEX", "RACE", "ETHNIC",
             "COUNTRY", "ARM", "ARMCD", "ACTARM", "ACTARMCD")


# ----------------------------------------------------------------------------------------------
# Shared helpers (used by ADAE, ADLB, ADTTE too)
# ----------------------------------------------------------------------------------------------
def iso_to_date(frame: pd.DataFrame, dtc: str, new_var: str, *, dataset_name: str) -> pd.Series:
    """The complete date of an ISO 8601 --DTC as datetime64 (partial or missing: NaT).

    Uses derive_vars_dt without imputation, so a malformed date is a DerivationError naming
    the record, never a silently wrong date.
    """
    work = pd.DataFrame({"USUBJID": frame["USUBJID"].to_numpy(), dtc: frame[dtc].to_numpy()},
                        index=frame.index)
    out = derive_vars_dt(work, "__D", dtc, highest_imputation="n", flag_imputation=False,
                         dataset_name=dataset_name)
    return out["__DDT"].rename(new_var)


def follow_up_days(spec: Spec) -> int:
    """End of follow-up in days after RANDDT: 7 x the study's follow_up_weeks (48 weeks)."""
    return 7 * int(required_convention(spec.study.conventions, "follow_up_weeks"))


def adam_convention(spec: Spec, dataset: str, key: str) -> Any:
    """An analysis convention of an ADaM dataset spec (``conventions:`` in specs/adam/<name>.yaml).

    Raises SpecError naming the dataset and key when the spec does not state it.
    """
    conventions = spec.dataset(dataset).conventions
    if key not in conventions:
        raise SpecError([Issue(rule="adam.convention-missing", dataset=dataset, column=key,
                               message=f"specs/adam/{dataset.lower()}.yaml states no convention {key}",
                               expected=f"conventions: {{{key}: ...}}")])
    return conventions[key]


def period_boundary(spec: Spec, dataset: str) -> tuple[str, str]:
    """(observation_without_time, element_start_without_time) of APERIOD in an ADaM dataset: the
    SDTM EPOCH rule (study.yaml ``conventions.epoch_boundary``) for the observation class the
    dataset's ``epoch_boundary_class`` convention names (FINDINGS for ADLB, EVENTS for ADAE)."""
    observation_class = str(adam_convention(spec, dataset, "epoch_boundary_class"))
    try:
        return boundary_rule(spec.study.conventions, observation_class)
    except KeyError as err:
        raise SpecError([Issue(rule="adam.convention-missing", dataset=dataset, column="epoch_boundary_class",
                               value=observation_class, message=str(err.args[0]),
                               expected="a class of study.yaml conventions.epoch_boundary.observation_without_time")]
                        ) from None


def _term_orders(spec: Spec, codelist_oid: str) -> dict[str, float]:
    """Submission value -> ``order`` of each term of a codelist whose terms must all be ordered.

    Raises SpecError naming the terms that have no ``order``.
    """
    codelist = spec.codelists[codelist_oid]
    unordered = [t.submission_value for t in codelist.terms if t.order is None]
    if unordered:
        raise SpecError([Issue(rule="adam.term-order-missing", row=value, column="order",
                               message=f"term of {codelist_oid} has no order", expected="an integer order")
                         for value in unordered])
    return {t.submission_value: float(t.order) for t in codelist.terms if t.order is not None}


def treatment_number(spec: Spec, values: pd.Series) -> pd.Series:
    """TRTxxPN/TRTxxAN/TRTPN/TRTAN: the ``order`` of the treatment's term in CL.TRT."""
    return values.map(_term_orders(spec, TREATMENT_CODELIST)).astype(float)


def _iso_day(value: object) -> str:
    """YYYY-MM-DD of a non-missing datetime64 cell (a Timestamp when read from itertuples)."""
    if not isinstance(value, pd.Timestamp):  # NaT is not a Timestamp
        raise TypeError(f"expected a date, got {value!r}")
    return value.date().isoformat()


def _match_term(codelist: Codelist, text: str | float | NAType | None) -> str | None:
    """The submission value of the term ``text`` names (value, decode or synonym; case-insensitive)."""
    if text is None or (not isinstance(text, str) and pd.isna(text)):
        return None
    key = " ".join(str(text).split()).casefold()
    for term in codelist.terms:
        names = [term.submission_value, term.decode or "", *term.synonyms]
        if key in {" ".join(str(n).split()).casefold() for n in names}:
            return term.submission_value
    return None


def _issue(rule: str, usubjid: object, message: str, *, column: str | None = None, value: object = None,
           expected: str | None = None, dataset: str = "ADSL") -> Issue:
    return Issue(rule=rule, dataset=dataset, row=f"USUBJID={usubjid}", column=column, value=value,
                 message=message, expected=expected)


# ----------------------------------------------------------------------------------------------
# Period treatments from the trial design
# ----------------------------------------------------------------------------------------------
def planned_period_treatments(spec: Spec) -> dict[str, tuple[str | None, str | None]]:
    """ARMCD -> (TRT01P, TRT02P) from the trial arms (TA) and elements (TE).

    The treatment of a period is the CL.TRT term that begins the name of the arm's element in
    epoch TREATMENT 1 (stage 1) or TREATMENT 2 (stage 2), e.g. element "hUC-MSC stage 1" ->
    "hUC-MSC". A partial multi-stage arm that is not in TA (MSC, "hUC-MSC x3") takes the
    stage-1 treatment of the TA arms whose ARM begins with its ARM and no stage-2 treatment.
    """
    codelist = spec.codelists[TREATMENT_CODELIST]
    elements = {e.etcd: e.element for e in spec.study.elements}

    def element_treatment(etcd: str) -> str:
        name = " ".join(elements[etcd].split()).casefold()
        hits = [t.submission_value for t in codelist.terms if name.startswith(t.submission_value.casefold())]
        if len(hits) != 1:
            raise DerivationError(Issue(
                rule="adam.element-treatment-unknown", dataset="TE", row=f"ETCD={etcd}", column="ELEMENT",
                value=elements[etcd], message="cannot tell the treatment of a treatment element",
                expected=f"an element name beginning with one of {list(codelist.values)}"))
        return hits[0]

    table: dict[str, tuple[str | None, str | None]] = {}
    for arm in spec.study.arms:
        rows = [r for r in spec.study.trial_arms if r.get("ARMCD") == arm.armcd]
        stage = {epoch: next((element_treatment(r["ETCD"]) for r in rows if r.get("EPOCH") == epoch), None)
                 for epoch in (STAGE_1_EPOCH, STAGE_2_EPOCH)}
        if rows:
            table[arm.armcd] = (stage[STAGE_1_EPOCH], stage[STAGE_2_EPOCH])
    arm_names = {a.armcd: a.arm for a in spec.study.arms}
    for arm in spec.study.arms:
        if arm.armcd in table:
            continue
        parents = {table[cd][0] for cd in table if arm_names[cd].startswith(arm.arm + ",")}
        table[arm.armcd] = (parents.pop() if len(parents) == 1 else None, None)
    return table


# ----------------------------------------------------------------------------------------------
# Step 1: ADSL from SDTM
# ----------------------------------------------------------------------------------------------
def _randomization_dates(ds: pd.DataFrame, subjects: pd.Series) -> pd.DataFrame:
    """RANDDT (DS RANDOMIZED) and RAND2DT (DS RE-RANDOMIZED): one complete date each at most."""
    ms = ds[(ds["DSCAT"] == "PROTOCOL MILESTONE") & ds["DSDECOD"].isin(["RANDOMIZED", "RE-RANDOMIZED"])]
    ms = ms.assign(__DT=iso_to_date(ms, "DSSTDTC", "__DT", dataset_name="DS"))
    issues = []
    keys = [ms["USUBJID"], ms["DSDECOD"]]
    several = ms.groupby(keys, sort=True).size() > 1
    undated = ms["__DT"].isna().groupby(keys, sort=True).any()
    for usubjid, decod in several.index[(several | undated).to_numpy()]:  # only the broken groups
        group = ms[(ms["USUBJID"] == usubjid).to_numpy() & (ms["DSDECOD"] == decod).to_numpy()]
        issues.append(_issue("adam.randomization-date", usubjid,
                             f"{decod} needs exactly one DS record with a complete DSSTDTC",
                             column="DSSTDTC", value=", ".join(map(str, group["DSSTDTC"])),
                             expected="one complete date", dataset="DS"))
    if issues:
        raise DerivationError(issues)
    wide = ms.pivot(index="USUBJID", columns="DSDECOD", values="__DT")
    out = pd.DataFrame({"USUBJID": subjects.to_numpy()})
    for decod, var in (("RANDOMIZED", "RANDDT"), ("RE-RANDOMIZED", "RAND2DT")):
        values = wide[decod] if decod in wide.columns else pd.Series(dtype="datetime64[ns]")  # nobody yet
        out[var] = map_by(out["USUBJID"], values).astype("datetime64[ns]")
    return out


def map_by(keys: pd.Series, values: pd.Series) -> pd.Series:
    """``keys.map(values)``, also when ``values`` is empty (no subject had one): all missing, of
    ``values``' dtype (pandas maps by an empty Series as by floats, which a date cannot become).

    >>> map_by(pd.Series(["S1"]), pd.Series([], dtype="datetime64[ns]")).dtype
    dtype('<M8[ns]')
    """
    if len(values):
        return keys.map(values)
    return pd.Series(None, index=keys.index, dtype=values.dtype)


def _exposure(ex: pd.DataFrame, rand: pd.DataFrame, spec: Spec) -> pd.DataFrame:
    """First/last infusion overall and per stage, and the actual treatment per stage."""
    given = ex.copy()
    if "EXOCCUR" in given.columns:
        given = given[given["EXOCCUR"].fillna("Y") != "N"]
    given = given.assign(
        __ST=iso_to_date(given, "EXSTDTC", "__ST", dataset_name="EX"),
        __EN=(iso_to_date(given, "EXENDTC", "__EN", dataset_name="EX") if "EXENDTC" in given
              else pd.Series(pd.NaT, index=given.index, dtype="datetime64[ns]")),
    )
    given["__EN"] = given["__EN"].fillna(given["__ST"])
    # first-dose datetimes: only from an EXSTDTC with a time (a date-only start leaves TRxxSDTM empty)
    text = given["EXSTDTC"].fillna("").astype(str).str.strip()
    given["__STM"] = pd.to_datetime(text.where(text.str.len() >= 16).str.slice(0, 16), format="ISO8601",
                                    errors="coerce").astype("datetime64[ns]")
    given = given[given["__ST"].notna()].merge(rand[["USUBJID", "RAND2DT"]], on="USUBJID", how="left")
    given["__PER"] = np.where(given["RAND2DT"].notna() & (given["__ST"] >= given["RAND2DT"]), 2, 1)
    codelist = spec.codelists[TREATMENT_CODELIST]
    given["__TRT"] = map_distinct(given["EXTRT"], lambda v: _match_term(codelist, v))
    unknown = given[given["__TRT"].isna()]
    if len(unknown):
        raise DerivationError([
            _issue("adam.extrt-unknown", r.USUBJID, "EXTRT is not a treatment of CL.TRT", column="EXTRT",
                   value=r.EXTRT, expected=f"one of {list(codelist.values)}", dataset="EX")
            for r in unknown.drop_duplicates(["USUBJID", "EXTRT"]).itertuples()])
    active = codelist.values[0]  # hUC-MSC: any active infusion in a stage makes it the actual one
    out = rand[["USUBJID"]].copy()
    by_subject = given.groupby("USUBJID")
    out["TRTSDT"] = map_by(out["USUBJID"], by_subject["__ST"].min())
    out["TRTEDT"] = map_by(out["USUBJID"], by_subject["__EN"].max())
    out["TRTSDTM"] = map_by(out["USUBJID"], _first_dose_datetime(given))
    for per in (1, 2):
        stage = given[given["__PER"] == per]
        part = stage.groupby("USUBJID")
        out[f"TR0{per}SDT"] = map_by(out["USUBJID"], part["__ST"].min())
        out[f"TR0{per}EDT"] = map_by(out["USUBJID"], part["__EN"].max())
        out[f"TR0{per}SDTM"] = map_by(out["USUBJID"], _first_dose_datetime(stage))
        out[f"TR0{per}INFN"] = out["USUBJID"].map(part.size()).fillna(0).astype(float)
        any_active = (stage["__TRT"] == active).groupby(stage["USUBJID"]).any()
        trt = part["__TRT"].first().where(~any_active, active)  # __TRT is never missing (checked above)
        out[f"TRT0{per}A"] = out["USUBJID"].map(trt).astype(object)
    for col in ("TRTSDT", "TRTEDT", "TR01SDT", "TR01EDT", "TR02SDT", "TR02EDT", "TRTSDTM", "TR01SDTM", "TR02SDTM"):
        out[col] = out[col].astype("datetime64[ns]")
    return out


def _first_dose_datetime(given: pd.DataFrame) -> pd.Series:
    """Per subject, the datetime of the first infusion, when that infusion's EXSTDTC has a time."""
    if given.empty:
        return pd.Series(dtype="datetime64[ns]")
    first = given.sort_values(["USUBJID", "__ST", "__STM"], kind="mergesort").drop_duplicates("USUBJID")
    return first.set_index("USUBJID")["__STM"]


def _last_alive(sdtm: Mapping[str, pd.DataFrame], adsl: pd.DataFrame) -> pd.Series:
    """LSTALVDT: latest complete date the subject was seen alive; DTHDT for subjects who died."""
    sources = [("SV", "SVSTDTC", None), ("SV", "SVENDTC", None), ("EX", "EXSTDTC", None),
               ("EX", "EXENDTC", None), ("LB", "LBDTC", None), ("RS", "RSDTC", None),
               ("AE", "AESTDTC", None), ("AE", "AEENDTC", None), ("PR", "PRSTDTC", None),
               ("DS", "DSSTDTC", "DSDECOD not in ('DEATH', 'LOST TO FOLLOW-UP')")]
    dates = []
    for domain, dtc, query in sources:
        frame = sdtm.get(domain)
        if frame is None or dtc not in frame.columns or frame.empty:
            continue
        if query:
            frame = frame.query(query, engine="python")
        dates.append(pd.DataFrame({"USUBJID": frame["USUBJID"].to_numpy(),
                                   "D": iso_to_date(frame, dtc, "D", dataset_name=domain).to_numpy()}))
    alive = pd.concat(dates, ignore_index=True).dropna().groupby("USUBJID")["D"].max()
    seen = pd.concat([adsl["USUBJID"].map(alive).astype("datetime64[ns]"), adsl["RANDDT"], adsl["TRTEDT"]],
                     axis=1).max(axis=1)
    return adsl["DTHDT"].where(adsl["DTHFL"] == "Y", seen).astype("datetime64[ns]")


def _end_of_study(ds: pd.DataFrame, subjects: pd.Series) -> pd.DataFrame:
    per_stage = ds["DSSCAT"].eq("STUDY TREATMENT") if "DSSCAT" in ds.columns else pd.Series(False, index=ds.index)
    disp = ds[(ds["DSCAT"] == "DISPOSITION EVENT") & ~per_stage]  # end of study, not the treatment dispositions
    disp = disp.assign(__DT=iso_to_date(disp, "DSSTDTC", "__DT", dataset_name="DS"))
    dup = disp[disp.duplicated("USUBJID", keep=False)]
    if len(dup):
        raise DerivationError([
            _issue("adam.disposition-duplicate", u, "more than one study disposition event", column="DSDECOD",
                   value=", ".join(map(str, g["DSDECOD"])), expected="one DISPOSITION EVENT record", dataset="DS")
            for u, g in dup.groupby("USUBJID")])
    disp = disp.set_index("USUBJID")
    decod = subjects.map(disp["DSDECOD"])
    out = pd.DataFrame({"USUBJID": subjects.to_numpy()})
    out["EOSSTT"] = np.where(decod.isna(), "ONGOING", np.where(decod == "COMPLETED", "COMPLETED", "DISCONTINUED"))
    out["EOSDT"] = subjects.map(disp["__DT"]).astype("datetime64[ns]").to_numpy()
    out["DCSREAS"] = decod.where(decod.notna() & (decod != "COMPLETED"), None).astype(object).to_numpy()
    return out


def _transplant(pr: pd.DataFrame | None, subjects: pd.Series) -> pd.DataFrame:
    out = pd.DataFrame({"USUBJID": subjects.to_numpy()})
    if pr is None or pr.empty:
        out["LTXDT"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    else:
        ltx = pr[pr["PRTRT"] == "LIVER TRANSPLANTATION"]
        dates = iso_to_date(ltx, "PRSTDTC", "D", dataset_name="PR")
        missing = ltx[dates.isna()]
        if len(missing):
            raise DerivationError([
                _issue("adam.transplant-date-missing", r.USUBJID, "a liver transplant has no complete date",
                       column="PRSTDTC", value=r.PRSTDTC, expected="YYYY-MM-DD", dataset="PR")
                for r in missing.itertuples()])
        dated = pd.DataFrame({"USUBJID": ltx["USUBJID"].to_numpy(), "D": dates.to_numpy()})
        first = dated.groupby("USUBJID")["D"].min()
        out["LTXDT"] = out["USUBJID"].map(first).astype("datetime64[ns]")
    out["LTXFL"] = np.where(out["LTXDT"].notna(), "Y", "N")
    return out


def build_adsl_core(sdtm: Mapping[str, pd.DataFrame], spec: Spec) -> pd.DataFrame:
    """ADSL variables that come from SDTM (everything except the lab baselines).

    Raises DerivationError (listing every subject) when a death or transplant date lies before
    randomization, a randomization date is missing or duplicated, or an exposure treatment is
    unknown: the build stops rather than analyse a wrong date.
    """
    dm, ds = sdtm["DM"], sdtm["DS"]
    randomized = ds.loc[(ds["DSCAT"] == "PROTOCOL MILESTONE") & (ds["DSDECOD"] == "RANDOMIZED"), "USUBJID"]
    adsl = dm[dm["USUBJID"].isin(set(randomized))].loc[:, [*DM_COPIES, "DTHFL", "DTHDTC"]].copy()
    adsl = adsl.sort_values("USUBJID", kind="mergesort").reset_index(drop=True)
    subjects = adsl["USUBJID"]

    # age group: below the study's cut-off the first CL.AGEGR1 term (by order), else the second
    orders = _term_orders(spec, AGE_GROUP_CODELIST)
    below, above = sorted(orders, key=orders.__getitem__)[:2]
    cutoff = float(required_convention(spec.study.conventions, "age_group_cutoff"))
    adsl["AGEGR1"] = np.where(pd.to_numeric(adsl["AGE"]) < cutoff, below, above)
    adsl.loc[adsl["AGE"].isna(), "AGEGR1"] = None
    adsl["AGEGR1N"] = adsl["AGEGR1"].map(_term_orders(spec, AGE_GROUP_CODELIST)).astype(float)

    # planned treatments per stage from the arm
    table = planned_period_treatments(spec)
    unknown = adsl[~adsl["ARMCD"].isin(table)]
    if len(unknown):
        raise DerivationError([_issue("adam.armcd-unknown", r.USUBJID, "ARMCD is not an arm of the study",
                                      column="ARMCD", value=r.ARMCD, expected=f"one of {sorted(table)}")
                               for r in unknown.itertuples()])
    adsl["TRT01P"] = adsl["ARMCD"].map(lambda a: table[a][0]).astype(object)
    adsl["TRT02P"] = adsl["ARMCD"].map(lambda a: table[a][1]).astype(object)

    rand = _randomization_dates(ds, subjects)
    adsl = adsl.merge(rand, on="USUBJID", how="left")
    adsl = adsl.merge(_exposure(sdtm["EX"], rand, spec), on="USUBJID", how="left")
    for var in ("TRT01P", "TRT01A", "TRT02P", "TRT02A"):
        adsl[f"{var}N"] = treatment_number(spec, adsl[var])

    adsl = derive_vars_ap_dates(adsl, end_window=follow_up_days(spec))
    separator = str(adam_convention(spec, "ADSL", "trtseq_separator"))
    adsl = derive_var_trtseq(adsl, ["TRT01P", "TRT02P"], "TRTSEQP", separator=separator)
    adsl = derive_var_trtseq(adsl, ["TRT01A", "TRT02A"], "TRTSEQA", separator=separator)
    adsl["RANDFL"] = np.where(adsl["RANDDT"].notna(), "Y", "N")
    adsl["ITTFL"] = np.where(adsl["RANDDT"].notna(), "Y", "N")
    adsl["SAFFL"] = np.where(adsl["TRTSDT"].notna(), "Y", "N")
    adsl["RAND2FL"] = np.where(adsl["RAND2DT"].notna(), "Y", "N")

    adsl["DTHDT"] = iso_to_date(adsl, "DTHDTC", "DTHDT", dataset_name="DM")
    adsl["DTHFL"] = adsl["DTHFL"].where(adsl["DTHFL"] == "Y", None)
    adsl = adsl.merge(_transplant(sdtm.get("PR"), subjects), on="USUBJID", how="left")
    adsl = adsl.merge(_end_of_study(ds, subjects), on="USUBJID", how="left")

    issues = []
    for r in adsl[(adsl["DTHFL"] == "Y") & adsl["DTHDT"].isna()].itertuples():
        issues.append(_issue("adam.death-date-missing", r.USUBJID, "subject died but DTHDTC is not a complete date",
                             column="DTHDTC", value=r.DTHDTC, expected="YYYY-MM-DD"))
    for var, what in (("DTHDT", "death"), ("LTXDT", "liver transplant")):
        for r in adsl[(adsl[var] < adsl["RANDDT"]).fillna(False)].itertuples():
            day, rand_day = _iso_day(getattr(r, var)), _iso_day(r.RANDDT)
            issues.append(_issue(f"adam.{var.lower()}-before-randomization", r.USUBJID,
                                 f"{what} date {day} is before randomization (RANDDT {rand_day})",
                                 column=var, value=day, expected=f">= {rand_day}"))
    for r in adsl[(adsl["RAND2DT"] < adsl["RANDDT"]).fillna(False)].itertuples():
        issues.append(_issue("adam.rand2dt-before-randdt", r.USUBJID, "stage-2 randomization before stage 1",
                             column="RAND2DT", value=_iso_day(r.RAND2DT), expected=f"> {_iso_day(r.RANDDT)}"))
    if issues:
        raise DerivationError(issues)

    adsl["LSTALVDT"] = _last_alive(sdtm, adsl)
    for var in BASELINE_VARS:
        adsl[var] = np.nan
    adsl["CTPCLBL"] = None
    return adsl.drop(columns=["DTHDTC"])


# ----------------------------------------------------------------------------------------------
# Step 2: baselines from ADLB
# ----------------------------------------------------------------------------------------------
def add_baselines(adsl: pd.DataFrame, adlb: pd.DataFrame, spec: Spec, basetype: str | None = None) -> pd.DataFrame:
    """Fill TBILBL ... CTPBL from the ADLB record with ABLFL = "Y" (of ``basetype`` when ADLB has
    BASETYPE rows: the stage-1 baseline); CTPCLBL = class of CTPBL."""
    base = adlb[(adlb["ABLFL"] == "Y").to_numpy()
                & ((adlb["BASETYPE"] == basetype).to_numpy() if basetype is not None else True)]
    out = adsl.copy()
    for var, (paramcd, value_var) in BASELINE_VARS.items():
        rows = base[base["PARAMCD"] == paramcd].set_index("USUBJID")[value_var]
        out[var] = out["USUBJID"].map(rows).astype(float)
    out["CTPCLBL"] = compute_ctp_class(out["CTPBL"], ctp=ctp_convention(spec.study.conventions))
    return out
