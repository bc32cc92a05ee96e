"""derive_param_tte: transplant-free survival (study.md "TFS") from event and censor sources."""

import pandas as pd
import pytest
from adam_helpers import assert_keyed_equal, dates
from lifelines import KaplanMeierFitter

from aclf_cdisc.adam import CensorSource, EventSource
from aclf_cdisc.adam.derivations import derive_param_tte
from aclf_cdisc.errors import DerivationError

KEYS = ["STUDYID", "USUBJID"]
DEATH = EventSource("adsl", date="DTHDT", filter="DTHFL == 'Y'",
                    set_values_to={"EVNTDESC": "DEATH", "SRCDOM": "ADSL", "SRCVAR": "DTHDT"})
TRANSPLANT = EventSource("pr", date="PRSTDT", filter="PRDECOD == 'LIVER TRANSPLANTATION'",
                         set_values_to={"EVNTDESC": "LIVER TRANSPLANT", "SRCDOM": "PR", "SRCVAR": "PRSTDTC"},
                         srcseq_var="PRSEQ")
LAST_ALIVE = CensorSource("adsl", date="LSTALVDT",
                          set_values_to={"CNSDTDSC": "LAST KNOWN ALIVE DATE", "SRCDOM": "ADSL",
                                         "SRCVAR": "LSTALVDT"})
TFS = {"PARAMCD": "TFS", "PARAM": "Transplant-free Survival (days)"}


def adsl_pr():
    adsl = pd.DataFrame({
        "STUDYID": "S",
        "USUBJID": ["01", "02", "03", "04"],
        "RANDDT": dates("2023-10-01", "2023-10-01", "2023-10-05", "2023-10-05"),
        "DTHFL": ["Y", None, "Y", None],
        "DTHDT": dates("2023-10-20", None, "2023-11-04", None),
        "LSTALVDT": dates("2023-10-20", "2024-09-01", "2023-11-04", "2023-12-01"),
    })
    pr = pd.DataFrame({
        "STUDYID": "S",
        "USUBJID": ["01", "03", "04", "04"],
        "PRSEQ": [1, 1, 1, 2],
        "PRDECOD": ["LIVER TRANSPLANTATION", "LIVER TRANSPLANTATION", "PARACENTESIS", "LIVER TRANSPLANTATION"],
        "PRSTDT": dates("2023-10-10", "2023-11-04", "2023-10-06", "2023-11-01"),
    })
    return adsl, pr


def expected():
    # 01: transplant day 10 beats death day 20 (earliest event wins); AVAL 2023-10-10 - 10-01 + 1 = 10
    # 02: no event: censored at last known alive 2024-09-01; AVAL = 336 + 1 = 337
    # 03: death and transplant on 2023-11-04: tie, DEATH is listed first; AVAL 30 + 1 = 31
    # 04: paracentesis is not an event; transplant 2023-11-01 (PRSEQ 2) beats censor 12-01; AVAL 28
    return pd.DataFrame({
        "STUDYID": "S", "USUBJID": ["01", "02", "03", "04"], "PARAMCD": "TFS",
        "PARAM": "Transplant-free Survival (days)",
        "STARTDT": dates("2023-10-01", "2023-10-01", "2023-10-05", "2023-10-05"),
        "ADT": dates("2023-10-10", "2024-09-01", "2023-11-04", "2023-11-01"),
        "AVAL": [10.0, 337.0, 31.0, 28.0],
        "CNSR": [0, 1, 0, 0],
        "EVNTDESC": ["LIVER TRANSPLANT", None, "DEATH", "LIVER TRANSPLANT"],
        "CNSDTDSC": [None, "LAST KNOWN ALIVE DATE", None, None],
        "SRCDOM": ["PR", "ADSL", "ADSL", "PR"],
        "SRCVAR": ["PRSTDTC", "LSTALVDT", "DTHDT", "PRSTDTC"],
        "SRCSEQ": [1.0, None, None, 2.0],
    })


def run(adsl, pr, events=(DEATH, TRANSPLANT)):
    return derive_param_tte(adsl, {"adsl": adsl, "pr": pr}, "RANDDT", list(events), [LAST_ALIVE], TFS)


def test_01_event_beats_censor_earliest_event_wins_ties_by_source_order():
    adsl, pr = adsl_pr()
    assert_keyed_equal(run(adsl, pr), expected(), KEYS)


def test_02_tie_goes_to_the_source_listed_first():
    adsl, pr = adsl_pr()
    out = run(adsl, pr, events=(TRANSPLANT, DEATH)).set_index("USUBJID")
    assert (out.loc["03", "EVNTDESC"], out.loc["03", "SRCDOM"], out.loc["03", "SRCSEQ"]) == (
        "LIVER TRANSPLANT", "PR", 1.0)


def test_03_shuffled_input_gives_identical_output():
    adsl, pr = adsl_pr()
    reference = run(adsl, pr)
    for seed in range(5):
        shuffled = run(adsl.sample(frac=1, random_state=seed), pr.sample(frac=1, random_state=seed))
        pd.testing.assert_frame_equal(shuffled, reference)


def test_04_event_before_start_date_raises_naming_the_subject():
    adsl, pr = adsl_pr()
    pr.loc[pr["USUBJID"] == "01", "PRSTDT"] = pd.Timestamp("2023-09-25")
    with pytest.raises(DerivationError) as err:
        run(adsl, pr)
    assert [(i.rule, i.dataset, i.row, i.column, i.value) for i in err.value.issues] == [
        ("adam.tte-before-start", "pr", "STUDYID=S, USUBJID=01", "PRSTDT", "2023-09-25")]


def test_05_censor_before_start_date_raises_not_clamped():
    adsl, pr = adsl_pr()
    adsl.loc[adsl["USUBJID"] == "02", "LSTALVDT"] = pd.Timestamp("2023-09-30")
    with pytest.raises(DerivationError) as err:
        run(adsl, pr)
    assert [(i.rule, i.row, i.column) for i in err.value.issues] == [
        ("adam.tte-before-start", "STUDYID=S, USUBJID=02", "LSTALVDT")]


def test_06_event_with_missing_date_raises():
    adsl, pr = adsl_pr()
    adsl.loc[adsl["USUBJID"] == "03", "DTHDT"] = pd.NaT
    with pytest.raises(DerivationError) as err:
        run(adsl, pr)
    assert err.value.issues[0].rule == "adam.tte-event-date-missing"
    assert err.value.issues[0].row == "STUDYID=S, USUBJID=03"


def test_07_subject_without_start_date_gets_no_record():
    adsl, pr = adsl_pr()
    adsl.loc[adsl["USUBJID"] == "02", "RANDDT"] = pd.NaT
    assert run(adsl, pr)["USUBJID"].tolist() == ["01", "03", "04"]


def test_08_existing_paramcd_is_not_overwritten():
    adsl, pr = adsl_pr()
    first = run(adsl, pr)
    with pytest.raises(DerivationError) as err:
        derive_param_tte(adsl, {"adsl": adsl, "pr": pr}, "RANDDT", [DEATH], [LAST_ALIVE], TFS, dataset=first)
    assert err.value.issues[0].rule == "adam.paramcd-exists"


def test_09_inputs_are_not_mutated():
    adsl, pr = adsl_pr()
    before = adsl.copy(), pr.copy()
    run(adsl, pr)
    pd.testing.assert_frame_equal(adsl, before[0])
    pd.testing.assert_frame_equal(pr, before[1])


def test_10_kaplan_meier_from_adtte_matches_hand_computation_and_lifelines():
    # Six subjects randomized 2023-10-01 (overall survival: death only).
    # AVAL/CNSR: 5/0, 8/1 (censored), 10/0, 10/0, 15/1, 20/0
    # Hand KM: t=5: at risk 6, 1 event -> S = 5/6 = 0.8333
    #          t=10: at risk 4 (8 censored left), 2 events -> S = 5/6 * 2/4 = 0.4167
    #          t=20: at risk 1 (15 censored left), 1 event -> S = 0
    adsl = pd.DataFrame({
        "STUDYID": "S", "USUBJID": [f"0{i}" for i in range(1, 7)],
        "RANDDT": dates(*["2023-10-01"] * 6),
        "DTHFL": ["Y", None, "Y", "Y", None, "Y"],
        "DTHDT": dates("2023-10-05", None, "2023-10-10", "2023-10-10", None, "2023-10-20"),
        "LSTALVDT": dates("2023-10-05", "2023-10-08", "2023-10-10", "2023-10-10", "2023-10-15", "2023-10-20"),
    })
    os_ = derive_param_tte(adsl, {"adsl": adsl}, "RANDDT", [DEATH], [LAST_ALIVE],
                           {"PARAMCD": "OS", "PARAM": "Overall Survival (days)"})
    assert os_["AVAL"].tolist() == [5.0, 8.0, 10.0, 10.0, 15.0, 20.0]
    assert os_["CNSR"].tolist() == [0, 1, 0, 0, 1, 0]
    kmf = KaplanMeierFitter().fit(os_["AVAL"], event_observed=os_["CNSR"] == 0)
    surv = kmf.survival_function_["KM_estimate"]
    assert surv.loc[5.0] == pytest.approx(5 / 6)
    assert surv.loc[10.0] == pytest.approx(5 / 6 * 2 / 4)
    assert surv.loc[20.0] == pytest.approx(0.0)
    assert kmf.median_survival_time_ == 10.0
