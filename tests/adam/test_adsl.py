"""ADSL builder on hand-made SDTM frames (test_pipeline_frames.make_sdtm)."""

from __future__ import annotations

import pandas as pd
import pytest
from test_pipeline_frames import adam_spec, make_sdtm

from aclf_cdisc.adam.adsl import planned_period_treatments
from aclf_cdisc.adam.pipeline import build_adam
from aclf_cdisc.errors import DerivationError


@pytest.fixture(scope="module")
def spec():
    return adam_spec()


@pytest.fixture(scope="module")
def adam(spec):
    return build_adam(make_sdtm(), spec)


def test_01_one_record_per_randomized_subject_in_spec_order(adam, spec):
    adsl = adam["ADSL"]
    assert adsl["USUBJID"].tolist() == ["S1", "S2", "S3", "S4"]  # screen failure SF left out
    assert list(adsl.columns) == list(spec.dataset("ADSL").variable_names)
    assert spec.dataset("ADSL").label == "Subject-Level Analysis Dataset"


def test_02_values_copied_from_dm_equal_dm(adam):
    dm = make_sdtm()["DM"].set_index("USUBJID")
    adsl = adam["ADSL"].set_index("USUBJID")
    for var in ("STUDYID", "SUBJID", "SITEID", "AGE", "AGEU", "SEX", "RACE", "ETHNIC", "COUNTRY", "ARM", "ARMCD",
                "ACTARM", "ACTARMCD", "DTHFL"):
        left = adsl[var].astype(object).where(adsl[var].notna(), None)
        right = dm.loc[adsl.index, var].astype(object).where(dm.loc[adsl.index, var].notna(), None)
        assert left.tolist() == right.tolist(), var


def test_03_treatments_per_stage_from_the_trial_design(adam, spec):
    assert planned_period_treatments(spec) == {
        "PBO": ("Placebo", None), "MSC-PBO": ("hUC-MSC", "Placebo"), "MSC-MSC": ("hUC-MSC", "hUC-MSC"),
        "MSC": ("hUC-MSC", None)}
    adsl = adam["ADSL"].set_index("USUBJID")
    assert adsl.loc["S3", ["TRT01P", "TRT01A", "TRT02P", "TRT02A"]].tolist() == ["hUC-MSC", "hUC-MSC", "Placebo",
                                                                                 "Placebo"]
    assert adsl.loc["S3", ["TRT01PN", "TRT02PN"]].tolist() == [1.0, 2.0]
    assert pd.isna(adsl.loc["S1", "TRT02P"]) and pd.isna(adsl.loc["S4", "TRT02A"])


def test_04_dates_flags_and_disposition(adam):
    adsl = adam["ADSL"].set_index("USUBJID")
    s2 = adsl.loc["S2"]
    assert s2["RANDDT"] == pd.Timestamp("2023-10-03") and s2["RAND2DT"] == pd.Timestamp("2023-10-31")
    assert s2["TR02SDT"] == pd.Timestamp("2023-10-31") and s2["TRTEDT"] == pd.Timestamp("2023-11-07")
    assert adsl["RAND2FL"].tolist() == ["N", "Y", "Y", "N"]
    assert adsl["ITTFL"].tolist() == ["Y"] * 4 and adsl["SAFFL"].tolist() == ["Y"] * 4
    assert s2["DTHDT"] == pd.Timestamp("2023-12-15") and s2["LSTALVDT"] == s2["DTHDT"]
    assert adsl.loc["S3", "LTXFL"] == "Y" and adsl.loc["S3", "LTXDT"] == pd.Timestamp("2024-01-10")
    assert adsl["EOSSTT"].tolist() == ["COMPLETED", "DISCONTINUED", "DISCONTINUED", "DISCONTINUED"]
    assert adsl.loc["S4", "DCSREAS"] == "WITHDRAWAL BY SUBJECT" and pd.isna(adsl.loc["S1", "DCSREAS"])
    assert adsl.loc["S1", "LSTALVDT"] == pd.Timestamp("2024-09-20")


def test_05_dates_stay_datetime_in_memory(adam):
    assert pd.api.types.is_datetime64_any_dtype(adam["ADSL"]["TRTSDT"])
    assert pd.api.types.is_datetime64_any_dtype(adam["ADTTE"]["ADT"])


def test_06_baselines_from_adlb(adam):
    adsl = adam["ADSL"].set_index("USUBJID")
    assert adsl.loc["S1", ["TBILBL", "INRBL", "ALBBL", "BUNBL", "CREATBL", "SODIUMBL"]].tolist() == pytest.approx([
        171.0, 2.1, 30.0, 6.0, 106.08, 130.0], rel=1e-12)  # SI: TBIL 171 umol/L; CREAT 1.2 mg/dL x 88.4
    assert adsl.loc["S1", ["MELDBL", "MELDNABL", "CTPBL", "CTPCLBL"]].tolist() == [25.0, 28.0, 10.0, "C"]


def test_07_death_before_randomization_stops_the_build_naming_the_subject(spec):
    sdtm = make_sdtm()
    sdtm["DM"].loc[sdtm["DM"]["USUBJID"] == "S2", "DTHDTC"] = "2023-09-01"
    with pytest.raises(DerivationError) as caught:
        build_adam(sdtm, spec)
    found = {(i.rule, i.row, i.column) for i in caught.value.issues}
    assert ("adam.dthdt-before-randomization", "USUBJID=S2", "DTHDT") in found


def test_08_death_flag_without_complete_date_stops_the_build(spec):
    sdtm = make_sdtm()
    sdtm["DM"].loc[sdtm["DM"]["USUBJID"] == "S2", "DTHDTC"] = "2023-12"
    with pytest.raises(DerivationError) as caught:
        build_adam(sdtm, spec)
    assert [(i.rule, i.row) for i in caught.value.issues] == [("adam.death-date-missing", "USUBJID=S2")]


def test_09_a_study_where_nobody_is_re_randomized_yet_builds(spec):
    # an interim export before any stage-2 randomization (or a block of subjects none of whom is):
    # RAND2DT missing for everyone, no second period, the first untouched
    sdtm = make_sdtm()
    whole = build_adam(make_sdtm(), spec)["ADSL"]
    ds = sdtm["DS"]
    sdtm["DS"] = ds[ds["DSDECOD"] != "RE-RANDOMIZED"].reset_index(drop=True)
    adsl = build_adam(sdtm, spec)["ADSL"]
    assert adsl["RAND2DT"].isna().all() and whole["RAND2DT"].notna().any()
    assert adsl["RANDDT"].tolist() == whole["RANDDT"].tolist()
