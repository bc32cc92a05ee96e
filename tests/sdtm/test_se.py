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


def test_first_infusions_pick_what_subject_elements_picks(spec) -> None:
    import pandas as pd

    from aclf_cdisc.sdtm.domains.se import element_days, first_infusions, planned_elements, subject_elements
    from aclf_cdisc.sdtm.irt import MSC, PBO

    infusions = pd.DataFrame({"USUBJID": ["A", "A", "A", "B"], "STAGE": [1, 1, 2, 1],
                              "EXSTDTC": ["2024-02-01", "2024-01-05", "2024-04-01", "2024-03-01"],
                              "TRTGRP": [MSC, PBO, MSC, MSC]})
    subject = {"RFICDTC": "2024-01-01", "RFPENDTC": "2024-12-31", "RAND1DTC": None, "RAND2DTC": None}
    first1, first2 = first_infusions(infusions, 1), first_infusions(infusions, 2)
    for usubjid in ("A", "B"):
        own = infusions[infusions["USUBJID"] == usubjid]
        days = element_days(spec)
        assert (planned_elements(subject, first1.get(usubjid), first2.get(usubjid), days)
                == subject_elements(subject, own, days))


def _specs_copy(repo_root, tmp_path, edits: dict[str, str]):
    import shutil

    root = tmp_path / "specs"
    shutil.copytree(repo_root / "specs", root)
    study = root / "study.yaml"
    text = study.read_text(encoding="utf-8")
    for old, new in edits.items():
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    study.write_text(text, encoding="utf-8")
    return root


def test_element_days_are_the_te_durations(spec) -> None:
    from aclf_cdisc.sdtm.domains.se import ElementDays, element_days

    # study.yaml TEDUR: MSC1/PBO1 P3W, INT P1W, MSC2/PBO2 P2W
    assert element_days(spec) == ElementDays(stage1=21, interval=7, stage2=14)


def test_te_durations_in_a_spec_copy_move_int_and_fu(repo_root, tmp_path, raw, dm, planted) -> None:
    from aclf_cdisc.spec import load_spec

    # Stage-1 elements 4 weeks (P3W -> P4W), stage-2 elements 3 weeks (P2W -> P3W), INT 2 weeks
    # (P1W -> P2W), in this order so no edit catches another's result.
    root = _specs_copy(repo_root, tmp_path, {})
    study = root / "study.yaml"
    text = study.read_text(encoding="utf-8")
    for old, new, count in (("duration: P3W", "duration: P4W", 2), ("duration: P2W", "duration: P3W", 2),
                            ("duration: P1W", "duration: P2W", 1)):
        assert text.count(old) == count
        text = text.replace(old, new)
    study.write_text(text, encoding="utf-8")
    changed = build_se(raw, load_spec(root), dm=dm)
    # placebo patient, first infusion 03 OCT 2023: INT on day 29 (31 OCT), FU 28 + 14 days after (14 NOV)
    assert elements(changed, planted["placebo_completed"])[1:] == [
        ("PBO1", "TREATMENT 1", 2.0, "2023-10-03T12:35", "2023-10-31"),
        ("INT", "TREATMENT 1", 3.0, "2023-10-31", "2023-11-14"),
        ("FU", "FOLLOW-UP", 4.0, "2023-11-14", "2024-09-03"),
    ]
    # stage-2 placebo patient, first stage-2 infusion 05 NOV 2023: FU 21 days after (26 NOV); INT
    # (07 OCT + 28 = 04 NOV) still before the stage-2 infusion
    assert elements(changed, planted["stage2_placebo"])[2:] == [
        ("INT", "TREATMENT 1", 3.0, "2023-11-04", "2023-11-05T10:00"),
        ("PBO2", "TREATMENT 2", 4.0, "2023-11-05T10:00", "2023-11-26"),
        ("FU", "FOLLOW-UP", 5.0, "2023-11-26", "2024-09-10"),
    ]


def test_stage_elements_with_different_durations_are_a_spec_error(repo_root, tmp_path) -> None:
    import pytest

    from aclf_cdisc.errors import SpecError
    from aclf_cdisc.sdtm.domains.se import element_days
    from aclf_cdisc.spec import load_spec

    root = _specs_copy(repo_root, tmp_path, {
        "end_rule: 3 weeks after the first stage-1 infusion\n    duration: P3W\n  - etcd: PBO1":
        "end_rule: 3 weeks after the first stage-1 infusion\n    duration: P4W\n  - etcd: PBO1"})
    with pytest.raises(SpecError) as err:
        element_days(load_spec(root))
    assert [(i.rule, i.value) for i in err.value.issues] == [("spec.element-duration", "MSC1: P4W, PBO1: P3W")]
