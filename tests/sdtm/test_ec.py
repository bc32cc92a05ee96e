"""EC from the sample export: every planned infusion as collected, and EX derived from it."""

from __future__ import annotations

import pandas as pd
import pytest
from sdtm_helpers import raw_csv, rows_of, usubjid

from aclf_cdisc.errors import DerivationError
from aclf_cdisc.sdtm.domains.ex import build_ex


def test_01_one_record_per_planned_infusion(ec) -> None:
    raw = raw_csv("ex")
    assert len(ec) == len(raw) == 603
    assert ec["ECOCCUR"].value_counts().to_dict() == {"Y": 591, "N": 12}
    assert set(ec["ECTRT"]) == {"hUC-MSC OR PLACEBO"} and set(ec["ECPRESP"]) == {"Y"}
    assert not ec.duplicated(["USUBJID", "ECLNKID"]).any()


def test_02_missed_infusions_keep_their_reason_and_no_dose(ec) -> None:
    raw = [r for r in raw_csv("ex") if r["EXYN"] == "N"]
    missed = ec[ec["ECOCCUR"] == "N"]
    expected = sorted((usubjid(r["SUBJID"]), r["VISIT"], r["EXREASND"]) for r in raw)
    assert sorted(zip(missed["USUBJID"], missed["VISIT"], missed["ECREASOC"], strict=True)) == expected
    assert missed[["ECDOSE", "ECENDTC", "ECREFID"]].isna().all().all()
    assert missed["ECDOSU"].isna().all()


def test_02b_missed_infusions_are_dated_at_their_planned_day_with_an_epoch(ec, dm) -> None:
    # planned date = first infusion date (RFSTDTC, day 1) + TV VISITDY - 1, date only (COM.EC.ECSTDTC)
    visitdy = {"Week 0": 1, "Week 1": 8, "Week 2": 15, "Week 4": 29, "Week 5": 36}
    missed = ec[ec["ECOCCUR"] == "N"]
    day1 = pd.to_datetime(missed["USUBJID"].map(dm.set_index("USUBJID")["RFSTDTC"]).str[:10])
    planned = (day1 + pd.to_timedelta(missed["VISIT"].map(visitdy) - 1, unit="D")).dt.strftime("%Y-%m-%d")
    assert missed["ECSTDTC"].tolist() == planned.tolist()
    assert (missed["ECSTDY"] == missed["VISIT"].map(visitdy)).all()
    by_hand = {r["USUBJID"][-8:]: (r["VISIT"], r["ECSTDTC"], r["EPOCH"]) for r in missed.to_dict("records")}
    assert by_hand["101-0024"] == ("Week 2", "2024-03-13", "TREATMENT 1")  # 2024-02-28 + 14 days
    assert by_hand["101-0013"] == ("Week 5", "2023-12-01", "TREATMENT 2")  # 2023-10-27 + 35 days
    assert by_hand["101-0062"] == ("Week 4", "2024-11-08", "TREATMENT 1")  # no stage-2 element began
    assert missed["EPOCH"].value_counts().to_dict() == {"TREATMENT 1": 11, "TREATMENT 2": 1}


def test_03_the_volume_is_the_collected_dose(ec, planted) -> None:
    given = ec[ec["ECOCCUR"] == "Y"]
    assert set(given["ECDOSE"]) == {100.0} and set(given["ECDOSU"]) == {"mL"}
    rows = rows_of(ec, planted["stage2_msc"])
    assert [(r["VISIT"], r["ECOCCUR"], r["ECDOSE"], r["EPOCH"]) for r in rows] == [
        ("Week 0", "Y", 100.0, "TREATMENT 1"), ("Week 1", "Y", 100.0, "TREATMENT 1"),
        ("Week 2", "Y", 100.0, "TREATMENT 1"), ("Week 4", "Y", 100.0, "TREATMENT 2"),
        ("Week 5", "Y", 100.0, "TREATMENT 2")]


def test_04_ex_is_exactly_the_given_ec_records(ec, ex) -> None:
    given = ec[ec["ECOCCUR"] == "Y"]
    key = ["USUBJID", "ECLNKID", "ECSTDTC", "ECENDTC", "ECREFID", "EPOCH"]
    left = given[key].set_axis(["USUBJID", "LNK", "ST", "EN", "REF", "EPOCH"], axis=1)
    right = ex[["USUBJID", "EXLNKID", "EXSTDTC", "EXENDTC", "EXREFID", "EPOCH"]].set_axis(left.columns, axis=1)
    pd.testing.assert_frame_equal(left.sort_values(["USUBJID", "LNK"]).reset_index(drop=True),
                                  right.sort_values(["USUBJID", "LNK"]).reset_index(drop=True))


def test_05_fewer_than_three_stage1_infusions_are_visible(ec, dm) -> None:
    stage1 = ec[ec["VISIT"].isin(["Week 0", "Week 1", "Week 2"]) & (ec["ECOCCUR"] == "Y")]
    received = stage1.groupby("USUBJID").size()
    arm = dm.set_index("USUBJID")["ARMCD"]
    short = received[received < 3]
    assert len(short) == short.index.map(arm).notna().sum()
    missed = ec[ec["ECOCCUR"] == "N"]
    assert set(missed["USUBJID"]) <= set(received.index)


def test_06_ex_without_an_ec_occurrence_fails(raw, spec, dm, se, ec, visits) -> None:
    first = ec[ec["ECOCCUR"] == "Y"].index[0]
    edited = ec.copy()
    edited.loc[first, "ECOCCUR"] = "N"
    with pytest.raises(DerivationError) as caught:
        build_ex(raw, spec, dm=dm, se=se, ec=edited, visit_map=visits)
    assert [(i.rule, i.value) for i in caught.value.issues] == [("sdtm.ex-not-in-ec", ec.loc[first, "ECLNKID"])]

