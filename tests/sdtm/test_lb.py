"""LB from the sample export: planted subjects checked by hand against their raw CSV rows."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from sdtm_helpers import STUDYID, raw_csv, raw_rows, usubjid, with_form

from aclf_cdisc.errors import InputError
from aclf_cdisc.sdtm.domains.lb import (
    build_lb,
    derive_var_lobxfl,
    lb_test_categories,
    reference_range_indicator,
    stated_decimals,
)
from aclf_cdisc.spec.schemas import dataset_schema


def one(lb: pd.DataFrame, subjid: str, testcd: str, visit: str) -> dict:
    rows = lb[(lb["USUBJID"] == usubjid(subjid)) & (lb["LBTESTCD"] == testcd) & (lb["VISIT"] == visit)]
    assert len(rows) == 1
    return {k: (None if not isinstance(v, str) and pd.isna(v) else v) for k, v in rows.iloc[0].items()}


# 1. structure ------------------------------------------------------------------------------------
def test_01_spec_variables_in_order_and_the_spec_schema_holds(lb, spec) -> None:
    assert tuple(lb.columns) == spec.dataset("LB").variable_names
    dataset_schema(spec, "LB").validate(lb, lazy=True)


def test_02_every_raw_row_is_a_record_except_the_duplicate_entries_reported(lb, lb_built) -> None:
    n_raw = len(raw_csv("lb"))
    dropped = [i for i in lb_built[1] if i.rule == "sdtm.duplicate-record"]
    assert len(lb) == n_raw - len(dropped)
    assert not lb.duplicated(["USUBJID", "LBSEQ"]).any()
    assert set(lb["STUDYID"]) == {STUDYID} and set(lb["DOMAIN"]) == {"LB"}


# 2. test names typed in any case recode through the codelist synonyms ----------------------------
def test_03_every_typed_test_name_maps_to_a_cdisc_test(lb, raw) -> None:
    typed = raw["lb"]["LBTEST"].str.strip().str.lower()
    assert {"total bilirubin", "blood urea nitrogen", "prothrombin activity"} <= set(typed)
    assert sorted(lb["LBTESTCD"].unique()) == ["ALB", "ALT", "AST", "BILI", "CREAT", "INR", "PLAT", "PTA",
                                               "SODIUM", "UREAN"]
    names = lb.drop_duplicates("LBTESTCD").set_index("LBTESTCD")
    assert names.loc["BILI", "LBTEST"] == "Bilirubin" and names.loc["UREAN", "LBTEST"] == "Urea Nitrogen"
    assert names.loc["INR", "LBCAT"] == "COAGULATION" and names.loc["PLAT", "LBCAT"] == "HEMATOLOGY"
    assert names.loc["CREAT", "LBCAT"] == "CHEMISTRY"


def test_04_an_unmapped_test_name_is_an_issue_naming_dataset_variable_row_and_value(raw, spec, dm, se, visits) -> None:
    def typo(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[frame.index[4], "LBTEST"] = "Bilirubin, direct"
        return frame

    forms = with_form(raw, "lb", typo)
    row = int(forms["lb"].loc[forms["lb"].index[4], "__row"])
    with pytest.raises(InputError) as caught:
        build_lb(forms, spec, dm=dm, se=se, visit_map=visits)
    found = [(i.rule, i.dataset, i.column, i.file, i.row, i.value) for i in caught.value.issues]
    assert ("sdtm.ct-unmapped", "LB", "LBTESTCD", "lb.csv", row, "Bilirubin, direct") in found


# 3. values checked by hand --------------------------------------------------------------------------
def test_05_below_limit_creatinine_keeps_the_qualifier_and_has_no_number(lb, planted) -> None:
    subjid = planted["lab_below_limit"]
    (raw_row,) = [r for r in raw_rows("lb", subjid) if r["LBTEST"].strip() == "Creatinine"
                  and r["VISIT"] == "Week 1"]
    assert raw_row["LBORRES"] == "<44" and raw_row["LBORRESU"] == "umol/L"
    rec = one(lb, subjid, "CREAT", "Week 1")
    assert rec["LBORRES"] == "<44"
    assert rec["LBORRESU"] == "umol/L"
    assert rec["LBSTRESC"] == "<44"  # umol/L is the standard (SI) unit: the limit is kept as collected
    assert rec["LBSTRESN"] is None
    assert rec["LBSTRESU"] == "umol/L"
    assert (rec["LBSTNRLO"], rec["LBSTNRHI"]) == (57.0, 111.0)  # site range 57-111 umol/L
    assert rec["LBNRIND"] == "LOW"  # every value below 44 is below the lower limit 57


def test_06_bilirubin_and_creatinine_in_mg_per_decilitre_are_converted_to_si(lb, planted) -> None:
    # site 104 reports conventional units: 10.7 mg/dL x 17.1 = 182.97 -> 183.0 umol/L (1 decimal,
    # LBSTRESN value-level metadata); creatinine 1.33 mg/dL x 88.4 = 117.572 -> 117.6 umol/L
    rows = {r["LBTEST"]: r for r in raw_rows("lb", "104-0001") if r["VISIT"] == "Screening"}
    assert (rows["Total Bilirubin"]["LBORRES"], rows["Total Bilirubin"]["LBORRESU"]) == ("10.7", "mg/dL")
    assert (rows["Creatinine"]["LBORRES"], rows["Creatinine"]["LBORRESU"]) == ("1.33", "mg/dL")
    bili = one(lb, "104-0001", "BILI", "Screening")
    assert (bili["LBSTRESN"], bili["LBSTRESC"], bili["LBSTRESU"]) == (183.0, "183.0", "umol/L")
    assert (bili["LBSTNRLO"], bili["LBSTNRHI"]) == (3.4, 20.5)  # 0.2 x 17.1 = 3.42, 1.2 x 17.1 = 20.52
    assert (bili["LBORRESU"], bili["LBNRIND"]) == ("mg/dL", "HIGH")
    creat = one(lb, "104-0001", "CREAT", "Screening")
    assert (creat["LBSTRESN"], creat["LBSTRESC"], creat["LBSTRESU"]) == (117.6, "117.6", "umol/L")
    assert (creat["LBSTNRLO"], creat["LBSTNRHI"]) == (53.0, 114.9)  # 0.6 x 88.4 = 53.04, 1.3 x 88.4 = 114.92
    assert creat["LBNRIND"] == "HIGH"
    # an SI site's bilirubin is already in the standard unit: kept as collected
    subjid = planted["placebo_completed"]
    (raw_row,) = [r for r in raw_rows("lb", subjid) if r["LBTEST"] == "Total Bilirubin" and r["VISIT"] == "Screening"]
    assert (raw_row["LBORRES"], raw_row["LBORRESU"]) == ("270.7", "umol/L")
    rec = one(lb, subjid, "BILI", "Screening")
    assert (rec["LBSTRESN"], rec["LBSTRESC"], rec["LBSTRESU"]) == (270.7, "270.7", "umol/L")
    assert (rec["LBSTNRLO"], rec["LBSTNRHI"], rec["LBNRIND"]) == (3.4, 20.5, "HIGH")


def test_06b_standard_units_are_one_system_si(lb, spec) -> None:
    assert spec.study.conventions["lab_unit_system"] == "SI"
    units = lb.dropna(subset=["LBSTRESU"]).groupby("LBTESTCD")["LBSTRESU"].agg(set).to_dict()
    assert units == {"ALB": {"g/L"}, "ALT": {"U/L"}, "AST": {"U/L"}, "BILI": {"umol/L"}, "CREAT": {"umol/L"},
                     "INR": {"RATIO"}, "PLAT": {"10^9/L"}, "PTA": {"%"}, "SODIUM": {"mmol/L"}, "UREAN": {"mmol/L"}}
    assert {"mg/dL", "g/dL"} <= set(lb["LBORRESU"].dropna())  # conventional units stay as collected


def test_07_albumin_in_g_per_decilitre_is_multiplied_by_ten(lb) -> None:
    (raw_row,) = [r for r in raw_rows("lb", "104-0001") if r["LBTEST"] == "Albumin" and r["VISIT"] == "Screening"]
    assert (raw_row["LBORRES"], raw_row["LBORRESU"]) == ("2.4", "g/dL")
    rec = one(lb, "104-0001", "ALB", "Screening")
    assert (rec["LBSTRESN"], rec["LBSTRESC"], rec["LBSTRESU"]) == (24.0, "24.0", "g/L")
    assert (rec["LBSTNRLO"], rec["LBSTNRHI"]) == (35.0, 55.0)


def test_08_results_already_in_standard_units_are_kept_as_collected(lb) -> None:
    same = lb[lb["LBORRESU"].eq(lb["LBSTRESU"]) & lb["LBSTRESN"].notna()]
    assert len(same) > 10000
    assert (same["LBSTRESC"] == same["LBORRES"]).all()
    inr = lb[(lb["LBTESTCD"] == "INR") & lb["LBORRES"].notna()]
    assert inr["LBORRESU"].isna().all() and set(inr["LBSTRESU"]) == {"RATIO"}


def test_09_conversion_factors_come_from_the_study_conventions(raw, spec, dm, se, visits) -> None:
    units = {k: dict(v) for k, v in spec.study.conventions["lab_units"].items()}
    units["CREAT"]["from"] = {"umol/L": 1.0, "mg/dL": 100.0}
    study = dataclasses.replace(spec.study, conventions={**spec.study.conventions, "lab_units": units})
    changed = build_lb(raw, dataclasses.replace(spec, study=study), dm=dm, se=se, visit_map=visits)
    rec = one(changed, "104-0001", "CREAT", "Screening")
    assert rec["LBSTRESC"] == "133.0"  # 1.33 mg/dL x 100


def test_10_a_unit_with_no_conversion_is_an_issue(raw, spec, dm, se, visits) -> None:
    def odd_unit(frame: pd.DataFrame) -> pd.DataFrame:
        bili = frame.index[frame["LBTEST"].str.strip().str.lower().eq("total bilirubin")
                           & frame["LBORRES"].notna()][0]
        frame.loc[bili, "LBORRESU"] = "g/L"
        return frame

    forms = with_form(raw, "lb", odd_unit)
    with pytest.raises(InputError) as caught:
        build_lb(forms, spec, dm=dm, se=se, visit_map=visits)
    assert [(i.rule, i.column, i.value) for i in caught.value.issues] == [("sdtm.lab-unit-unknown", "LBORRESU", "g/L")]


# 4. not done, reference range indicator ----------------------------------------------------------
def test_11_tests_not_done_carry_status_and_reason_and_no_result(lb) -> None:
    not_done = lb[lb["LBSTAT"] == "NOT DONE"]
    assert len(not_done) > 0
    assert not_done["LBREASND"].notna().all()
    assert not_done[["LBORRES", "LBSTRESC", "LBSTRESU", "LBNRIND"]].isna().all().all()
    assert not_done["LBSTRESN"].isna().all()


@pytest.mark.parametrize(
    ("value", "comparator", "low", "high", "expected"),
    [
        (10.0, None, 3.4, 20.5, "NORMAL"),
        (3.4, None, 3.4, 20.5, "NORMAL"),
        (3.3, None, 3.4, 20.5, "LOW"),
        (20.6, None, 3.4, 20.5, "HIGH"),
        (44.0, "<", 57.0, 111.0, "LOW"),
        (60.0, "<", 57.0, 111.0, None),  # could be below or above 57: unknown
        (120.0, ">", 57.0, 111.0, "HIGH"),
        (10.0, None, np.nan, np.nan, None),
        (10.0, None, np.nan, 5.0, "HIGH"),
    ],
)
def test_12_reference_range_indicator(value, comparator, low, high, expected) -> None:
    assert reference_range_indicator(value, comparator, low, high) == expected


# 5. last observation before exposure ---------------------------------------------------------------
def test_13_lblobxfl_at_most_once_per_subject_and_test_and_on_or_before_first_infusion(lb, dm) -> None:
    flagged = lb[lb["LBLOBXFL"] == "Y"]
    assert not flagged.duplicated(["USUBJID", "LBTESTCD"]).any()
    first = flagged["USUBJID"].map(dm.set_index("USUBJID")["RFXSTDTC"])
    assert first.notna().all()
    assert (flagged["LBDTC"].str.slice(0, 16) <= first.str.slice(0, 16)).all()
    assert flagged["LBORRES"].notna().all()
    # it is the last one: no later result of the test on or before the first infusion
    cand = lb[lb["LBORRES"].notna()].assign(_first=lambda d: d["USUBJID"].map(dm.set_index("USUBJID")["RFXSTDTC"]))
    cand = cand[cand["LBDTC"].str.slice(0, 16) <= cand["_first"].str.slice(0, 16)]
    latest = cand.sort_values("LBDTC").drop_duplicates(["USUBJID", "LBTESTCD"], keep="last")
    assert set(zip(latest["USUBJID"], latest["LBTESTCD"], latest["LBSEQ"], strict=True)) == set(
        zip(flagged["USUBJID"], flagged["LBTESTCD"], flagged["LBSEQ"], strict=True))
    never_dosed = set(dm.loc[dm["RFXSTDTC"].isna(), "USUBJID"])
    assert not set(flagged["USUBJID"]) & never_dosed


def test_14_week_0_sample_drawn_before_the_infusion_is_the_baseline(lb, dm, planted) -> None:
    subjid = planted["lab_below_limit"]
    assert dm.set_index("USUBJID").loc[usubjid(subjid), "RFXSTDTC"] == "2023-10-17T12:55"
    rec = one(lb, subjid, "CREAT", "Week 0")
    assert rec["LBDTC"] == "2023-10-17T06:33" and rec["LBLOBXFL"] == "Y" and rec["LBDY"] == 1
    assert one(lb, subjid, "CREAT", "Screening")["LBLOBXFL"] is None


def test_15_a_date_only_result_on_the_first_infusion_day_counts_as_before() -> None:
    frame = pd.DataFrame({
        "USUBJID": ["S1", "S1", "S1"], "LBTESTCD": ["INR"] * 3, "LBORRES": ["1.1", "1.2", "1.3"],
        "LBSTAT": [None] * 3, "LBDTC": ["2024-01-01T08:00", "2024-01-05", "2024-01-05T14:00"],
        "_RFXSTDTC": ["2024-01-05T10:00"] * 3, "VISITNUM": [1.0, 2.0, 2.0], "LBSEQ": [1.0, 2.0, 3.0]})
    flagged = derive_var_lobxfl(frame)
    assert flagged["LBLOBXFL"].tolist() == [None, "Y", None]


# 6. duplicates, timing ---------------------------------------------------------------------------
def test_16_exact_duplicate_entries_are_reported_as_warnings_and_dropped(lb, lb_built) -> None:
    dropped = [i for i in lb_built[1] if i.rule == "sdtm.duplicate-record"]
    assert dropped and all(i.severity == "warning" and i.file == "lb.csv" and i.dataset == "LB" for i in dropped)
    # the re-entry typed in another case (rows of 102-0010, Week 24, prothrombin activity) is caught too
    rows = [r for r in raw_rows("lb", "102-0010") if r["VISIT"] == "Week 24"
            and r["LBTEST"].strip().lower() == "prothrombin activity"]
    assert {r["LBTEST"] for r in rows} == {"prothrombin activity", "Prothrombin Activity"}
    assert len(lb[(lb["USUBJID"] == usubjid("102-0010")) & (lb["VISIT"] == "Week 24") & (lb["LBTESTCD"] == "PTA")]) == 1


def test_17_two_different_results_under_one_key_stop_the_build(raw, spec, dm, se, visits) -> None:
    def conflict(frame: pd.DataFrame) -> pd.DataFrame:
        extra = frame.iloc[[0]].copy()
        extra["LBORRES"] = "999"
        extra["__row"] = len(frame) + 1
        return pd.concat([frame, extra], ignore_index=True)

    with pytest.raises(InputError) as caught:
        build_lb(with_form(raw, "lb", conflict), spec, dm=dm, se=se, visit_map=visits)
    assert {i.rule for i in caught.value.issues} == {"sdtm.duplicate-key"}
    assert sorted(i.row for i in caught.value.issues) == [1, len(raw["lb"]) + 1]


def test_18_visits_epoch_and_study_day(lb) -> None:
    rec = one(lb, "101-0008", "CREAT", "Screening")
    assert (rec["VISITNUM"], rec["EPOCH"], rec["LBDTC"], rec["LBDY"]) == (1.0, "SCREENING", "2023-10-14T08:31", -3)
    unscheduled = lb[lb["VISIT"].str.startswith("UNSCHEDULED")]
    assert len(unscheduled) > 0
    assert (unscheduled["VISITNUM"] % 1 > 0).all()
    assert (unscheduled["VISIT"] == unscheduled["VISITNUM"].map(lambda n: f"UNSCHEDULED {n:.2f}")).all()
    assert not (lb["LBDY"] == 0).any()


# 7. qualifiers in standard units, text results, spec consistency ---------------------------------
def test_19_a_qualified_result_already_in_standard_units_keeps_its_bound(raw, spec, dm, se, visits) -> None:
    def below(frame: pd.DataFrame) -> pd.DataFrame:
        alt = frame.index[frame["LBTEST"].str.strip().str.upper().eq("ALT") & frame["LBORRES"].notna()
                          & frame["LBORNRLO"].eq("9")][0]
        frame.loc[alt, "LBORRES"] = "< 5"
        frame.attrs["changed"] = frame.loc[alt, ["SUBJID", "VISIT"]].to_dict()
        return frame

    forms = with_form(raw, "lb", below)
    changed = forms["lb"].attrs["changed"]
    rec = one(build_lb(forms, spec, dm=dm, se=se, visit_map=visits), changed["SUBJID"], "ALT", changed["VISIT"])
    assert (rec["LBORRES"], rec["LBSTRESC"], rec["LBSTRESN"], rec["LBSTRESU"]) == ("< 5", "<5", None, "U/L")
    assert rec["LBNRIND"] == "LOW"  # below 5 is below the lower limit 9


def test_20_a_result_that_is_no_number_is_copied_as_text_with_a_warning(raw, spec, dm, se, visits) -> None:
    def text(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[frame.index[0], "LBORRES"] = "haemolysed"
        return frame

    forms = with_form(raw, "lb", text)
    issues: list = []
    lb = build_lb(forms, spec, dm=dm, se=se, visit_map=visits, issues=issues)
    found = [(i.rule, i.severity, i.row, i.column, i.value) for i in issues if i.rule != "sdtm.duplicate-record"]
    assert found == [("sdtm.lab-result-not-numeric", "warning", 1, "LBORRES", "haemolysed")]
    (rec,) = lb[lb["LBORRES"] == "haemolysed"].to_dict("records")
    assert rec["LBSTRESC"] == "haemolysed" and pd.isna(rec["LBSTRESN"]) and rec["LBNRIND"] is None


def test_21_every_lab_test_of_the_codelist_has_a_category_a_standard_unit_and_a_precision(spec) -> None:
    categories = lb_test_categories(spec)
    assert all(categories.values()), categories
    units = spec.study.conventions["lab_units"]
    decimals = stated_decimals(spec.dataset("LB"))
    for testcd in categories:
        assert testcd in units, testcd
        assert units[testcd]["standard"] in spec.codelists["CL.UNIT"].values
        assert testcd in decimals, testcd
        for unit in units[testcd]["from"]:
            assert unit == "" or unit in spec.codelists["CL.UNIT"].values, (testcd, unit)
