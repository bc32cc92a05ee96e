"""The two-stage analysis on the embedded sample: period-level occurrence flags, stage-2 baselines,
datetime period boundaries, analysis windows, score traceability, ADSL period variables and ADTTE
censoring (issue 12, "ADaM for a two-stage comparison"). Values are read off the sample by hand."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from test_pipeline_sample import sample_adam, sample_sdtm, sample_spec  # noqa: F401  (session fixtures)

SUBJ = "ACLF-MSC-302-{}".format


@pytest.fixture(scope="module")
def adlb1(sample_adam):  # noqa: F811
    adlb = sample_adam["ADLB"]
    return adlb[adlb["BASETYPE"] == "STAGE 1"]


def test_01_period_2_teae_subjects_all_carry_a_period_level_first_occurrence(sample_adam):  # noqa: F811
    adae = sample_adam["ADAE"]
    p2 = adae[(adae["TRTEMFL"] == "Y") & (adae["APERIOD"] == 2)]
    assert p2["USUBJID"].nunique() == 41
    assert (p2["AOCCFL"] == "Y").sum() == 13  # the study-wide flag misses 28 of them
    assert (p2["AOCPFL"] == "Y").sum() == 41
    assert p2.loc[p2["AOCPFL"] == "Y", "USUBJID"].is_unique
    # 101-0032: chills 2024-05-03 (stage 1), pyrexia 05-29 and ascites 06-04 (stage 2)
    rows = adae[adae["USUBJID"] == SUBJ("101-0032")].set_index("AESEQ")
    flags = rows[["APERIOD", "AOCCFL", "AOCPFL", "AOCPSFL", "AOCPPFL"]].astype(object)
    flags = flags.where(flags.notna(), None)
    assert flags.loc[1].tolist() == [1, "Y", "Y", "Y", "Y"]
    assert flags.loc[2].tolist() == [2, None, "Y", "Y", "Y"]   # first TEAE of stage 2
    assert flags.loc[3].tolist() == [2, None, None, "Y", "Y"]  # first of its SOC in stage 2


def test_02_every_teae_has_a_period(sample_adam):  # noqa: F811
    adae = sample_adam["ADAE"]
    assert adae.loc[adae["TRTEMFL"] == "Y", "APERIOD"].notna().all()


def test_03_pre_dose_samples_belong_to_the_earlier_period(sample_sdtm, sample_adam, adlb1):  # noqa: F811
    lb = sample_sdtm["LB"][["USUBJID", "LBSEQ", "VISIT", "LBDTC"]]
    rec = adlb1[adlb1["SRCDOM"] == "LB"].merge(lb, left_on=["USUBJID", "SRCSEQ"], right_on=["USUBJID", "LBSEQ"])
    week0 = rec[rec["VISIT"] == "Week 0"]
    assert len(week0) == 900 and week0["APERIOD"].isna().all()  # drawn before the first infusion
    tr02 = sample_adam["ADSL"].set_index("USUBJID")["TR02SDTM"].dropna()
    week4 = rec[(rec["VISIT"] == "Week 4") & rec["USUBJID"].isin(tr02.index)]
    # Period 2 only from the stage-2 infusion's date and time on; a date-only draw on that day
    # counts as pre-dose (101-0007). The simulator plants one post-dose draw (101-0003).
    drawn = pd.to_datetime(week4["LBDTC"], format="ISO8601")
    expected = (drawn >= week4["USUBJID"].map(tr02)).map({True: 2, False: 1})
    assert len(week4) == 558 and (week4["APERIOD"] == expected).all()
    post_dose = week4.loc[expected == 2, "USUBJID"].unique().tolist()
    assert post_dose == [SUBJ("101-0003")]


def test_04_stage_2_baseline_is_the_pre_dose_week_4_value(sample_adam):  # noqa: F811
    adlb, adsl = sample_adam["ADLB"], sample_adam["ADSL"].set_index("USUBJID")
    s2 = adlb[adlb["BASETYPE"] == "STAGE 2"]
    assert s2["USUBJID"].nunique() == 93 == (adsl["RAND2FL"] == "Y").sum()
    assert (s2["ABLFL"] == "Y").sum() == 93 * 9
    # 101-0002: stage-2 infusion 2023-11-02 13:35; TBIL that morning (09:16, LBSEQ 42) 80.7 umol/L
    # (raw lb.csv, SI: analysed as collected); week 5 70.2; week 0 (stage-1 baseline) 309.2
    u = SUBJ("101-0002")
    assert adsl.loc[u, "TR02SDTM"] == pd.Timestamp("2023-11-02 13:35")
    tbil = adlb[(adlb["USUBJID"] == u) & (adlb["PARAMCD"] == "TBIL")]
    base2 = tbil[(tbil["BASETYPE"] == "STAGE 2") & (tbil["ABLFL"] == "Y")].iloc[0]
    assert (base2["SRCSEQ"], base2["AVAL"], base2["APERIOD"]) == (42, 80.7, 1)
    week5 = tbil[(tbil["BASETYPE"] == "STAGE 2") & (tbil["AVISIT"] == "WEEK 5")].iloc[0]
    assert (week5["BASE"], week5["CHG"]) == (80.7, pytest.approx(70.2 - 80.7))
    stage1 = tbil[(tbil["BASETYPE"] == "STAGE 1") & (tbil["AVISIT"] == "WEEK 5")].iloc[0]
    assert (stage1["BASE"], stage1["CHG"]) == (309.2, pytest.approx(70.2 - 309.2))
    assert adsl.loc[u, "TBILBL"] == 309.2  # ADSL keeps the stage-1 baseline


def test_05_unscheduled_records_are_in_analysis_windows(sample_sdtm, adlb1):  # noqa: F811
    lb = sample_sdtm["LB"]
    uns = lb[lb["VISIT"].str.startswith("UNSCHEDULED")][["USUBJID", "LBSEQ"]]
    rec = adlb1[adlb1["SRCDOM"] == "LB"].merge(uns, left_on=["USUBJID", "SRCSEQ"], right_on=["USUBJID", "LBSEQ"])
    assert len(rec) == 474 and rec["AVISIT"].notna().all()
    assert (rec["ANL01FL"] == "Y").sum() == 93
    assert (rec["ANL02FL"] == "Y").sum() == 54  # the last value on study
    assert ((rec["ANL01FL"] == "Y") | (rec["ANL02FL"] == "Y")).sum() == 106
    assert adlb1["AVISIT"].notna().all()  # 402 records had no AVISIT before
    assert (adlb1["ANL02FL"] == "Y").sum() == 150 * 9  # one last value per subject and parameter


def test_06_scores_come_from_the_analysed_draws_and_name_them(adlb1):
    # 101-0041 week 2 (2024-07-13): two draws; the analysed one (latest time) gives CREAT 0.71,
    # TBIL 20.38, INR 2.21 -> MELD 10 x (0.957 ln 1.0 + 0.378 ln 20.38 + 1.120 ln 2.21 + 0.643) = 26.7
    rows = adlb1[(adlb1["USUBJID"] == SUBJ("101-0041")) & (adlb1["ADT"] == pd.Timestamp("2024-07-13"))]
    flagged = rows[rows["ANL01FL"] == "Y"].set_index("PARAMCD")
    hand = 10 * (0.378 * math.log(20.38) + 1.120 * math.log(2.21) + 0.643)
    assert flagged.loc["MELD", "AVAL"] == round(hand) == 27
    links = dict(part.split(" ") for part in flagged.loc["MELD", "SRCASEQ"].split(", "))
    assert {k: float(v) for k, v in links.items()} == {p: flagged.loc[p, "ASEQ"] for p in ("CREAT", "TBIL", "INR")}
    derived = adlb1[adlb1["PARAMTYP"] == "DERIVED"]
    assert len(derived) == 4413 and derived["SRCASEQ"].notna().all() and (derived["SRCDOM"] == "ADLB").all()


def test_07_adsl_period_variables(sample_adam):  # noqa: F811
    adsl = sample_adam["ADSL"].set_index("USUBJID")
    u = SUBJ("101-0002")
    assert adsl.loc[u, ["TR01INFN", "TR02INFN", "TRTSEQP", "TRTSEQA", "RANDFL"]].tolist() == [
        3, 2, "hUC-MSC/hUC-MSC", "hUC-MSC/hUC-MSC", "Y"]
    assert adsl.loc[u, "AP01EDT"] == adsl.loc[u, "AP02SDT"] == pd.Timestamp("2023-11-02")
    assert adsl.loc[u, "AP02EDT"] == pd.Timestamp("2023-11-09") + pd.Timedelta(days=336)
    assert adsl["TRTSEQP"].value_counts().to_dict() == {
        "Placebo": 49, "hUC-MSC/hUC-MSC": 48, "hUC-MSC/Placebo": 45, "hUC-MSC": 8}
    # fewer than 3 stage-1 infusions: 17 of 49 placebo and 7 of 8 MSC3 subjects (issue 12)
    few = adsl[adsl["TR01INFN"] < 3]
    assert (few["TRTSEQP"] == "Placebo").sum() == 17 and (few["TRTSEQP"] == "hUC-MSC").sum() == 7


def test_08_os_censors_transplants_by_name_and_cnsr_is_0_or_1(sample_adam):  # noqa: F811
    adtte = sample_adam["ADTTE"]
    os_ = adtte[adtte["PARAMCD"] == "OS"]
    ltx = os_[os_["EVNTDESC"] == "CENSORED AT LIVER TRANSPLANTATION"]
    assert len(ltx) == 12 and (ltx["CNSR"] == 1).all() and (ltx["SRCDOM"] == "PR").all()
    row = os_[os_["USUBJID"] == SUBJ("101-0005")].iloc[0]
    assert (row["ADT"], row["CNSDTDSC"]) == (pd.Timestamp("2023-10-30"), "LIVER TRANSPLANTATION DATE")
    assert set(adtte["CNSR"]) == {0, 1}
    admin = adtte[adtte["CNSDTDSC"] == "END OF FOLLOW-UP (WEEK 48)"]
    assert len(admin) == 122 and admin["SRCVAR"].isna().all()
    assert (admin["ADT"] == admin["RANDDT"] + pd.Timedelta(days=336)).all()
