"""build_adam on the embedded sample EDC export, checked against the raw export and hand arithmetic.

Skipped until aclf_cdisc.sdtm.pipeline.build_sdtm exists. The SDTM and ADaM of the sample are
built once per session.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aclf_cdisc.errors import DerivationError

REPO = Path(__file__).resolve().parents[2]
EDC = REPO / "src" / "aclf_cdisc" / "sample" / "edc"
KM_DAYS = (28, 84, 168)
FOLLOW_UP_DAYS = 48 * 7


@pytest.fixture(scope="session")
def sample_spec():
    pytest.importorskip("aclf_cdisc.sdtm.pipeline")
    from aclf_cdisc.spec import load_spec

    return load_spec(REPO / "specs")


@pytest.fixture(scope="session")
def sample_sdtm(sample_spec):
    pipeline = pytest.importorskip("aclf_cdisc.sdtm.pipeline")
    from aclf_cdisc.raw import read_export

    return pipeline.build_sdtm(read_export(EDC, sample_spec), sample_spec)


@pytest.fixture(scope="session")
def sample_adam(sample_sdtm, sample_spec):
    from aclf_cdisc.adam.pipeline import build_adam

    return build_adam(sample_sdtm, sample_spec)


# ----------------------------------------------------------------------------------------------
# The raw export, read with plain pandas
# ----------------------------------------------------------------------------------------------
def _raw(form: str) -> pd.DataFrame:
    frame = pd.read_csv(EDC / f"{form}.csv", dtype=str, keep_default_na=False)
    return frame.apply(lambda col: col.str.strip())


def _date(text: pd.Series) -> pd.Series:
    """Complete 'DD MON YYYY' dates; partial ('UN ...') and blank ones are NaT."""
    return pd.to_datetime(text.str.upper(), format="%d %b %Y", errors="coerce")


def _raw_tfs() -> pd.DataFrame:
    """Per randomized subject: stage-1 group, time (days) and event indicator of TFS from raw."""
    rand = _raw("irt_rand")
    rand = rand[rand["RANDSTG"] == "1"].assign(RANDDT=lambda d: _date(d["RANDDAT"]))[["SUBJID", "TRTGRP", "RANDDT"]]
    death = _raw("dd").assign(D=lambda d: _date(d["DTHDAT"]))[["SUBJID", "D"]]
    ltx = _raw("ltx").assign(D=lambda d: _date(d["PRSTDAT"]))[["SUBJID", "D"]]
    event = pd.concat([death, ltx]).groupby("SUBJID")["D"].min()

    seen = []  # every complete date showing the subject alive
    for form, cols, keep in (("sv", ["VISDAT"], None), ("ex", ["EXDAT"], None), ("lb", ["LBDAT"], None),
                             ("cla", ["CLADAT"], None), ("ae", ["AESTDAT", "AEENDAT"], None),
                             ("ltx", ["PRSTDAT"], None), ("ic", ["DSSTDAT"], None), ("irt_rand", ["RANDDAT"], None),
                             ("eos", ["DSSTDAT"], lambda d: ~d["DSDECOD"].str.upper().isin(
                                 ["DEATH", "LOST TO FOLLOW-UP"]))):
        frame = _raw(form)
        if keep is not None:
            frame = frame[keep(frame)]
        for col in cols:
            seen.append(pd.DataFrame({"SUBJID": frame["SUBJID"], "D": _date(frame[col])}))
    alive = pd.concat(seen).dropna().groupby("SUBJID")["D"].max()

    out = rand.copy()
    out["EVENT_DT"] = out["SUBJID"].map(event)
    out["ALIVE_DT"] = out["SUBJID"].map(alive)
    out["CAP_DT"] = out["RANDDT"] + pd.Timedelta(days=FOLLOW_UP_DAYS)
    has_event = out["EVENT_DT"].notna() & (out["EVENT_DT"] <= out["CAP_DT"])
    censor_dt = out[["ALIVE_DT", "CAP_DT"]].min(axis=1)
    end = out["EVENT_DT"].where(has_event, censor_dt)
    out["TIME"] = (end - out["RANDDT"]).dt.days + 1
    out["EVENT"] = has_event.astype(int)
    return out


def _km_by_hand(time: np.ndarray, event: np.ndarray, at: float) -> float:
    surv = 1.0
    for t in np.unique(time[(event == 1) & (time <= at)]):
        at_risk = np.sum(time >= t)
        deaths = np.sum((time == t) & (event == 1))
        surv *= 1.0 - deaths / at_risk
    return surv


# ----------------------------------------------------------------------------------------------
# Tests
# ----------------------------------------------------------------------------------------------
def test_01_km_of_tfs_equals_the_raw_computation(sample_adam):
    from lifelines import KaplanMeierFitter

    adtte = sample_adam["ADTTE"]
    tfs = adtte[adtte["PARAMCD"] == "TFS"]
    raw = _raw_tfs()
    assert len(tfs) == len(raw)
    for arm in ("hUC-MSC", "Placebo"):
        part = tfs[tfs["TRTP"] == arm]
        km = KaplanMeierFitter().fit(part["AVAL"], event_observed=1 - part["CNSR"].clip(upper=1))
        mine = km.survival_function_at_times(list(KM_DAYS)).to_numpy()
        ref = raw[raw["TRTGRP"] == arm]
        by_hand = [_km_by_hand(ref["TIME"].to_numpy(), ref["EVENT"].to_numpy(), d) for d in KM_DAYS]
        np.testing.assert_allclose(mine, by_hand, rtol=0, atol=1e-12, err_msg=arm)


def test_02_tfs_times_equal_raw_per_subject(sample_adam):
    adtte = sample_adam["ADTTE"]
    tfs = adtte[adtte["PARAMCD"] == "TFS"]
    merged = tfs.merge(_raw_tfs(), on="SUBJID", how="outer", indicator=True)
    assert (merged["_merge"] == "both").all()
    assert (merged["AVAL"] == merged["TIME"]).all()
    assert ((merged["CNSR"] == 0) == (merged["EVENT"] == 1)).all()


def test_03_adsl_values_copied_from_dm_equal_dm(sample_adam, sample_sdtm):
    adsl = sample_adam["ADSL"].set_index("USUBJID")
    dm = sample_sdtm["DM"].set_index("USUBJID").loc[adsl.index]
    for var in ("STUDYID", "SUBJID", "SITEID", "AGE", "AGEU", "SEX", "RACE", "ETHNIC", "COUNTRY", "ARM", "ARMCD",
                "ACTARM", "ACTARMCD", "DTHFL"):
        left = [None if pd.isna(v) else v for v in adsl[var]]
        right = [None if pd.isna(v) or v == "" else v for v in dm[var]]
        assert left == right, var


def test_04_every_adae_record_maps_to_exactly_one_ae_record(sample_adam, sample_sdtm):
    keys = sample_adam["ADAE"][["USUBJID", "AESEQ"]]
    ae = sample_sdtm["AE"][["USUBJID", "AESEQ"]].astype({"AESEQ": float})
    assert not keys.duplicated().any() and not ae.duplicated().any()
    matched = keys.merge(ae, on=["USUBJID", "AESEQ"], how="left", indicator=True)
    assert len(matched) == len(keys) and (matched["_merge"] == "both").all()


def test_05_every_adtte_srcseq_exists_in_its_source(sample_adam, sample_sdtm):
    adtte = sample_adam["ADTTE"]
    traced = adtte[adtte["SRCSEQ"].notna()]
    assert len(traced) > 0
    for (dom, var), rows in traced.groupby(["SRCDOM", "SRCVAR"]):
        source = sample_sdtm[dom]
        found = rows[["USUBJID", "SRCSEQ"]].merge(
            source[["USUBJID", f"{dom}SEQ", var]].rename(columns={f"{dom}SEQ": "SRCSEQ"}).astype({"SRCSEQ": float}),
            on=["USUBJID", "SRCSEQ"], how="left")
        assert found[var].notna().all(), (dom, var)
        dates = pd.to_datetime(found[var].str.slice(0, 10)).to_numpy()
        assert (dates == rows["ADT"].to_numpy()).all(), (dom, var)
    assert (adtte["ADT"] >= adtte["STARTDT"]).all()


def _scenario_subject(sample_adam, scenario: str) -> str:
    scenarios = _raw("scenarios").set_index("SCENARIO")["SUBJID"]
    adsl = sample_adam["ADSL"]
    return adsl.loc[adsl["SUBJID"] == scenarios[scenario], "USUBJID"].item()


@pytest.mark.parametrize(("scenario", "term", "expected"), [
    ("ae_before_first_infusion", "ASCITES", [None]),
    ("ae_within_28d_after_last_infusion", "NAUSEA", ["Y"]),
    ("ae_after_28d_window", "URINARY TRACT INFECTION", [None]),
    ("ae_preexisting_worsened", "ASCITES", [None, "Y"]),  # the mild pre-existing record, then the worsening
    ("ae_unknown_start_day", "HYPONATRAEMIA", ["Y"]),
])
def test_06_trtemfl_of_planted_scenarios(sample_adam, scenario, term, expected):
    adae = sample_adam["ADAE"]
    usubjid = _scenario_subject(sample_adam, scenario)
    rows = adae[(adae["USUBJID"] == usubjid) & (adae["AEDECOD"].str.upper() == term)].sort_values(["ASTDT", "AESEQ"])
    assert [None if pd.isna(v) else v for v in rows["TRTEMFL"]] == expected


def test_07_unknown_start_day_is_imputed_and_flagged(sample_adam):
    adae = sample_adam["ADAE"]
    usubjid = _scenario_subject(sample_adam, "ae_unknown_start_day")
    row = adae[(adae["USUBJID"] == usubjid) & (adae["AEDECOD"].str.upper() == "HYPONATRAEMIA")].iloc[0]
    assert row["ASTDTF"] == "D" and len(str(row["AESTDTC"])) == 7


def _meld(cr: float, tbil: float, inr: float) -> float:
    cr, tbil, inr = min(max(cr, 1.0), 4.0), max(tbil, 1.0), max(inr, 1.0)
    raw = 10 * (0.957 * math.log(cr) + 0.378 * math.log(tbil) + 1.120 * math.log(inr) + 0.643)
    return min(max(math.floor(round(raw, 9) + 0.5), 6), 40)


def _ctp_points(value: float, low: float, high: float, higher_is_worse: bool = True) -> int:
    if higher_is_worse:
        return 1 if value < low else (2 if value <= high else 3)
    return 1 if value > high else (2 if value >= low else 3)


def test_08_meld_and_ctp_of_hand_picked_records(sample_adam, sample_sdtm):
    adlb = sample_adam["ADLB"]
    wide = adlb.pivot_table(index=["USUBJID", "ADT"], columns="PARAMCD", values="AVAL", aggfunc="last")
    meld = wide.dropna(subset=["MELD"]).sample(n=8, random_state=20230930)
    for (usubjid, adt), row in meld.iterrows():
        comps = adlb[(adlb["USUBJID"] == usubjid) & (adlb["ADT"] == adt) & adlb["PARAMTYP"].isna()]
        last = comps.sort_values("SRCSEQ").groupby("PARAMCD")["AVAL"].last()
        # AVAL in SI (umol/L); MELD reads mg/dL to 2 decimals (adlb.yaml score_input_units/_digits)
        cr, tbil = round(last["CREAT"] / 88.4, 2), round(last["TBIL"] / 17.1, 2)
        assert row["MELD"] == _meld(cr, tbil, last["INR"]), (usubjid, adt)
    rs = sample_sdtm["RS"]
    ctp = wide.dropna(subset=["CTP"]).sample(n=8, random_state=7)
    for (usubjid, adt), row in ctp.iterrows():
        comps = adlb[(adlb["USUBJID"] == usubjid) & (adlb["ADT"] == adt) & adlb["PARAMTYP"].isna()]
        last = comps.sort_values("SRCSEQ").groupby("PARAMCD")["AVAL"].last()
        day = rs[(rs["USUBJID"] == usubjid) & (rs["RSDTC"].str.slice(0, 10) == adt.date().isoformat())]
        day = day.sort_values("RSSEQ").groupby("RSTESTCD")["RSORRES"].last().str.lower()
        ascites = {"absent": 1, "slight": 2, "moderate": 3}[day["CPS0102"]]
        grade = int(str(day["WHEG0101"])[-1])
        he = 1 if grade == 0 else (2 if grade <= 2 else 3)
        hand = (_ctp_points(round(last["TBIL"] / 17.1, 2), 2, 3)
                + _ctp_points(last["ALB"], 28, 35, higher_is_worse=False)
                + _ctp_points(last["INR"], 1.7, 2.3) + ascites + he)
        assert row["CTP"] == hand, (usubjid, adt)


def test_09_death_before_randomization_in_mutated_input_names_the_subject(sample_adam, sample_sdtm, sample_spec,
                                                                          sample_records):
    from aclf_cdisc.adam.pipeline import build_adam

    adsl = sample_adam["ADSL"]
    victim = adsl.loc[adsl["DTHFL"] == "Y", "USUBJID"].iloc[0]
    early = (adsl.loc[adsl["USUBJID"] == victim, "RANDDT"].iloc[0] - pd.Timedelta(days=5)).date().isoformat()
    mutated = {name: frame.copy() for name, frame in sample_sdtm.items()}
    mutated["DM"].loc[mutated["DM"]["USUBJID"] == victim, "DTHDTC"] = early
    with pytest.raises(DerivationError) as caught:
        build_adam(mutated, sample_spec)
    issue = next(i for i in caught.value.issues if i.rule == "adam.dthdt-before-randomization")
    assert f"ADSL USUBJID={victim}" in issue.message  # the ADSL record, kept in the message
    # DM.DTHDTC is derived, so the raw record cited is the subject's demographics record
    dm_row = next(i for i, r in enumerate(sample_records("dm"), start=1) if victim.endswith(r["SUBJID"]))
    assert (issue.file, issue.row, issue.value) == ("dm.csv", dm_row, early)
    assert victim in str(caught.value)


def test_creatinine_below_the_quantitation_limit_has_one_rule_for_aval_and_meld(sample_adam):
    # 101-0027 has creatinine '<44' umol/L (LBSTRESC "<44", SI) at screening and week 0. ADLB
    # convention below_limit_fraction 1.0: AVAL = 44 umol/L (SRCVAR LBSTRESC), and MELD takes that
    # AVAL (44 / 88.4 = 0.50 mg/dL), which its floor sets to 1.0. Week 0 (2024-03-29): TBIL 101.2
    # umol/L = 5.92 mg/dL, INR 2.21.
    adlb, adsl = sample_adam["ADLB"], sample_adam["ADSL"].set_index("USUBJID")
    adlb = adlb[adlb["BASETYPE"] == "STAGE 1"]
    subject = "ACLF-MSC-302-101-0027"
    rows = adlb[(adlb["USUBJID"] == subject) & (adlb["ADT"] == pd.Timestamp("2024-03-29"))].set_index("PARAMCD")
    assert rows.loc["CREAT", "AVAL"] == 44.0
    assert rows.loc["CREAT", "SRCVAR"] == "LBSTRESC"
    tbil_mgdl = round(rows.loc["TBIL", "AVAL"] / 17.1, 2)
    hand = 10 * (0.378 * np.log(tbil_mgdl) + 1.120 * np.log(rows.loc["INR", "AVAL"]) + 0.643)
    assert rows.loc["MELD", "AVAL"] == round(hand) == 22
    assert rows.loc["MELD", "ABLFL"] == "Y"
    assert adsl.loc[subject, "MELDBL"] == 22
    assert adsl.loc[subject, "CREATBL"] == 44.0
    # every randomized subject has a baseline MELD and MELD-Na
    assert adsl["MELDBL"].notna().sum() == adsl["MELDNABL"].notna().sum() == 150
    # the 65 creatinine results "<44" umol/L all have an AVAL now (none left out of summaries)
    creat = adlb[adlb["PARAMCD"] == "CREAT"]
    blq = creat[creat["SRCVAR"] == "LBSTRESC"]
    assert len(blq) == 65 and (blq["AVAL"] == 44.0).all()
    # 63 of them fall on a date with TBIL and INR: 1478 MELD records, as when MELD floored them itself
    assert (adlb["PARAMCD"] == "MELD").sum() == 1478
