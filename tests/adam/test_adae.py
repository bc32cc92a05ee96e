"""ADAE builder: imputation, TEAE rule of study.md, stage attribution, traceability to AE."""

from __future__ import annotations

import pandas as pd
import pytest
from test_pipeline_frames import adam_spec, make_sdtm

from aclf_cdisc.adam.pipeline import build_adam


@pytest.fixture(scope="module")
def adae():
    return build_adam(make_sdtm(), adam_spec())["ADAE"].set_index(["USUBJID", "AESEQ"])


@pytest.mark.parametrize(("key", "trtemfl", "why"), [
    (("S1", 1), None, "started before the first infusion (2023-10-02)"),
    (("S1", 2), "Y", "pre-existing AE (same AEGRPID) worsened MILD -> SEVERE after the first infusion"),
    (("S1", 3), "Y", "unknown start day in the month of first infusion: imputed to TRTSDT"),
    (("S1", 4), "Y", "starts exactly 28 days after the last infusion (2023-10-16)"),
    (("S1", 5), None, "starts 29 days after the last infusion"),
    (("S2", 1), "Y", "in the window, during stage 2"),
])
def test_01_trtemfl_follows_the_study_rule(adae, key, trtemfl, why):
    value = adae.loc[key, "TRTEMFL"]
    assert (None if pd.isna(value) else value) == trtemfl, why


def test_02_conservative_start_imputation_is_flagged(adae):
    row = adae.loc[("S1", 3)]
    assert row["ASTDT"] == pd.Timestamp("2023-10-02") and row["ASTDTF"] == "D" and row["ASTDY"] == 1


def test_03_stage_attribution(adae):
    assert adae.loc[("S2", 1), ["APERIOD", "APERIODC", "TRTA", "TRTAN"]].tolist() == [2.0, "STAGE 2", "hUC-MSC", 1.0]
    assert adae.loc[("S1", 2), ["APERIOD", "TRTA"]].tolist() == [1.0, "Placebo"]
    assert pd.isna(adae.loc[("S1", 1), "APERIOD"])  # before the first infusion


def test_04_every_adae_record_maps_to_exactly_one_ae_record(adae):
    ae = make_sdtm()["AE"]
    keys = adae.reset_index()[["USUBJID", "AESEQ"]]
    matched = keys.merge(ae[["USUBJID", "AESEQ"]], on=["USUBJID", "AESEQ"], how="left", indicator=True)
    assert len(matched) == len(keys) and (matched["_merge"] == "both").all()
    assert not keys.duplicated().any()
    assert "SF" not in set(keys["USUBJID"])  # screen failure is not in ADSL


def test_05_first_occurrence_flags(adae):
    s1 = adae.loc["S1"]
    assert s1.index[s1["AOCCFL"] == "Y"].tolist() == [3]          # earliest TEAE by ASTDT
    assert s1.index[s1["AOCCIFL"] == "Y"].tolist() == [2]         # the SEVERE one
