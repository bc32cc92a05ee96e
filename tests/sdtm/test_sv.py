"""SV from the sample export: planned visits done or missed, unscheduled visits and study days."""

from __future__ import annotations

from sdtm_helpers import raw_csv, raw_rows, rows_of


def test_01_placebo_patient_visits(sv, planted) -> None:
    subjid = planted["placebo_completed"]
    raw_sv = raw_rows("sv", subjid)
    assert [(r["VISIT"], r["VISDAT"]) for r in raw_sv[:2]] == [("Screening", "30 SEP 2023"), ("Week 0", "03 OCT 2023")]
    assert [r["VISDAT"] for r in raw_sv if r["VISIT"] in ("Week 4", "End of Study")] == ["31 OCT 2023", "03 SEP 2024"]
    got = rows_of(sv, subjid)
    assert len(got) == len(raw_sv) == 12
    assert [(r["VISITNUM"], r["VISIT"], r["SVPRESP"], r["SVOCCUR"], r["SVSTDTC"], r["SVSTDY"]) for r in got[:2]] == [
        (1.0, "Screening", "Y", "Y", "2023-09-30", -3.0),
        (2.0, "Week 0", "Y", "Y", "2023-10-03", 1.0),
    ]
    week4 = next(r for r in got if r["VISIT"] == "Week 4")
    # 31 OCT 2023 is 28 days after day 1 (03 OCT 2023): day 29
    assert (week4["SVSTDTC"], week4["SVENDTC"], week4["SVSTDY"], week4["VISITDY"]) == (
        "2023-10-31", "2023-10-31", 29.0, 29.0)
    eos = next(r for r in got if r["VISIT"] == "End of Study")
    assert (eos["VISITNUM"], eos["SVSTDTC"], eos["SVSTDY"]) == (12.0, "2024-09-03", 337.0)


def test_02_missed_planned_visit_is_kept_without_dates(sv) -> None:
    missed = [r for r in raw_csv("sv") if r["VISYN"] == "N"]
    assert missed
    first = missed[0]
    assert first["VISDAT"] == ""
    got = [r for r in rows_of(sv, first["SUBJID"]) if r["VISIT"] == first["VISIT"]]
    assert [(r["SVPRESP"], r["SVOCCUR"], r["SVSTDTC"], r["SVSTDY"]) for r in got] == [("Y", "N", None, None)]
    assert (sv["SVOCCUR"] == "N").sum() == len(missed)


def test_03_unscheduled_visits_numbered_after_the_preceding_scheduled_visit(sv) -> None:
    subjid = "101-0017"  # two unscheduled visits after Week 1 (sample, seed 20230930)
    raw_sv = raw_rows("sv", subjid)
    folders = ("Week 1", "Unscheduled 1", "Unscheduled 2")
    assert [(r["VISIT"], r["VISDAT"]) for r in raw_sv if r["VISIT"] in folders] == [
        ("Week 1", "18 NOV 2023"), ("Unscheduled 1", "18 NOV 2023"), ("Unscheduled 2", "22 NOV 2023")]
    got = [(r["VISITNUM"], r["VISIT"], r["SVPRESP"], r["SVOCCUR"], r["VISITDY"], r["SVSTDTC"])
           for r in rows_of(sv, subjid) if 3 <= r["VISITNUM"] < 4]
    assert got == [(3.0, "Week 1", "Y", "Y", 8.0, "2023-11-18"),
                   (3.01, "UNSCHEDULED 3.01", None, None, None, "2023-11-18"),
                   (3.02, "UNSCHEDULED 3.02", None, None, None, "2023-11-22")]


def test_04_keys_unique_and_every_subject_in_dm(sv, dm, spec) -> None:
    assert not sv.duplicated(["USUBJID", "VISITNUM"]).any()
    assert set(sv["USUBJID"]) <= set(dm["USUBJID"])
    assert tuple(sv.columns) == spec.dataset("SV").variable_names
    done = sv[sv["SVOCCUR"] != "N"]
    assert done["SVSTDTC"].notna().all()
