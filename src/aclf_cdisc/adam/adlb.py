"""ADLB: BDS laboratory analysis dataset (TBIL, INR, ALB, BUN, CREAT, SODIUM; MELD, MELD-Na, CTP).

Collected parameters come from LB (LBSTRESN in LBSTRESU, converted to the study's standard
unit when LB carries another); PARAMCD/PARAM come from the codelists CL.PARAMCD.ADLB (whose
synonyms name the source LBTESTCD) and CL.PARAM.ADLB. Derived parameters (PARAMTYP DERIVED) are
built with derive_param_computed from components on the same date; CTP adds the RS ascites
(CPS0102) and hepatic encephalopathy (WHEG0101) assessments of that date. Rules: methods.yaml
MT.ADLB.*.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from aclf_cdisc.adam.adsl import follow_up_days, iso_to_date, treatment_number
from aclf_cdisc.adam.derivations import (
    compute_ctp_score,
    compute_meld,
    compute_meld_na,
    compute_unit_conversions,
    derive_param_computed,
    derive_var_ablfl,
    derive_var_anrind,
    derive_vars_avisit_windows,
    derive_vars_base_chg_pchg,
    derive_vars_dy,
    derive_vars_period,
)
from aclf_cdisc.errors import DerivationError, Issue
from aclf_cdisc.spec.model import Spec

PARAMCD_CODELIST = "CL.PARAMCD.ADLB"
PARAM_CODELIST = "CL.PARAM.ADLB"
COLLECTED = ("TBIL", "INR", "ALB", "BUN", "CREAT", "SODIUM")
ASCITES_TESTCD, HE_TESTCD = "CPS0102", "WHEG0101"
#: RS ascites results (CPS0102 original result) -> the CTP ascites grade compute_ctp_points reads.
ASCITES_GRADES = {"ABSENT": "NONE", "SLIGHT": "MILD", "MODERATE": "MODERATE-SEVERE"}
CONVERTIBLE = {"TBIL": "BILI", "CREAT": "CREAT", "ALB": "ALB"}  # PARAMCD -> compute_unit_conversions test
PERIOD_LABELS = {1: "STAGE 1", 2: "STAGE 2"}
MELD_FLOOR = 1.0  # mg/dL: MELD sets creatinine, bilirubin and INR below 1.0 to 1.0 (MT.ADLB.MELD)
ADSL_VARS = ("STUDYID", "USUBJID", "SUBJID", "SITEID", "AGE", "SEX", "RACE", "SAFFL", "ITTFL",
             "TRT01P", "TRT01PN", "TRT01A", "TRT01AN", "TRT02P", "TRT02A", "TRTSDT", "TRTEDT",
             "TR01SDT", "TR01EDT", "TR02SDT", "TR02EDT", "TRT02AN")


def _paramcd_of_testcd(spec: Spec) -> dict[str, str]:
    out = {}
    for term in spec.codelists[PARAMCD_CODELIST].terms:
        if term.submission_value in COLLECTED:
            for source in (term.submission_value, *term.synonyms):
                out[str(source)] = term.submission_value
    return out


def _params(spec: Spec) -> dict[str, str]:
    """PARAMCD -> PARAM: the PARAMCD term's decode equals a CL.PARAM.ADLB value."""
    return {t.submission_value: t.decode or t.submission_value for t in spec.codelists[PARAMCD_CODELIST].terms}


def _standard_units(spec: Spec, paramcd_of: Mapping[str, str]) -> dict[str, str]:
    units = spec.study.conventions.get("lab_units", {})
    return {paramcd_of[testcd]: str(cfg["standard"]) for testcd, cfg in units.items() if testcd in paramcd_of}


def _to_standard(rows: pd.DataFrame, column: str, paramcd: str, standard: str | None) -> np.ndarray:
    """Values of ``column`` in the standard unit; LBSTRESU already standard: unchanged."""
    values = pd.to_numeric(rows[column], errors="coerce").to_numpy(dtype=float)
    units = rows["LBSTRESU"].fillna("").astype(str).str.strip()
    same = units.str.casefold().to_numpy() == (standard or "").casefold()
    if standard in ("RATIO", None):
        same |= units.eq("").to_numpy()
    out = np.where(same, values, np.nan)
    other = ~same & ~np.isnan(values)
    if other.any():
        if paramcd not in CONVERTIBLE:
            bad = rows[other]
            raise DerivationError([
                Issue(rule="adam.unit-unknown", dataset="LB", row=f"USUBJID={r.USUBJID}, LBSEQ={r.LBSEQ}",
                      column="LBSTRESU", value=r.LBSTRESU, message=f"no conversion of {paramcd} from this unit",
                      expected=standard) for r in bad.itertuples()])
        out[other] = compute_unit_conversions(values[other], units.to_numpy()[other], CONVERTIBLE[paramcd])
    return out


def _collected(lb: pd.DataFrame, spec: Spec) -> pd.DataFrame:
    paramcd_of = _paramcd_of_testcd(spec)
    units = _standard_units(spec, paramcd_of)
    rows = lb[lb["LBTESTCD"].isin(paramcd_of)].copy()
    rows["PARAMCD"] = rows["LBTESTCD"].map(paramcd_of)
    rows["AVAL"] = np.nan
    rows["ANRLO"] = np.nan
    rows["ANRHI"] = np.nan
    for key, part in rows.groupby("PARAMCD"):
        paramcd = str(key)
        rows.loc[part.index, "AVAL"] = _to_standard(part, "LBSTRESN", paramcd, units.get(paramcd))
        for src, dst in (("LBSTNRLO", "ANRLO"), ("LBSTNRHI", "ANRHI")):
            if src in part.columns:
                rows.loc[part.index, dst] = _to_standard(part, src, paramcd, units.get(paramcd))
    rows["BLQLIM"] = _below_limit(rows, units)
    rows["ADT"] = iso_to_date(rows, "LBDTC", "ADT", dataset_name="LB")
    rows["SRCDOM"], rows["SRCVAR"] = "LB", "LBSTRESN"
    rows["SRCSEQ"] = pd.to_numeric(rows["LBSEQ"]).astype(float)
    rows["PARAMTYP"] = None
    return rows[["STUDYID", "USUBJID", "PARAMCD", "AVAL", "ANRLO", "ANRHI", "ADT", "SRCDOM", "SRCVAR",
                 "SRCSEQ", "PARAMTYP", "LBDTC", "BLQLIM"]]


def _below_limit(rows: pd.DataFrame, units: Mapping[str, str]) -> np.ndarray:
    """For results reported as "<x" (LBSTRESC), x in the study's standard unit; NaN otherwise."""
    out = np.full(len(rows), np.nan)
    if "LBSTRESC" not in rows.columns:
        return out
    text = rows["LBSTRESC"].fillna("").astype(str).str.strip()
    limit = text.str.extract(r"^<\s*([0-9]*\.?[0-9]+)$", expand=False)
    censored = limit.notna() & pd.to_numeric(rows["LBSTRESN"], errors="coerce").isna()
    if not censored.any():
        return out
    part = rows[censored.to_numpy()].assign(_LIM=limit[censored])
    for paramcd, group in part.groupby("PARAMCD"):
        where = rows.index.get_indexer(group.index)
        out[where] = _to_standard(group, "_LIM", str(paramcd), units.get(str(paramcd)))
    return out


def _meld_creatinine(collected: pd.DataFrame) -> pd.DataFrame:
    """Creatinine components for MELD: the result, or 1.0 mg/dL when it was reported as "<x" with
    x <= 1.0 mg/dL (MELD sets every creatinine below 1.0 to 1.0, so the score is fully determined)."""
    creat = collected[collected["PARAMCD"] == "CREAT"]
    floored = creat["AVAL"].isna() & (creat["BLQLIM"] <= MELD_FLOOR)
    return creat[creat["AVAL"].notna() | floored].assign(AVAL=creat["AVAL"].where(~floored, MELD_FLOOR))


def _assessments(rs: pd.DataFrame | None) -> pd.DataFrame:
    """Ascites and hepatic encephalopathy grades from RS, one column of component records."""
    cols = ["STUDYID", "USUBJID", "PARAMCD", "AVALC", "ADT", "SRCSEQ"]
    if rs is None or rs.empty:
        return pd.DataFrame(columns=cols)
    part = rs[rs["RSTESTCD"].isin([ASCITES_TESTCD, HE_TESTCD])].copy()
    text = part["RSORRES"].fillna("").astype(str).str.strip().str.upper()
    std = part["RSSTRESC"].fillna("").astype(str).str.strip().str.upper() if "RSSTRESC" in part else text
    ascites = text.map(ASCITES_GRADES)
    he = std.str.extract(r"(\d)$", expand=False).astype(float)
    part["AVALC"] = np.where(part["RSTESTCD"] == ASCITES_TESTCD, ascites, he).astype(object)
    part["PARAMCD"] = np.where(part["RSTESTCD"] == ASCITES_TESTCD, "ASCITES", "HE")
    unknown = part[text.ne("") & pd.isna(part["AVALC"])]
    if len(unknown):
        raise DerivationError([
            Issue(rule="adam.ctp-grade-unknown", dataset="RS", row=f"USUBJID={r.USUBJID}, RSSEQ={r.RSSEQ}",
                  column="RSORRES", value=r.RSORRES, message=f"{r.RSTESTCD} result is not a known grade",
                  expected="absent/slight/moderate (CPS0102) or GRADE 0-4 (WHEG0101)")
            for r in unknown.itertuples()])
    part["ADT"] = iso_to_date(part, "RSDTC", "ADT", dataset_name="RS")
    part["SRCSEQ"] = pd.to_numeric(part["RSSEQ"]).astype(float)
    return part[part["AVALC"].notna()][cols]


def _one_per_date(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """Component records for derived parameters: on a date with several results of a component,
    the last collected one (latest --DTC, then highest --SEQ) is used."""
    keyed = frame.assign(__T=frame.get("LBDTC", pd.Series("", index=frame.index)).fillna("").astype(str))
    keyed = keyed.sort_values([*by, "__T", "SRCSEQ"], kind="mergesort")
    return keyed.drop_duplicates(by, keep="last").drop(columns="__T")


def _derived(collected: pd.DataFrame, assessments: pd.DataFrame) -> pd.DataFrame:
    by = ["STUDYID", "USUBJID", "ADT"]
    usable = pd.concat([collected[(collected["PARAMCD"] != "CREAT") & collected["AVAL"].notna()],
                        _meld_creatinine(collected)])
    comps = _one_per_date(usable[usable["ADT"].notna()], [*by, "PARAMCD"])[[*by, "PARAMCD", "AVAL"]]
    comps = comps.assign(AVALC=None)
    grades = _one_per_date(assessments[assessments["ADT"].notna()], [*by, "PARAMCD"])[[*by, "PARAMCD", "AVALC"]]
    work = pd.concat([comps, grades.assign(AVAL=np.nan)], ignore_index=True)
    work = derive_param_computed(
        work, ["CREAT", "TBIL", "INR"], lambda d: compute_meld(d["CREAT"], d["TBIL"], d["INR"]),
        {"PARAMCD": "MELD"}, by_vars=by, dataset_name="ADLB")
    work = derive_param_computed(
        work, ["MELD", "SODIUM"], lambda d: compute_meld_na(d["MELD"], d["SODIUM"]),
        {"PARAMCD": "MELDNA"}, by_vars=by, dataset_name="ADLB")
    work = derive_param_computed(
        work, ["TBIL", "ALB", "INR", "ASCITES", "HE"],
        lambda d: compute_ctp_score(d["TBIL"], d["ALB"], d["INR"], d["ASCITES"], d["HE"]),
        {"PARAMCD": "CTP"}, by_vars=by, value_vars={"ASCITES": "AVALC", "HE": "AVALC"}, dataset_name="ADLB")
    derived = work[work["PARAMCD"].isin(["MELD", "MELDNA", "CTP"])].copy()
    derived["SRCDOM"] = derived["SRCVAR"] = None
    derived["SRCSEQ"] = np.nan
    derived["ANRLO"] = derived["ANRHI"] = np.nan
    derived["PARAMTYP"] = "DERIVED"
    return derived.drop(columns="AVALC")


def analysis_windows(spec: Spec) -> pd.DataFrame:
    """AVISIT windows from the trial visits: target VISITDY, study-day window [low, high]."""
    rows = [{"AVISIT": v.visit.upper(), "AVISITN": float(v.visitnum),
             "TARGET": v.visitdy if v.visitdy is not None else v.window_high,
             "LOW": v.window_low, "HIGH": v.window_high}
            for v in spec.study.visits if v.window_low is not None and v.window_high is not None]
    return pd.DataFrame(rows)


def build_adlb(sdtm: Mapping[str, pd.DataFrame], adsl: pd.DataFrame, spec: Spec) -> pd.DataFrame:
    """ADLB records (before spec conformance) for the subjects of ADSL."""
    lb = sdtm["LB"][sdtm["LB"]["USUBJID"].isin(set(adsl["USUBJID"]))]
    collected = _collected(lb, spec)
    rs = sdtm.get("RS")
    assessments = _assessments(rs[rs["USUBJID"].isin(set(adsl["USUBJID"]))] if rs is not None else None)
    adlb = pd.concat([collected.drop(columns=["LBDTC", "BLQLIM"]), _derived(collected, assessments)],
                     ignore_index=True)
    params = _params(spec)
    adlb["PARAM"] = adlb["PARAMCD"].map(params)
    order = {t.submission_value: float(t.order or i + 1)
             for i, t in enumerate(spec.codelists[PARAMCD_CODELIST].terms)}
    adlb["PARAMN"] = adlb["PARAMCD"].map(order)

    adlb = adlb.merge(adsl[list(ADSL_VARS)], on=["STUDYID", "USUBJID"], how="left")
    adlb = derive_vars_dy(adlb, "TRTSDT", ["ADT"], dataset_name="ADLB")
    adlb["ADY"] = adlb["ADY"].astype(float)
    adlb = derive_vars_avisit_windows(adlb, analysis_windows(spec), tie_order=("SRCSEQ",), dataset_name="ADLB")
    adlb = derive_var_ablfl(adlb, order=("ADT", "SRCSEQ"), dataset_name="ADLB")
    adlb = derive_vars_base_chg_pchg(adlb, dataset_name="ADLB")
    adlb = derive_var_anrind(adlb, dataset_name="ADLB")
    adlb = derive_vars_period(adlb, adsl, date="ADT", end_window=follow_up_days(spec),
                              period_labels=PERIOD_LABELS, dataset_name="ADLB")
    adlb["APERIOD"] = adlb["APERIOD"].astype(float)
    adlb["TRTAN"] = treatment_number(spec, adlb["TRTA"])
    adlb = adlb.sort_values(["USUBJID", "PARAMN", "ADT", "SRCSEQ"], kind="mergesort", na_position="last")
    adlb["ASEQ"] = adlb.groupby("USUBJID").cumcount().astype(float) + 1
    return adlb.reset_index(drop=True)

