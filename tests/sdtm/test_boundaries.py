"""Element boundaries (issue 12) on the sample and on a larger simulated export: every planted
boundary case lands in the epoch the study's rule gives it, and the conformance rules that would
have caught the date-only EPOCH find nothing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from aclf_cdisc.checks.catalogue import rule_of
from aclf_cdisc.checks.rules import aclf_epoch01_before_element, aclf_ex01_not_in_ec
from aclf_cdisc.raw.reader import read_export
from aclf_cdisc.sample import edc_dir
from aclf_cdisc.sdtm.pipeline import build_sdtm
from aclf_cdisc.simulate import simulate_export, write_export
from aclf_cdisc.simulate.scenarios import BOUNDARY_CASES

STUDYID = "ACLF-MSC-302"
CASES = {c.case: c for c in BOUNDARY_CASES}


def _u(subjid: str) -> str:
    return f"{STUDYID}-{subjid}"


@pytest.fixture(scope="module", params=["sample", "simulated"])
def sdtm(request, spec, tmp_path_factory) -> dict[str, pd.DataFrame]:
    folder: Path = edc_dir()
    if request.param == "simulated":
        folder = tmp_path_factory.mktemp("export")
        write_export(simulate_export(400, 12), folder)
    built = build_sdtm(read_export(folder, spec), spec)
    return {**built, "_source": request.param}  # type: ignore[dict-item]


def _first_infusion(ex: pd.DataFrame, visit: str) -> pd.Series:
    return ex[ex["VISIT"] == visit].set_index("USUBJID")["EXSTDTC"]


def test_01_week0_labs_drawn_before_the_first_infusion_are_screening(sdtm) -> None:
    lb = sdtm["LB"]
    week0 = lb[lb["VISIT"] == "Week 0"]
    first = week0["USUBJID"].map(_first_infusion(sdtm["EX"], "Week 0"))
    assert (week0["LBDTC"] < first).all()  # ISO 8601 text of one day compares in time order
    assert set(week0["EPOCH"]) == {"SCREENING"}
    if sdtm["_source"] == "sample":
        assert len(week0) == 1500


def test_02_week4_labs_of_re_randomized_subjects_follow_the_stage2_dose_time(sdtm) -> None:
    lb, ds = sdtm["LB"], sdtm["DS"]
    rerandomized = set(ds.loc[ds["DSDECOD"] == "RE-RANDOMIZED", "USUBJID"])
    week4 = lb[(lb["VISIT"] == "Week 4") & lb["USUBJID"].isin(rerandomized)]
    dose = week4["USUBJID"].map(_first_infusion(sdtm["EX"], "Week 4"))
    timed = week4["LBDTC"].str.len() > 10
    same_day = week4["LBDTC"].str.slice(0, 10) == dose.str.slice(0, 10)
    before = timed & same_day & (week4["LBDTC"] < dose)
    after = timed & same_day & (week4["LBDTC"] >= dose)
    assert set(week4.loc[before, "EPOCH"]) == {"TREATMENT 1"}
    assert set(week4.loc[after, "EPOCH"]) == {"TREATMENT 2"}
    post = week4[week4["USUBJID"] == _u(CASES["lab_after_stage2_dose"].subjid)]
    assert len(post) == 10 and set(post["EPOCH"]) == {"TREATMENT 2"}
    untimed = week4[week4["USUBJID"] == _u(CASES["lab_without_time_on_stage2_day"].subjid)]
    assert len(untimed) == 10 and (untimed["LBDTC"].str.len() == 10).all()
    assert set(untimed["EPOCH"]) == {"TREATMENT 1"}  # date-only finding on the dosing day: before dosing
    if sdtm["_source"] == "sample":
        assert week4["EPOCH"].value_counts().to_dict() == {"TREATMENT 1": 920, "TREATMENT 2": 10}


def test_03_re_randomization_precedes_the_stage2_element(sdtm) -> None:
    ds = sdtm["DS"]
    rerand = ds[ds["DSDECOD"] == "RE-RANDOMIZED"]
    assert len(rerand) > 0 and "TREATMENT 2" not in set(rerand["EPOCH"])
    dose = rerand["USUBJID"].map(_first_infusion(sdtm["EX"], "Week 4"))
    assert (rerand["DSSTDTC"][dose.notna()] < dose[dose.notna()]).all()


def test_04_date_only_response_on_the_stage2_day_is_before_dosing(sdtm) -> None:
    rs, ex = sdtm["RS"], sdtm["EX"]
    subject = _u(CASES["ae_on_stage2_infusion_day"].subjid)
    day = _first_infusion(ex, "Week 4")[subject][:10]
    week4 = rs[(rs["USUBJID"] == subject) & (rs["VISIT"] == "Week 4")]
    assert set(week4["RSDTC"]) == {day} and set(week4["EPOCH"]) == {"TREATMENT 1"}


def test_05_event_on_the_stage2_infusion_day_belongs_to_stage2(sdtm) -> None:
    case = CASES["ae_on_stage2_infusion_day"]
    ae = sdtm["AE"]
    day = _first_infusion(sdtm["EX"], case.visit)[_u(case.subjid)][:10]
    fever = ae[(ae["USUBJID"] == _u(case.subjid)) & (ae["AEDECOD"] == "Pyrexia") & (ae["AESTDTC"] == day)]
    assert fever["EPOCH"].tolist() == ["TREATMENT 2"]


def test_06_missed_infusion_is_in_ec_with_its_reason_and_not_in_ex(sdtm) -> None:
    case = CASES["missed_infusion_with_reason"]
    ec, ex = sdtm["EC"], sdtm["EX"]
    missed = ec[(ec["USUBJID"] == _u(case.subjid)) & (ec["VISIT"] == case.visit)]
    assert missed[["ECOCCUR", "ECREASOC"]].values.tolist() == [["N", "Subject refused"]]
    assert ex[(ex["USUBJID"] == _u(case.subjid)) & (ex["VISIT"] == case.visit)].empty
    assert len(ex) == (ec["ECOCCUR"] == "Y").sum()
    if sdtm["_source"] == "sample":
        assert (len(ec), len(ex)) == (603, 591)


def test_07_the_boundary_rules_find_nothing(sdtm, spec) -> None:
    datasets = {k: v for k, v in sdtm.items() if not k.startswith("_")}
    assert rule_of(aclf_epoch01_before_element).run(datasets, spec) == []
    assert rule_of(aclf_ex01_not_in_ec).run(datasets, spec) == []
