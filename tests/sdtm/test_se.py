"""SE from the sample export: elements derived from consent, infusion and randomization dates."""

from __future__ import annotations

import pandas as pd
from sdtm_helpers import raw_rows, rows_of

from aclf_cdisc.sdtm.domains.se import build_se


def elements(se: pd.DataFrame, subjid: str) -> list[tuple]:
    return [(r["ETCD"], r["EPOCH"], r["TAETORD"], r["SESTDTC"], r["SEENDTC"]) for r in rows_of(se, subjid)]


def test_01_placebo_patient_elements(se, planted) -> None:
    subjid = planted["placebo_completed"]
    assert raw_rows("ic", subjid)[0]["DSSTDAT"] == "30 SEP 2023"
    first = raw_rows("ex", subjid)[0]
    assert (first["EXDAT"], first["EXSTTIM"]) == ("03 OCT 2023", "12:35")
    assert raw_rows("eos", subjid)[0]["DSSTDAT"] == "03 SEP 2024"
    # INT starts 21 days after 03 OCT 2023 (24 OCT), FU 28 days after (31 OCT)
    assert elements(se, subjid) == [
        ("SCRN", "SCREENING", 1.0, "2023-09-30", "2023-10-03T12:35"),
        ("PBO1", "TREATMENT 1", 2.0, "2023-10-03T12:35", "2023-10-24"),
        ("INT", "TREATMENT 1", 3.0, "2023-10-24", "2023-10-31"),
        ("FU", "FOLLOW-UP", 4.0, "2023-10-31", "2024-09-03"),
    ]
    assert [r["SESEQ"] for r in rows_of(se, subjid)] == [1.0, 2.0, 3.0, 4.0]
    assert [(r["SESTDY"], r["SEENDY"]) for r in rows_of(se, subjid)] == [
        (-3.0, 1.0), (1.0, 22.0), (22.0, 29.0), (29.0, 337.0)]


def test_02_stage2_patient_has_stage2_element(se, planted) -> None:
    subjid = planted["stage2_placebo"]
    week4 = next(r for r in raw_rows("ex", subjid) if r["VISIT"] == "Week 4")
    assert (week4["EXDAT"], week4["EXSTTIM"]) == ("05 NOV 2023", "10:00")
    assert elements(se, subjid) == [
        ("SCRN", "SCREENING", 1.0, "2023-10-03", "2023-10-07T13:55"),
        ("MSC1", "TREATMENT 1", 2.0, "2023-10-07T13:55", "2023-10-28"),
        ("INT", "TREATMENT 1", 3.0, "2023-10-28", "2023-11-05T10:00"),
        ("PBO2", "TREATMENT 2", 4.0, "2023-11-05T10:00", "2023-11-19"),
        ("FU", "FOLLOW-UP", 5.0, "2023-11-19", "2024-09-10"),
    ]


def test_03_death_before_week4_ends_in_the_stage1_element(se, planted) -> None:
    subjid = planted["death_before_week4"]
    assert raw_rows("dd", subjid)[0]["DTHDAT"] == "20 OCT 2023"  # study day 12: before INT (day 22)
    assert elements(se, subjid) == [
        ("SCRN", "SCREENING", 1.0, "2023-10-06", "2023-10-09T11:50"),
        ("MSC1", "TREATMENT 1", 2.0, "2023-10-09T11:50", "2023-10-20"),
    ]


def test_04_transplanted_patient_stops_at_transplant(se, planted) -> None:
    subjid = planted["liver_transplant"]
    assert raw_rows("ltx", subjid)[0]["PRSTDAT"] == "30 OCT 2023"  # day 20
    assert elements(se, subjid) == [
        ("SCRN", "SCREENING", 1.0, "2023-10-08", "2023-10-11T11:50"),
        ("PBO1", "TREATMENT 1", 2.0, "2023-10-11T11:50", "2023-10-30"),
    ]


def test_05_screen_failure_has_screening_only(se, planted) -> None:
    subjid = planted["screen_failure"]
    assert raw_rows("ie", subjid)[0]["IEDAT"] == "10 OCT 2023"
    assert elements(se, subjid) == [("SCRN", "SCREENING", 1.0, "2023-10-08", "2023-10-10")]
    assert rows_of(se, subjid)[0]["SESTDY"] is None


def test_06_elements_are_contiguous_and_every_subject_is_in_dm(se, dm) -> None:
    assert set(se["USUBJID"]) <= set(dm["USUBJID"])
    assert set(dm["USUBJID"]) == set(se["USUBJID"])  # every screened subject has at least SCRN
    for _, group in se.groupby("USUBJID"):
        ordered = group.sort_values("SESEQ")
        assert ordered["SEENDTC"].iloc[:-1].tolist() == ordered["SESTDTC"].iloc[1:].tolist()
        assert (ordered["SESTDTC"].str.slice(0, 10) <= ordered["SEENDTC"].str.slice(0, 10)).all()
    assert not se.duplicated(["USUBJID", "SESEQ"]).any()


def test_07_randomized_not_treated_gets_an_unplanned_element(never_infused, spec, planted) -> None:
    subjid = planted["placebo_completed"]
    se = build_se(never_infused["forms"], spec, dm=never_infused["dm"])
    got = [(r["ETCD"], r["SESTDTC"], r["SEENDTC"], r["SEUPDES"], r["EPOCH"]) for r in rows_of(se, subjid)]
    assert got == [("SCRN", "2023-09-30", "2023-10-03T08:09", None, "SCREENING"),
                   ("UNPLAN", "2023-10-03T08:09", "2024-09-03", "Randomized, not treated", None)]


def test_08_blinded_build_keeps_epochs(blinded, planted) -> None:
    got = [(r["ETCD"], r["EPOCH"]) for r in rows_of(blinded["se"], planted["stage2_msc"])]
    assert got == [("SCRN", "SCREENING"), ("BLINDED", "TREATMENT 1"), ("INT", "TREATMENT 1"),
                   ("BLINDED", "TREATMENT 2"), ("FU", "FOLLOW-UP")]


def test_first_infusions_pick_what_subject_elements_picks() -> None:
    import pandas as pd

    from aclf_cdisc.sdtm.domains.se import first_infusions, planned_elements, subject_elements
    from aclf_cdisc.sdtm.irt import MSC, PBO

    infusions = pd.DataFrame({"USUBJID": ["A", "A", "A", "B"], "STAGE": [1, 1, 2, 1],
                              "EXSTDTC": ["2024-02-01", "2024-01-05", "2024-04-01", "2024-03-01"],
                              "TRTGRP": [MSC, PBO, MSC, MSC]})
    subject = {"RFICDTC": "2024-01-01", "RFPENDTC": "2024-12-31", "RAND1DTC": None, "RAND2DTC": None}
    first1, first2 = first_infusions(infusions, 1), first_infusions(infusions, 2)
    for usubjid in ("A", "B"):
        own = infusions[infusions["USUBJID"] == usubjid]
        assert planned_elements(subject, first1.get(usubjid), first2.get(usubjid)) == subject_elements(subject, own)
