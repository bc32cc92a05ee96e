"""ADLB builder: units, MELD / MELD-Na / CTP against hand calculations, baseline, windows."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from test_pipeline_frames import adam_spec, make_sdtm

from aclf_cdisc.adam.pipeline import build_adam


@pytest.fixture(scope="module")
def adlb():
    return build_adam(make_sdtm(), adam_spec())["ADLB"]


def _value(adlb, usubjid, paramcd, adt, basetype="STAGE 1"):
    rows = adlb[(adlb["USUBJID"] == usubjid) & (adlb["PARAMCD"] == paramcd) & (adlb["ADT"] == pd.Timestamp(adt))
                & (adlb["BASETYPE"] == basetype)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_01_bilirubin_is_analysed_in_si_units(adlb):
    row = _value(adlb, "S1", "TBIL", "2023-10-02")  # LBSTRESN 171 umol/L: the analysis unit already
    assert (row["AVAL"], row["ANRHI"]) == (171.0, 20.5)
    assert (row["SRCDOM"], row["SRCVAR"], row["SRCSEQ"]) == ("LB", "LBSTRESN", 1)
    # an LB record in mg/dL is converted with the study's factor: 8.5 x 17.1 = 145.35 umol/L
    assert _value(adlb, "S1", "TBIL", "2023-10-09")["AVAL"] == pytest.approx(145.35, rel=1e-12)
    assert _value(adlb, "S1", "CREAT", "2023-10-02")["AVAL"] == pytest.approx(106.08, rel=1e-12)  # 1.2 x 88.4


def test_02_meld_by_hand(adlb):
    # S1 2023-10-02: Cr 1.2, TBIL 10.0, INR 2.1
    hand = 10 * (0.957 * math.log(1.2) + 0.378 * math.log(10.0) + 1.120 * math.log(2.1) + 0.643)  # 25.19
    assert _value(adlb, "S1", "MELD", "2023-10-02")["AVAL"] == round(hand) == 25
    # S1 2023-10-09: Cr 0.8 -> 1.0 (floor), TBIL 8.5, INR 1.5
    hand = 10 * (0.378 * math.log(8.5) + 1.120 * math.log(1.5) + 0.643)  # 19.06
    assert _value(adlb, "S1", "MELD", "2023-10-09")["AVAL"] == round(hand) == 19
    # S2 2023-09-30: Cr 5.0 -> 4.0 (cap), TBIL 12, INR 2.5
    hand = 10 * (0.957 * math.log(4.0) + 0.378 * math.log(12.0) + 1.120 * math.log(2.5) + 0.643)  # 38.97
    assert _value(adlb, "S2", "MELD", "2023-09-30")["AVAL"] == round(hand) == 39
    assert _value(adlb, "S2", "MELD", "2023-09-30")["PARAMTYP"] == "DERIVED"


def test_03_meld_na_by_hand(adlb):
    # MELD 25 > 11, Na 130: 25 + 1.32*7 - 0.033*25*7 = 28.465 -> 28
    assert _value(adlb, "S1", "MELDNA", "2023-10-02")["AVAL"] == 28
    # MELD 19, Na 140 -> bounded to 137: no change
    assert _value(adlb, "S1", "MELDNA", "2023-10-09")["AVAL"] == 19
    # MELD 39, Na 120 -> 125: 39 + 1.32*12 - 0.033*39*12 = 39.396 -> 39
    assert _value(adlb, "S2", "MELDNA", "2023-09-30")["AVAL"] == 39


def test_04_ctp_by_hand(adlb):
    # S1 2023-10-02: TBIL 10 (3) + ALB 30 (2) + INR 2.1 (2) + ascites slight (2) + HE grade 0 (1) = 10
    assert _value(adlb, "S1", "CTP", "2023-10-02")["AVAL"] == 10
    # S1 2023-10-09: TBIL 8.5 (3) + ALB 36 (1) + INR 1.5 (1) + absent (1) + grade 1 (2) = 8
    assert _value(adlb, "S1", "CTP", "2023-10-09")["AVAL"] == 8
    # S2 2023-09-30: 3 + 3 + 3 + moderate (3) + grade 3 (3) = 15
    assert _value(adlb, "S2", "CTP", "2023-09-30")["AVAL"] == 15


def test_05_same_date_rule_no_derived_record_from_other_dates(adlb):
    # S1 has an INR on 2023-10-10 only: no MELD / CTP on that date
    s1 = adlb[(adlb["USUBJID"] == "S1") & (adlb["ADT"] == pd.Timestamp("2023-10-10")) & (adlb["BASETYPE"] == "STAGE 1")]
    assert s1["PARAMCD"].tolist() == ["INR"]


def test_06_baseline_change_and_windows(adlb):
    row = _value(adlb, "S1", "INR", "2023-10-09")
    assert (row["AVISIT"], row["AVISITN"], row["BASE"], row["ANL01FL"]) == ("WEEK 1", 3, 2.1, "Y")
    assert row["CHG"] == pytest.approx(1.5 - 2.1)
    later = _value(adlb, "S1", "INR", "2023-10-10")  # day 9, further from target day 8
    assert later["AVISIT"] == "WEEK 1" and pd.isna(later["ANL01FL"])
    assert _value(adlb, "S2", "TBIL", "2023-09-30")[["ABLFL", "AVISIT"]].tolist() == ["Y", "SCREENING"]


def test_07_asq_unique_within_subject(adlb):
    assert not adlb.duplicated(["USUBJID", "ASEQ"]).any()


def test_08_analysis_unit_is_the_spec_s_and_scores_keep_their_input_units():
    """Declaring TBIL's analysis unit mg/dL (value-level unit in adlb.yaml) instead of the study's SI
    umol/L gives AVAL in mg/dL through the study's factor table, while MELD/CTP read mg/dL
    (score_input_units) either way: the scores do not change (S1 2023-10-02: TBIL 171 umol/L =
    10 mg/dL, MELD 25, CTP 10)."""
    import dataclasses

    spec = adam_spec()
    adlb_spec = spec.dataset("ADLB")
    assert _value(build_adam(make_sdtm(), spec)["ADLB"], "S1", "MELD", "2023-10-02")["AVAL"] == 25
    rows = tuple(dataclasses.replace(r, unit="mg/dL")
                 if r.variable == "AVAL" and tuple(r.where.conditions[0][2]) == ("TBIL",) else r
                 for r in adlb_spec.value_level)
    datasets = {**spec.datasets, "ADLB": dataclasses.replace(adlb_spec, value_level=rows)}
    out = build_adam(make_sdtm(), dataclasses.replace(spec, datasets=datasets))["ADLB"]
    assert _value(out, "S1", "TBIL", "2023-10-02")["AVAL"] == pytest.approx(10.0)  # 171 / 17.1
    assert _value(out, "S1", "TBIL", "2023-10-09")["AVAL"] == pytest.approx(8.5, rel=1e-12)
    assert _value(out, "S1", "MELD", "2023-10-02")["AVAL"] == 25
    assert _value(out, "S1", "CTP", "2023-10-02")["AVAL"] == 10
