"""ADTTE builder: declared sources, censoring cap, traceability, input order independence."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from test_pipeline_frames import adam_spec, make_sdtm

from aclf_cdisc.adam.pipeline import build_adam
from aclf_cdisc.adam.tte_sources import TTE_PARAMETERS
from aclf_cdisc.errors import DerivationError


@pytest.fixture(scope="module")
def spec():
    return adam_spec()


@pytest.fixture(scope="module")
def adtte(spec):
    return build_adam(make_sdtm(), spec)["ADTTE"]


def _row(adtte, usubjid, paramcd):
    rows = adtte[(adtte["USUBJID"] == usubjid) & (adtte["PARAMCD"] == paramcd)]
    assert len(rows) == 1
    return rows.iloc[0]


def test_01_expected_records(adtte):
    expected = {  # (USUBJID, PARAMCD): (ADT, AVAL, CNSR, SRCDOM, SRCVAR, SRCSEQ)
        # alive after week 48: capped at RANDDT + 336, CNSR 1 (spec 0/1), no source variable
        ("S1", "TFS"): ("2024-09-02", 337, 1, None, None, None),
        ("S1", "OS"): ("2024-09-02", 337, 1, None, None, None),
        ("S2", "TFS"): ("2023-12-15", 74, 0, "DS", "DSSTDTC", 3),        # death, DS record DSSEQ 3
        ("S2", "TFS2"): ("2023-12-15", 46, 0, "DS", "DSSTDTC", 3),       # from RAND2DT 2023-10-31
        ("S2", "OS"): ("2023-12-15", 74, 0, "DS", "DSSTDTC", 3),
        ("S3", "TFS"): ("2024-01-10", 99, 0, "PR", "PRSTDTC", 1),        # transplant
        ("S3", "TFS2"): ("2024-01-10", 71, 0, "PR", "PRSTDTC", 1),
        ("S3", "OS"): ("2024-01-10", 99, 1, "PR", "PRSTDTC", 1),         # OS censored at the transplant
        ("S4", "TFS"): ("2023-10-20", 16, 1, "ADSL", "LSTALVDT", None),  # withdrew
        ("S4", "OS"): ("2023-10-20", 16, 1, "ADSL", "LSTALVDT", None),
    }
    assert len(adtte) == len(expected)  # no TFS2 for S1/S4 (not re-randomized)
    for (usubjid, paramcd), (adt, aval, cnsr, dom, var, seq) in expected.items():
        row = _row(adtte, usubjid, paramcd)
        assert row["ADT"] == pd.Timestamp(adt)
        assert (row["AVAL"], row["CNSR"]) == (aval, cnsr)
        assert (row["SRCDOM"], row["SRCVAR"]) == (dom, var) or (dom is None and pd.isna(row["SRCDOM"])
                                                                and pd.isna(row["SRCVAR"]))
        assert (pd.isna(row["SRCSEQ"]) and seq is None) or row["SRCSEQ"] == seq
        assert row["AVAL"] == (row["ADT"] - row["STARTDT"]).days + 1


def test_01b_censoring_descriptions(adtte):
    """OS of the transplanted S3 names the informative censoring; administrative censoring says so."""
    s3 = _row(adtte, "S3", "OS")
    assert (s3["EVNTDESC"], s3["CNSDTDSC"]) == ("CENSORED AT LIVER TRANSPLANTATION", "LIVER TRANSPLANTATION DATE")
    s1 = _row(adtte, "S1", "TFS")
    assert (s1["EVNTDESC"], s1["CNSDTDSC"]) == ("ALIVE WITHOUT EVENT AT END OF FOLLOW-UP", "END OF FOLLOW-UP (WEEK 48)")
    assert set(adtte["CNSR"]) == {0, 1}


def test_02_trtp_follows_the_analysed_stage(adtte):
    assert _row(adtte, "S3", "TFS")["TRTP"] == "hUC-MSC"
    assert _row(adtte, "S3", "TFS2")["TRTP"] == "Placebo"


def test_03_params_match_the_codelist(adtte, spec):
    terms = {t.submission_value: t.decode for t in spec.codelists["CL.PARAMCD.ADTTE"].terms}
    assert terms == {p.paramcd: p.param for p in TTE_PARAMETERS}
    assert set(spec.codelists["CL.PARAM.ADTTE"].values) == {p.param for p in TTE_PARAMETERS}


def test_04_same_result_whatever_the_input_row_order(spec, adtte):
    sdtm = {name: frame.sample(frac=1.0, random_state=7) for name, frame in make_sdtm().items()}
    again = build_adam(sdtm, spec)["ADTTE"]
    pd.testing.assert_frame_equal(again, adtte)


def test_05_transplant_before_randomization_stops_the_build(spec):
    sdtm = make_sdtm()
    sdtm["PR"].loc[:, "PRSTDTC"] = "2023-09-01"
    with pytest.raises(DerivationError) as caught:
        build_adam(sdtm, spec)
    assert ("adam.ltxdt-before-randomization", "USUBJID=S3") in {(i.rule, i.row) for i in caught.value.issues}


def test_06_death_record_with_partial_date_stops_the_build(spec):
    sdtm = make_sdtm()
    ds = sdtm["DS"]
    ds.loc[(ds["USUBJID"] == "S2") & (ds["DSDECOD"] == "DEATH") & (ds["DSSCAT"] == "STUDY PARTICIPATION"),
           "DSSTDTC"] = "2023-12"
    with pytest.raises(DerivationError) as caught:
        build_adam(sdtm, spec)
    assert [(i.rule, i.dataset, i.row) for i in caught.value.issues] == [
        ("adam.tte-event-date-missing", "DS", "USUBJID=S2")]


def test_07_death_is_taken_from_the_study_participation_record_only(spec, adtte):
    # S2 has two DS DEATH records of 2023-12-15: end of study (DSSEQ 3) and the stage-2 treatment
    # disposition (DSSEQ 4). OS traces the STUDY PARTICIPATION one.
    assert _row(adtte, "S2", "OS")["SRCSEQ"] == 3
    # without the end-of-study record the treatment disposition is no death source: the death is
    # the one DM/ADSL holds (DTHDT 2023-12-15, SRCDOM ADSL), not DS DSSEQ 4
    sdtm = make_sdtm()
    ds = sdtm["DS"]
    sdtm["DS"] = ds[~((ds["USUBJID"] == "S2") & (ds["DSSCAT"] == "STUDY PARTICIPATION"))].reset_index(drop=True)
    row = _row(build_adam(sdtm, spec)["ADTTE"], "S2", "OS")
    assert (str(row["ADT"])[:10], row["CNSR"], row["SRCDOM"], row["SRCVAR"]) == ("2023-12-15", 0, "ADSL", "DTHDT")

def _specs_copy(tmp_path, edits):
    """specs/ copied to tmp_path with each (file, old, new) edit applied once."""
    import shutil
    from pathlib import Path

    root = tmp_path / "specs"
    shutil.copytree(Path(__file__).resolve().parents[2] / "specs", root)
    for name, old, new in edits:
        text = (root / name).read_text(encoding="utf-8")
        assert text.count(old) == 1, old
        (root / name).write_text(text.replace(old, new), encoding="utf-8")
    return root


FOLLOW_UP_40 = [("study.yaml", "follow_up_weeks: 48", "follow_up_weeks: 40"),
                ("codelists.yaml", "{value: END OF FOLLOW-UP (WEEK 48)}", "{value: END OF FOLLOW-UP (WEEK 40)}")]


def test_08_follow_up_weeks_in_the_spec_move_the_end_of_follow_up_and_its_term(tmp_path):
    from aclf_cdisc.spec import load_spec

    adtte = build_adam(make_sdtm(), load_spec(_specs_copy(tmp_path, FOLLOW_UP_40)))["ADTTE"]
    s1 = _row(adtte, "S1", "TFS")  # alive after week 48: now censored at RANDDT + 280 days
    assert (s1["ADT"], s1["AVAL"], s1["CNSR"]) == (pd.Timestamp("2024-07-08"), 281, 1)
    assert s1["CNSDTDSC"] == "END OF FOLLOW-UP (WEEK 40)"
    assert (_row(adtte, "S2", "TFS")["AVAL"], _row(adtte, "S2", "TFS")["CNSR"]) == (74, 0)  # death on day 74
    spec = load_spec(_specs_copy(tmp_path / "m", FOLLOW_UP_40))
    assert "RANDDT + 7 x 40 days" in spec.methods["MT.ADTTE.ADT"].description
    assert "END OF FOLLOW-UP (WEEK 40)" in spec.methods["MT.ADTTE.SRC"].description
    assert "(RANDDT + 7 x 40 days)" in spec.methods["MT.ADTTE.SRC"].description
    assert "APxxEDT = TRxxEDT + 7 x 40 days" in spec.methods["MT.ADSL.APXXDT"].description
    # no method text states the follow-up in days of its own (it said 336 whatever the weeks)
    assert not [m.oid for m in spec.methods.values() if re.search(r"\b(336|280) days", m.description)]


def test_09_cnsr_of_censoring_is_the_spec_convention(tmp_path):
    from aclf_cdisc.spec import load_spec

    spec = load_spec(_specs_copy(tmp_path, [("study.yaml", "cnsr: {event: 0, censored: 1}",
                                             "cnsr: {event: 0, censored: 2}")]))
    adtte = build_adam(make_sdtm(), spec)["ADTTE"]
    assert "censoring (the study's 0/2 convention)" in spec.methods["MT.ADTTE.ADT"].description
    cnsr = {(r.USUBJID, r.PARAMCD): r.CNSR for r in adtte.itertuples()}
    assert cnsr == {("S1", "TFS"): 2, ("S1", "OS"): 2, ("S2", "TFS"): 0, ("S2", "TFS2"): 0, ("S2", "OS"): 0,
                    ("S3", "TFS"): 0, ("S3", "TFS2"): 0, ("S3", "OS"): 2, ("S4", "TFS"): 2, ("S4", "OS"): 2}


def test_10_a_term_the_codelist_does_not_list_or_a_bad_cnsr_is_a_spec_error(tmp_path):
    from aclf_cdisc.adam.tte_sources import tte_parameters
    from aclf_cdisc.errors import SpecError
    from aclf_cdisc.spec import load_spec

    spec = load_spec(_specs_copy(tmp_path / "a", FOLLOW_UP_40[:1]))  # the codelist still says WEEK 48
    with pytest.raises(SpecError) as err:
        tte_parameters(spec)
    assert [(i.rule, i.column, i.value) for i in err.value.issues] == [
        ("spec.tte-description", "CL.CNSDTDSC", "END OF FOLLOW-UP (WEEK 40)")]
    spec = load_spec(_specs_copy(tmp_path / "b", [("study.yaml", "cnsr: {event: 0, censored: 1}",
                                                   "cnsr: {event: 1, censored: 0}")]))
    with pytest.raises(SpecError) as err:
        tte_parameters(spec)
    assert [(i.rule, i.value) for i in err.value.issues] == [("spec.tte-cnsr", "event: 1, censored: 0")]
