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

from aclf_cdisc.adam.adsl import adam_convention, follow_up_days, iso_to_date, period_boundary, treatment_number
from aclf_cdisc.adam.derivations import (
    compute_ctp_score,
    compute_meld,
    compute_meld_na,
    convert_to_unit,
    derive_param_computed,
    derive_var_ablfl,
    derive_var_anrind,
    derive_var_extreme_flag,
    derive_vars_avisit_windows,
    derive_vars_base_chg_pchg,
    derive_vars_dy,
    derive_vars_period,
    on_or_after_start,
)
from aclf_cdisc.errors import DerivationError, Issue
from aclf_cdisc.sdtm.text import by_distinct_text, map_distinct
from aclf_cdisc.spec.conventions import ctp_convention, grade_key, meld_convention, meld_na_convention
from aclf_cdisc.spec.model import Spec

PARAMCD_CODELIST = "CL.PARAMCD.ADLB"
PARAM_CODELIST = "CL.PARAM.ADLB"
COLLECTED = ("TBIL", "INR", "ALB", "BUN", "CREAT", "SODIUM")
ASCITES_TESTCD, HE_TESTCD = "CPS0102", "WHEG0101"
PERIOD_LABELS = {1: "STAGE 1", 2: "STAGE 2"}
ADSL_VARS = ("STUDYID", "USUBJID", "SUBJID", "SITEID", "AGE", "SEX", "RACE", "SAFFL", "ITTFL",
             "TRT01P", "TRT01PN", "TRT01A", "TRT01AN", "TRT02P", "TRT02A", "TRTSDT", "TRTEDT",
             "TR01SDT", "TR01EDT", "TR02SDT", "TR02EDT", "TRT02AN")
#: ADSL period starts the boundary rule reads (not kept in ADLB)
PERIOD_STARTS = ("TR01SDTM", "TR02SDTM")
#: the components of each derived parameter (ADLB PARAMCDs; CTP adds the RS grades)
MELD_INPUTS, MELDNA_INPUTS, CTP_INPUTS = ("CREAT", "TBIL", "INR"), ("MELD", "SODIUM"), ("TBIL", "ALB", "INR")


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


def analysis_units(spec: Spec) -> dict[str, str]:
    """PARAMCD -> analysis unit: the ``unit`` of the AVAL value-level row of the PARAMCD (adlb.yaml)."""
    out = {}
    for row in spec.dataset("ADLB").value_level:
        if row.variable == "AVAL" and row.unit:
            for variable, _op, values in row.where.conditions:
                if variable == "PARAMCD":
                    out.update({str(v): str(row.unit) for v in values})
    return out


def _factor_tables(spec: Spec, paramcd_of: Mapping[str, str]) -> dict[str, dict[str, float]]:
    """PARAMCD -> {unit: factor to the test's standard unit}, from study.yaml conventions.lab_units."""
    units = spec.study.conventions.get("lab_units", {})
    return {paramcd_of[testcd]: {str(u): float(f) for u, f in cfg.get("from", {}).items()}
            for testcd, cfg in units.items() if testcd in paramcd_of}


def _convert(rows: pd.DataFrame, column: str, paramcd: str, target: str, tables: Mapping[str, Mapping[str, float]],
             unit_column: str = "LBSTRESU") -> np.ndarray:
    """Values of ``column`` in ``target`` (one conversion path: the spec's factor table)."""
    if paramcd not in tables:
        raise DerivationError(Issue(rule="adam.unit-unknown", dataset="ADLB", column="PARAMCD", value=paramcd,
                                    message=f"study.yaml conventions.lab_units has no factors for {paramcd}",
                                    expected="a lab_units entry for the test"))
    try:
        return convert_to_unit(rows[column].to_numpy(), rows[unit_column].to_numpy(dtype=object),
                               tables[paramcd], target, test=paramcd)
    except DerivationError as err:  # name the LB records, not positions
        keys = rows[["USUBJID", "LBSEQ"]].astype(str).to_numpy() if "LBSEQ" in rows else None

        def where(row: int | str | None) -> int | str | None:
            if keys is None or not isinstance(row, int):
                return row
            return f"USUBJID={keys[row - 1][0]}, LBSEQ={keys[row - 1][1]}"

        issues = [Issue(rule=i.rule, dataset="LB", row=where(i.row), column=unit_column, value=i.value,
                        message=i.message, expected=i.expected) for i in err.issues]
        raise DerivationError(issues) from None


def _below_limit(rows: pd.DataFrame) -> pd.Series:
    """For results reported as "<x" (LBSTRESC, no LBSTRESN), x as a number in LBSTRESU; NaN otherwise
    (the text read once per distinct LBSTRESC)."""
    if "LBSTRESC" not in rows.columns:
        return pd.Series(np.nan, index=rows.index)
    limit = pd.Series(by_distinct_text(rows["LBSTRESC"], lambda text: pd.to_numeric(
        text.str.strip().str.extract(r"^<\s*([0-9]*\.?[0-9]+)$", expand=False), errors="coerce")),
        index=rows.index, dtype=float)
    return limit.where(pd.to_numeric(rows["LBSTRESN"], errors="coerce").isna())


def _collected(lb: pd.DataFrame, spec: Spec) -> pd.DataFrame:
    """One ADLB record per LB result: AVAL in the analysis unit, "<x" results by the spec's rule."""
    paramcd_of = _paramcd_of_testcd(spec)
    units, tables = analysis_units(spec), _factor_tables(spec, paramcd_of)
    fraction = float(adam_convention(spec, "ADLB", "below_limit_fraction"))
    rows = lb[lb["LBTESTCD"].isin(paramcd_of)]
    rows["PARAMCD"] = rows["LBTESTCD"].map(paramcd_of)
    limit = _below_limit(rows)
    rows["__VAL"] = pd.to_numeric(rows["LBSTRESN"], errors="coerce").where(limit.isna(), fraction * limit)
    rows["AVAL"] = rows["ANRLO"] = rows["ANRHI"] = np.nan
    for key, part in rows.groupby("PARAMCD"):
        paramcd = str(key)
        rows.loc[part.index, "AVAL"] = _convert(part, "__VAL", paramcd, units[paramcd], tables)
        for src, dst in (("LBSTNRLO", "ANRLO"), ("LBSTNRHI", "ANRHI")):
            if src in part.columns:
                rows.loc[part.index, dst] = _convert(part, src, paramcd, units[paramcd], tables)
    rows["ADT"] = iso_to_date(rows, "LBDTC", "ADT", dataset_name="LB")
    rows["SRCDOM"] = "LB"
    rows["SRCVAR"] = np.where(limit.notna(), "LBSTRESC", "LBSTRESN")
    rows["SRCSEQ"] = pd.to_numeric(rows["LBSEQ"]).astype(float)
    rows["PARAMTYP"] = None
    rows["__DTC"] = rows["LBDTC"].fillna("").astype(str)
    rows["__ID"] = rows["PARAMCD"] + " " + rows["LBSEQ"].astype(int).astype(str)
    rows["__UNIT"] = rows["PARAMCD"].map(units)
    return rows[["STUDYID", "USUBJID", "PARAMCD", "AVAL", "ANRLO", "ANRHI", "ADT", "SRCDOM", "SRCVAR",
                 "SRCSEQ", "PARAMTYP", "__DTC", "__ID", "__UNIT"]]


def _score_inputs(collected: pd.DataFrame, spec: Spec) -> pd.DataFrame:
    """Component values for the scores in each score's input unit (adlb.yaml score_input_units),
    converted from the analysis unit through the same factor table and taken at the decimals of
    score_input_digits (Python's round, as LB rounds converted results)."""
    wanted = {str(k): str(v) for k, v in adam_convention(spec, "ADLB", "score_input_units").items()}
    digits = {str(k): int(v) for k, v in adam_convention(spec, "ADLB", "score_input_digits").items()}
    tables = _factor_tables(spec, _paramcd_of_testcd(spec))
    out = collected[collected["PARAMCD"].isin(wanted) & collected["AVAL"].notna()]
    for key, part in out.groupby("PARAMCD"):
        paramcd = str(key)
        values = _convert(part.assign(LBSEQ=part["SRCSEQ"]), "AVAL", paramcd, wanted[paramcd], tables,
                          unit_column="__UNIT")
        if paramcd in digits:
            values = np.array([round(float(v), digits[paramcd]) for v in values])
        out.loc[part.index, "AVAL"] = values
    return out


def _assessments(rs: pd.DataFrame | None, grades: Mapping[str, Mapping[str, int]]) -> pd.DataFrame:
    """Ascites and hepatic encephalopathy results from RS (RSORRES), one column of component records;
    ``grades``: the CTP grade maps (conventions.ctp ascites / encephalopathy) they must be named in."""
    cols = ["STUDYID", "USUBJID", "PARAMCD", "AVALC", "ADT", "SRCSEQ", "__DTC", "__ID"]
    if rs is None or rs.empty:
        return pd.DataFrame(columns=cols)
    part = rs[rs["RSTESTCD"].isin([ASCITES_TESTCD, HE_TESTCD])]
    text = part["RSORRES"].fillna("").astype(str)
    part["PARAMCD"] = np.where(part["RSTESTCD"] == ASCITES_TESTCD, "ASCITES", "HE")
    keys = map_distinct(text, grade_key).to_numpy(dtype=object)  # each distinct result keyed once
    known = np.zeros(len(part), dtype=bool)
    for paramcd in pd.unique(part["PARAMCD"]):
        known |= (part["PARAMCD"] == paramcd).to_numpy() & np.isin(keys, list(grades[paramcd]))
    part["AVALC"] = text.where(text.str.strip().ne(""), None).astype(object)
    unknown = part[part["AVALC"].notna() & ~np.asarray(known, dtype=bool)]
    if len(unknown):
        raise DerivationError([
            Issue(rule="adam.ctp-grade-unknown", dataset="RS", row=f"USUBJID={r.USUBJID}, RSSEQ={r.RSSEQ}",
                  column="RSORRES", value=r.RSORRES, message=f"{r.RSTESTCD} result is not a known grade",
                  expected=f"one of {list(grades[str(r.PARAMCD)])} (study.yaml conventions.ctp)")
            for r in unknown.itertuples()])
    part["ADT"] = iso_to_date(part, "RSDTC", "ADT", dataset_name="RS")
    part["SRCSEQ"] = pd.to_numeric(part["RSSEQ"]).astype(float)
    part["__DTC"] = part["RSDTC"].fillna("").astype(str)
    part["__ID"] = "RS " + part["SRCSEQ"].astype(int).astype(str) + " (" + part["RSTESTCD"].astype(str) + ")"
    return part[part["AVALC"].notna()][cols]


def _one_per_date(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """The analysed draw of a date: with several results of a component on one date, the last
    collected one (latest --DTC, then highest --SEQ). ANL01FL breaks same-day ties the same way
    (tie_order __DTC, SRCSEQ), so a score is computed from the draws ANL01FL selects."""
    keyed = frame.sort_values([*by, "__DTC", "SRCSEQ"], kind="mergesort")
    return keyed.drop_duplicates(by, keep="last")


def _component_rows(parts: list[pd.DataFrame], by: list[str], derived: pd.DataFrame) -> np.ndarray:
    """(records of ``derived``) x (parts): the position in each part of the derived record's
    component record, the one with the same ``by`` values (a part holds at most one per ``by``
    values: :func:`_one_per_date`); -1 where the part has none."""
    # one integer per distinct ``by`` values, shared by the derived records and every part
    keys = pd.concat([derived[by], *(p[by] for p in parts)], ignore_index=True)
    codes = keys.groupby(by, dropna=False, sort=False).ngroup().to_numpy()
    wanted, start = codes[:len(derived)], len(derived)
    out = np.full((len(derived), len(parts)), -1)
    for j, part in enumerate(parts):
        row_of_key = np.full(codes.max() + 1 if len(codes) else 0, -1)
        row_of_key[codes[start:start + len(part)]] = np.arange(len(part))
        start += len(part)
        out[:, j] = row_of_key[wanted]
    return out


def _component_values(parts: list[pd.DataFrame], rows: np.ndarray, column: str) -> np.ndarray:
    """The ``column`` values of the component records at ``rows`` (:func:`_component_rows`),
    None where a derived record has no record in a part."""
    out = np.full(rows.shape, None, dtype=object)
    for j, part in enumerate(parts):
        found = rows[:, j] >= 0
        out[found, j] = part[column].to_numpy(dtype=object)[rows[found, j]]
    return out


def _latest_dtc(dtcs: np.ndarray, adt: pd.Series) -> np.ndarray:
    """A derived record's date/time from its components' (a row of ``dtcs``, None for a missing
    component): the latest when every component has a time, else the date alone (so the boundary
    rule treats it as date-only)."""
    present = pd.notna(dtcs)
    texts = np.where(present, dtcs, "")
    with_time = np.vectorize(len, otypes=[int])(texts) >= 16  # a date and a time
    timed = present.any(axis=1) & (with_time | ~present).all(axis=1)
    latest = texts.max(axis=1)  # ISO 8601 text sorts in time order
    day = pd.to_datetime(adt).dt.strftime("%Y-%m-%d").to_numpy(dtype=object)
    return np.where(timed, latest, day)


def _links(ids: np.ndarray, index: pd.Index) -> pd.Series:
    """Per derived record, the component record ids of a row of ``ids`` (``PARAMCD LBSEQ``, ``MELD
    date``, ``RS RSSEQ``) as a list in part order; None without any component."""
    lists = [[i for i in row if i is not None] or None for row in ids.tolist()]
    return pd.Series(lists, index=index, dtype=object)


def _derived(inputs: pd.DataFrame, assessments: pd.DataFrame, spec: Spec) -> pd.DataFrame:
    """MELD, MELD-Na and CTP per subject and date from that date's analysed component draws
    (formulas with the study's conventions: study.yaml meld, meld_na, ctp)."""
    by = ["STUDYID", "USUBJID", "ADT"]
    meld_conv = meld_convention(spec.study.conventions)
    meld_na_conv = meld_na_convention(spec.study.conventions)
    ctp_conv = ctp_convention(spec.study.conventions)
    comps = _one_per_date(inputs[inputs["ADT"].notna()], [*by, "PARAMCD"])
    grades = _one_per_date(assessments[assessments["ADT"].notna()], [*by, "PARAMCD"])
    work = pd.concat([comps[[*by, "PARAMCD", "AVAL"]].assign(AVALC=None),
                      grades[[*by, "PARAMCD", "AVALC"]].assign(AVAL=np.nan)], ignore_index=True)
    work = derive_param_computed(
        work, list(MELD_INPUTS), lambda d: compute_meld(d["CREAT"], d["TBIL"], d["INR"], meld=meld_conv),
        {"PARAMCD": "MELD"}, by_vars=by, dataset_name="ADLB")
    meld = work[work["PARAMCD"] == "MELD"]
    sources = {p: comps[comps["PARAMCD"] == p] for p in ("CREAT", "TBIL", "INR", "ALB", "SODIUM")}
    meld_inputs = [sources[p] for p in MELD_INPUTS]
    meld["__DTC"] = _latest_dtc(_component_values(meld_inputs, _component_rows(meld_inputs, by, meld), "__DTC"),
                                meld["ADT"])
    meld["__ID"] = "MELD " + pd.to_datetime(meld["ADT"]).dt.strftime("%Y-%m-%d")
    sources["MELD"] = meld
    work = derive_param_computed(
        work, list(MELDNA_INPUTS), lambda d: compute_meld_na(d["MELD"], d["SODIUM"], meld_na=meld_na_conv),
        {"PARAMCD": "MELDNA"}, by_vars=by, dataset_name="ADLB")
    work = derive_param_computed(
        work, [*CTP_INPUTS, "ASCITES", "HE"],
        lambda d: compute_ctp_score(d["TBIL"], d["ALB"], d["INR"], d["ASCITES"], d["HE"], ctp=ctp_conv),
        {"PARAMCD": "CTP"}, by_vars=by, value_vars={"ASCITES": "AVALC", "HE": "AVALC"}, dataset_name="ADLB")
    rs = {p: grades[grades["PARAMCD"] == p] for p in ("ASCITES", "HE")}
    out = []
    for paramcd, inputs_of in (("MELD", [sources[p] for p in MELD_INPUTS]),
                               ("MELDNA", [sources[p] for p in MELDNA_INPUTS]),
                               ("CTP", [*(sources[p] for p in CTP_INPUTS), rs["ASCITES"], rs["HE"]])):
        part = work[work["PARAMCD"] == paramcd]
        rows = _component_rows(inputs_of, by, part)
        part["__DTC"] = _latest_dtc(_component_values(inputs_of, rows, "__DTC"), part["ADT"])
        part["__LINKS"] = _links(_component_values(inputs_of, rows, "__ID"), part.index)
        out.append(part)
    derived = pd.concat(out, ignore_index=True)
    derived["__ID"] = derived["PARAMCD"] + " " + pd.to_datetime(derived["ADT"]).dt.strftime("%Y-%m-%d")
    derived["SRCDOM"], derived["SRCVAR"] = "ADLB", "AVAL"
    derived["SRCSEQ"] = np.nan
    derived["ANRLO"] = derived["ANRHI"] = np.nan
    derived["PARAMTYP"] = "DERIVED"
    return derived.drop(columns="AVALC")


def analysis_windows(spec: Spec) -> pd.DataFrame:
    """AVISIT windows by study day: ADLB convention analysis_windows (target, low, high inclusive)."""
    rows = [{"AVISIT": str(w["avisit"]), "AVISITN": float(w["avisitn"]), "TARGET": w["target"],
             "LOW": w["low"], "HIGH": w["high"]} for w in adam_convention(spec, "ADLB", "analysis_windows")]
    return pd.DataFrame(rows)


def _period_start_text(adsl: pd.DataFrame, n: int) -> pd.Series:
    """Period n's start per ADSL subject as ISO text (TRnnSDTM when known, else TRnnSDT)."""
    day = pd.to_datetime(adsl[f"TR{n:02d}SDT"])
    dtm = pd.to_datetime(adsl[f"TR{n:02d}SDTM"]) if f"TR{n:02d}SDTM" in adsl else pd.Series(pd.NaT, index=adsl.index)
    text = dtm.dt.strftime("%Y-%m-%dT%H:%M").where(dtm.notna(), day.dt.strftime("%Y-%m-%d"))
    return pd.Series(text.where(day.notna() | dtm.notna(), None).to_numpy(dtype=object), index=adsl["USUBJID"])


def _basetype_rows(adlb: pd.DataFrame, adsl: pd.DataFrame, spec: Spec) -> pd.DataFrame:
    """The records of each BASETYPE with their baseline flag (ABLFL).

    BASETYPE of period 1 (adlb.yaml basetypes): every record; baseline = last value before the
    first infusion. BASETYPE of period 2: for subjects with a stage-2 infusion, the records of
    period 2 and the stage-2 baseline = last value before the first stage-2 infusion. "Before" is
    the APERIOD boundary rule (on_or_after_start: the SDTM EPOCH rule for the ADLB epoch_boundary_class).
    """
    without_time, start_without_time = period_boundary(spec, "ADLB")
    basetypes = {int(k): str(v) for k, v in adam_convention(spec, "ADLB", "basetypes").items()}
    frames = []
    for period, basetype in sorted(basetypes.items()):
        start = adlb["USUBJID"].map(_period_start_text(adsl, period))
        rows = adlb[start.notna().to_numpy()]
        pre = ~on_or_after_start(rows["__DTC"].reset_index(drop=True), start[start.notna()].reset_index(drop=True),
                                 observation_without_time=without_time,
                                 element_start_without_time=start_without_time)
        rows["__PRE"] = pre
        rows["BASETYPE"] = basetype
        rows = derive_var_ablfl(rows, reference_date=f"TR{period:02d}SDT", order=("ADT", "__DTC", "SRCSEQ"),
                                filter="__PRE", dataset_name="ADLB")
        if period > min(basetypes):
            rows = rows[(rows["APERIOD"] == period).to_numpy() | (rows["ABLFL"] == "Y").to_numpy()]
        frames.append(rows.drop(columns="__PRE"))
    return pd.concat(frames, ignore_index=True)


def _component_aseq(adlb: pd.DataFrame, first_basetype: str) -> pd.Series:
    """SRCASEQ of derived records: "PARAMCD ASEQ" of each ADLB component (records of the first
    BASETYPE, which holds every record) and "RS RSSEQ (RSTESTCD)" of each RS grade."""
    ids = adlb[adlb["BASETYPE"] == first_basetype].set_index(["USUBJID", "__ID"])["ASEQ"]
    lookup = ids.to_dict()

    def text(usubjid: str, links: object) -> str | None:
        if not isinstance(links, list):
            return None
        out = []
        for link in links:
            if link.startswith("RS "):
                out.append(link)
            else:
                out.append(f"{link.split(' ')[0]} {int(lookup[(usubjid, link)])}")
        return ", ".join(out)

    out = np.full(len(adlb), None, dtype=object)
    derived = np.flatnonzero(adlb["__LINKS"].notna().to_numpy())  # collected records have no links
    subjects, links = adlb["USUBJID"].to_numpy(dtype=object), adlb["__LINKS"].to_numpy(dtype=object)
    out[derived] = [text(subjects[i], links[i]) for i in derived]
    return pd.Series(out, index=adlb.index, dtype=object)


def build_adlb(sdtm: Mapping[str, pd.DataFrame], adsl: pd.DataFrame, spec: Spec) -> pd.DataFrame:
    """ADLB records (before spec conformance) for the subjects of ADSL."""
    lb = sdtm["LB"][sdtm["LB"]["USUBJID"].isin(set(adsl["USUBJID"]))]
    collected = _collected(lb, spec)
    rs = sdtm.get("RS")
    assessments = _assessments(rs[rs["USUBJID"].isin(set(adsl["USUBJID"]))] if rs is not None else None,
                               ctp_convention(spec.study.conventions).grades)
    adlb = pd.concat([collected.assign(__LINKS=None), _derived(_score_inputs(collected, spec), assessments, spec)],
                     ignore_index=True).drop(columns="__UNIT")
    params = _params(spec)
    adlb["PARAM"] = adlb["PARAMCD"].map(params)
    order = {t.submission_value: float(t.order or i + 1)
             for i, t in enumerate(spec.codelists[PARAMCD_CODELIST].terms)}
    adlb["PARAMN"] = adlb["PARAMCD"].map(order)

    adlb = adlb.merge(adsl[list(ADSL_VARS)], on=["STUDYID", "USUBJID"], how="left")
    adlb = derive_vars_dy(adlb, "TRTSDT", ["ADT"], dataset_name="ADLB")
    adlb["ADY"] = adlb["ADY"].astype(float)
    without_time, start_without_time = period_boundary(spec, "ADLB")
    adlb = derive_vars_period(adlb, adsl, date="ADT", dtc="__DTC", end_window=follow_up_days(spec),
                              period_labels=PERIOD_LABELS, observation_without_time=without_time,
                              element_start_without_time=start_without_time, dataset_name="ADLB")
    adlb["APERIOD"] = adlb["APERIOD"].astype(float)
    adlb["TRTAN"] = treatment_number(spec, adlb["TRTA"])
    adlb = _basetype_rows(adlb, adsl, spec)
    by = ("STUDYID", "USUBJID", "PARAMCD", "BASETYPE")
    adlb = derive_vars_avisit_windows(adlb, analysis_windows(spec), by_vars=by, tie_order=("__DTC", "SRCSEQ"),
                                      dataset_name="ADLB")
    adlb = derive_var_extreme_flag(adlb, by, ("ADT", "__DTC", "SRCSEQ"), "ANL02FL", mode="last",
                                   filter="AVAL.notna()", dataset_name="ADLB")
    adlb = derive_vars_base_chg_pchg(adlb, by_vars=by, dataset_name="ADLB")
    adlb = derive_var_anrind(adlb, dataset_name="ADLB")
    basetypes = {int(k): str(v) for k, v in adam_convention(spec, "ADLB", "basetypes").items()}
    adlb["__BTN"] = adlb["BASETYPE"].map({v: k for k, v in basetypes.items()})
    adlb = adlb.sort_values(["USUBJID", "__BTN", "PARAMN", "ADT", "__DTC", "SRCSEQ"], kind="mergesort",
                            na_position="last")
    adlb["ASEQ"] = adlb.groupby("USUBJID").cumcount().astype(float) + 1
    adlb["SRCASEQ"] = _component_aseq(adlb, basetypes[min(basetypes)])
    return adlb.drop(columns=["__BTN", "__DTC", "__ID", "__LINKS"]).reset_index(drop=True)
