"""One boundary rule for SDTM EPOCH and ADaM APERIOD: records at a stage start, same day, with and
without a time, land on the same side in both (study.yaml conventions.epoch_boundary)."""

from __future__ import annotations

import pandas as pd
import pytest

from aclf_cdisc.adam.derivations import derive_vars_period, on_or_after_start
from aclf_cdisc.sdtm.epoch import boundary_rule, derive_var_epoch
from aclf_cdisc.spec import load_conventions

# One re-randomized subject: stage-1 infusion 2024-01-01 10:00, stage-2 infusion 2024-01-29 13:35.
SE = pd.DataFrame({
    "USUBJID": "S1", "TAETORD": [1, 2, 3, 4, 5],
    "SESTDTC": ["2023-12-27", "2024-01-01T10:00", "2024-01-22", "2024-01-29T13:35", "2024-02-12"],
    "SEENDTC": ["2024-01-01T10:00", "2024-01-22", "2024-01-29T13:35", "2024-02-12", "2024-12-31"],
    "EPOCH": ["SCREENING", "TREATMENT 1", "TREATMENT 1", "TREATMENT 2", "FOLLOW-UP"],
})
ADSL = pd.DataFrame({
    "STUDYID": "S", "USUBJID": "S1",
    "TR01SDT": pd.to_datetime(["2024-01-01"]), "TR01SDTM": pd.to_datetime(["2024-01-01 10:00"]),
    "TR01EDT": pd.to_datetime(["2024-01-15"]),
    "TR02SDT": pd.to_datetime(["2024-01-29"]), "TR02SDTM": pd.to_datetime(["2024-01-29 13:35"]),
    "TR02EDT": pd.to_datetime(["2024-02-05"]),
    "TRT01A": "HUC-MSC", "TRT02A": "PLACEBO",
})
# at each stage start: before by a minute, the very minute, the date alone, after
DTC = ["2024-01-01T09:59", "2024-01-01T10:00", "2024-01-01", "2024-01-01T11:00",
       "2024-01-29T13:34", "2024-01-29T13:35", "2024-01-29", "2024-01-29T14:00", "2024-02-01"]
PERIOD_OF_EPOCH = {"SCREENING": None, "TREATMENT 1": 1, "TREATMENT 2": 2}


def _records() -> pd.DataFrame:
    return pd.DataFrame({"STUDYID": "S", "USUBJID": "S1", "DTC": DTC,
                         "ADT": pd.to_datetime([d[:10] for d in DTC])})


def _epochs_and_periods(se: pd.DataFrame, adsl: pd.DataFrame, observation_class: str) -> tuple[list, list]:
    """EPOCH (from ``se``) and APERIOD (from ``adsl``) of the records, under the class's boundary rule."""
    without_time, start_without_time = boundary_rule(load_conventions(), observation_class)
    records = _records()
    epoch = derive_var_epoch(records, "DTC", se, observation_without_time=without_time,
                             element_start_without_time=start_without_time)["EPOCH"]
    period = derive_vars_period(records, adsl, date="ADT", dtc="DTC", observation_without_time=without_time,
                                element_start_without_time=start_without_time)["APERIOD"]
    return list(epoch), [None if pd.isna(p) else int(p) for p in period]


@pytest.mark.parametrize(("observation_class", "date_only_side"), [("FINDINGS", [None, 1]), ("EVENTS", [1, 2])])
def test_01_epoch_and_aperiod_agree_at_both_stage_starts(observation_class, date_only_side) -> None:
    without_time, start_without_time = boundary_rule(load_conventions(), observation_class)
    epoch, periods = _epochs_and_periods(SE, ADSL, observation_class)
    assert periods == [PERIOD_OF_EPOCH[e] for e in epoch]
    # hand-computed: a minute before stays in the earlier element, the very minute starts the new one,
    # the date alone follows the class's rule (findings before dosing, events after)
    assert periods == [None, 1, date_only_side[0], 1, 1, 2, date_only_side[1], 2, 2]
    # the stage baselines' "before" test is the same rule
    starts = ["2024-01-29T13:35"] * len(DTC)
    after = on_or_after_start(_records()["DTC"], starts, observation_without_time=without_time,
                              element_start_without_time=start_without_time)
    assert after.tolist() == [p == 2 for p in periods]


def test_02_a_date_only_stage_start_begins_at_the_start_of_its_day_in_both() -> None:
    # no infusion time known: TRxxSDTM missing, the SE element starts on the date alone
    se = SE.assign(SESTDTC=SE["SESTDTC"].str[:10], SEENDTC=SE["SEENDTC"].str[:10])
    adsl = ADSL.drop(columns=["TR01SDTM", "TR02SDTM"])
    epoch, periods = _epochs_and_periods(se, adsl, "FINDINGS")
    assert periods == [PERIOD_OF_EPOCH[e] for e in epoch] == [1, 1, 1, 1, 2, 2, 2, 2, 2]
