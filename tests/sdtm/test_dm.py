"""DM from the sample export: planted subjects checked by hand against their raw CSV rows."""

from __future__ import annotations

import pandas as pd
import pytest
from sdtm_helpers import STUDYID, raw_csv, raw_rows, without_irt

from aclf_cdisc.errors import InputError
from aclf_cdisc.sdtm.assemble import compute_usubjid
from aclf_cdisc.sdtm.domains.dm import actual_armcd, build_dm, run_length_text


def record(dm: pd.DataFrame, subjid: str) -> dict:
    rows = dm[dm["SUBJID"] == subjid]
    assert len(rows) == 1
    return {k: (None if pd.isna(v) else v) for k, v in rows.iloc[0].items()}


# 1. structure ------------------------------------------------------------------------------------
def test_01_one_record_per_screened_subject_in_spec_order(dm, spec) -> None:
    screened = len(raw_csv("dm"))
    assert len(dm) == screened
    assert dm["USUBJID"].is_unique
    assert tuple(dm.columns) == spec.dataset("DM").variable_names


def test_02_usubjid_is_study_site_subject_without_repeating_the_site() -> None:
    got = compute_usubjid(STUDYID, pd.Series(["101", "102"]), pd.Series(["101-0001", "0007"]))
    assert got.tolist() == ["ACLF-MSC-302-101-0001", "ACLF-MSC-302-102-0007"]


# 2. planted subjects ------------------------------------------------------------------------------
def test_03_placebo_patient(dm, planted) -> None:
    subjid = planted["placebo_completed"]
    rand = raw_rows("irt_rand", subjid)
    assert [(r["RANDSTG"], r["TRTGRP"]) for r in rand] == [("1", "Placebo")]
    ex = raw_rows("ex", subjid)
    assert (ex[0]["EXDAT"], ex[0]["EXSTTIM"]) == ("03 OCT 2023", "12:35")
    assert (ex[-1]["EXDAT"], ex[-1]["EXENTIM"]) == ("16 OCT 2023", "12:10")
    assert raw_rows("ic", subjid)[0]["DSSTDAT"] == "30 SEP 2023"
    demo = raw_rows("dm", subjid)[0]
    assert (demo["BRTHDAT"], demo["SEX"], demo["RACE"]) == ("21 JAN 1964", "Male", "Asian")
    assert raw_rows("eos", subjid)[0]["DSSTDAT"] == "03 SEP 2024"
    got = record(dm, subjid)
    assert got["USUBJID"] == f"{STUDYID}-{subjid}"
    assert (got["ARMCD"], got["ARM"], got["ACTARMCD"], got["ACTARM"]) == ("PBO", "Placebo x3", "PBO", "Placebo x3")
    assert got["ARMNRS"] is None and got["ACTARMUD"] is None
    assert got["RFSTDTC"] == got["RFXSTDTC"] == "2023-10-03T12:35"
    assert got["RFXENDTC"] == "2023-10-16T12:10"
    assert got["RFICDTC"] == "2023-09-30"
    assert got["RFENDTC"] == got["RFPENDTC"] == "2024-09-03"
    # born 20 Jan 1964, consent 29 Sep 2023: 59 completed years
    assert (got["BRTHDTC"], got["AGE"], got["AGEU"]) == ("1964-01-21", 59.0, "YEARS")
    assert (got["SEX"], got["RACE"], got["ETHNIC"], got["COUNTRY"]) == ("M", "ASIAN", "NOT HISPANIC OR LATINO", "CHN")
    assert got["DTHFL"] is None and got["DTHDTC"] is None
    # DMDTC = Screening visit 30 SEP 2023, three days before day 1
    assert raw_rows("sv", subjid)[0]["VISDAT"] == "30 SEP 2023"
    assert (got["DMDTC"], got["DMDY"]) == ("2023-09-30", -3.0)


@pytest.mark.parametrize(("scenario", "stage2", "armcd", "arm"), [
    ("stage2_msc", "hUC-MSC", "MSC-MSC", "hUC-MSC x3, then hUC-MSC x2"),
    ("stage2_placebo", "Placebo", "MSC-PBO", "hUC-MSC x3, then Placebo x2"),
])
def test_04_msc_patient_re_randomized_gets_the_multi_stage_arm(dm, planted, scenario, stage2, armcd, arm) -> None:
    subjid = planted[scenario]
    rand = raw_rows("irt_rand", subjid)
    assert [(r["RANDSTG"], r["TRTGRP"]) for r in rand] == [("1", "hUC-MSC"), ("2", stage2)]
    assert len([r for r in raw_rows("ex", subjid) if r["EXYN"] == "Y"]) == 5
    got = record(dm, subjid)
    assert (got["ARMCD"], got["ARM"], got["ACTARMCD"], got["ACTARM"]) == (armcd, arm, armcd, arm)


def test_05_death_before_week4_gets_partial_path_and_death(dm, planted) -> None:
    subjid = planted["death_before_week4"]
    assert [r["RANDSTG"] for r in raw_rows("irt_rand", subjid)] == ["1"]
    assert raw_rows("dd", subjid)[0]["DTHDAT"] == "20 OCT 2023"
    assert [r["VISIT"] for r in raw_rows("ex", subjid)] == ["Week 0", "Week 1"]
    got = record(dm, subjid)
    assert (got["ARMCD"], got["ARM"], got["ACTARMCD"], got["ACTARM"]) == ("MSC", "hUC-MSC x3", "MSC", "hUC-MSC x3")
    assert (got["DTHDTC"], got["DTHFL"]) == ("2023-10-20", "Y")
    assert got["RFENDTC"] == got["RFPENDTC"] == "2023-10-20"
    assert got["RFXENDTC"] == "2023-10-15T14:35"


def test_06_transplanted_patient_ends_at_transplant(dm, planted) -> None:
    subjid = planted["liver_transplant"]
    assert raw_rows("ltx", subjid)[0]["PRSTDAT"] == "30 OCT 2023"
    got = record(dm, subjid)
    assert (got["ARMCD"], got["ACTARMCD"]) == ("PBO", "PBO")
    assert got["RFENDTC"] == got["RFPENDTC"] == "2023-10-30"
    assert got["DTHFL"] is None


def test_07_screen_failure_has_armnrs_and_no_reference_start(dm, planted) -> None:
    subjid = planted["screen_failure"]
    ie = raw_rows("ie", subjid)[0]
    assert (ie["IEYN"], ie["IETESTCD"]) == ("N", "EXCL03")
    assert raw_rows("irt_rand", subjid) == [] and raw_rows("ex", subjid) == []
    got = record(dm, subjid)
    assert got["ARMNRS"] == "SCREEN FAILURE"
    assert all(got[v] is None for v in ("ARMCD", "ARM", "ACTARMCD", "ACTARM", "ACTARMUD"))
    assert all(got[v] is None for v in ("RFSTDTC", "RFENDTC", "RFXSTDTC", "RFXENDTC", "DMDY"))
    assert got["RFICDTC"] == "2023-10-08"
    assert got["RFPENDTC"] == "2023-10-10"  # eligibility assessed 10 OCT 2023, the last contact


# 3. edge cases the sample does not hold ------------------------------------------------------------
def test_08_randomized_never_infused_is_assigned_not_treated_with_randomization_start(never_infused, planted) -> None:
    subjid = planted["placebo_completed"]
    dm = never_infused["dm"]
    got = record(dm, subjid)
    assert (got["ARMCD"], got["ACTARMCD"], got["ARMNRS"]) == ("PBO", None, "ASSIGNED, NOT TREATED")
    assert got["RFSTDTC"] == "2023-10-03T08:09"  # irt_rand 03 OCT 2023 08:09
    assert got["RFXSTDTC"] is None


def test_09_infusions_matching_no_arm_are_unplanned_with_a_description(raw, spec, planted) -> None:
    subjid = planted["stage2_msc"]
    forms = dict(raw.forms)
    kits = forms["irt_kits"].copy()
    week1_kit = raw_rows("ex", subjid)[1]["KITNO"]
    kits.loc[kits["KITNO"] == week1_kit, "TRTGRP"] = "Placebo"
    forms["irt_kits"] = kits
    got = record(build_dm(forms, spec), subjid)
    assert (got["ARMCD"], got["ACTARMCD"], got["ACTARM"]) == ("MSC-MSC", None, None)
    assert got["ARMNRS"] == "UNPLANNED TREATMENT"
    assert got["ACTARMUD"] == "stage 1: hUC-MSC x1, then Placebo x1, then hUC-MSC x1; stage 2: hUC-MSC x2"


def test_10_actual_arm_rules() -> None:
    assert actual_armcd(["hUC-MSC", "hUC-MSC"], []) == "MSC"  # a missed infusion keeps the arm
    assert actual_armcd(["Placebo"] * 3, []) == "PBO"
    assert actual_armcd(["Placebo"] * 3, ["hUC-MSC"]) is None
    assert actual_armcd([], []) is None
    assert run_length_text(["Placebo", "Placebo", "hUC-MSC"]) == "Placebo x2, then hUC-MSC x1"


# 4. blinded builds ---------------------------------------------------------------------------------
def test_11_without_irt_an_unblinded_build_fails_clearly(raw, spec) -> None:
    forms = without_irt(raw)
    with pytest.raises(InputError) as caught:
        build_dm(forms, spec)
    assert {i.rule for i in caught.value.issues} == {"sdtm.irt-missing"}
    assert {i.file for i in caught.value.issues} == {"irt_rand.csv", "irt_kits.csv"}


def test_12_blinded_build_sets_placeholder_arms(blinded, planted) -> None:
    dm = blinded["dm"]
    got = record(dm, planted["stage2_placebo"])
    assert (got["ARMCD"], got["ARM"], got["ACTARMCD"], got["ACTARM"]) == ("BLINDED",) * 4
    assert got["RFSTDTC"] == "2023-10-07T13:55"
    assert record(dm, planted["screen_failure"])["ARMNRS"] == "SCREEN FAILURE"


# 5. age ----------------------------------------------------------------------------------------------
def test_13_age_uses_completed_years_and_imputes_an_unknown_birth_day(raw, spec, planted) -> None:
    subjid = planted["placebo_completed"]
    forms = dict(raw.forms)
    demo = forms["dm"].copy()
    # consent 30 SEP 2023; birth day unknown in SEP 1964 -> 15 SEP 1964 -> 59; UNK month -> 1 JUL -> 59
    demo.loc[demo["SUBJID"] == subjid, "BRTHDAT"] = "UN SEP 1964"
    forms["dm"] = demo
    got = record(build_dm(forms, spec), subjid)
    assert (got["BRTHDTC"], got["AGE"]) == ("1964-09", 59.0)
    demo.loc[demo["SUBJID"] == subjid, "BRTHDAT"] = "UN OCT 1964"
    got = record(build_dm(forms, spec), subjid)
    assert (got["BRTHDTC"], got["AGE"]) == ("1964-10", 58.0)


def test_partial_multi_stage_path_is_a_prefix_of_every_path_it_leads_to(spec, dm) -> None:
    arms = {a.armcd: a.arm for a in spec.study.arms}
    partial = [a.armcd for a in spec.study.arms if not a.planned]
    assert partial == ["MSC"]
    full = {row["ARMCD"] for row in spec.study.trial_arms}
    leads_to = {cd for cd in full if cd.split("-")[0] == "MSC"}
    assert leads_to == {"MSC-PBO", "MSC-MSC"}
    assert all(cd.startswith("MSC-") and arms[cd].startswith(arms["MSC"] + ", ") for cd in leads_to)
    treated = dm[dm["ACTARMCD"].notna() & dm["ARMCD"].notna()]
    assert (treated["ACTARMCD"] == treated["ARMCD"]).all() and (treated["ACTARM"] == treated["ARM"]).all()
    assert dm["ARMCD"].value_counts().to_dict() == {"PBO": 49, "MSC-MSC": 48, "MSC-PBO": 45, "MSC": 8}
