"""DS and SUPPDS from the sample export: milestones and dispositions of the planted subjects."""

from __future__ import annotations

import pandas as pd
import pytest
from sdtm_helpers import raw_csv, raw_rows, rows_of, usubjid, with_form

from aclf_cdisc.errors import DerivationError
from aclf_cdisc.sdtm.domains.ds import build_ds_suppds


def records(ds: pd.DataFrame, subjid: str) -> list[tuple]:
    return [(r["DSSEQ"], r["DSCAT"], r["DSDECOD"], r["DSTERM"], r["DSSTDTC"], r["EPOCH"], r["DSSTDY"])
            for r in rows_of(ds, subjid)]


def test_01_msc_patient_re_randomized_to_placebo(ds, planted) -> None:
    subjid = planted["stage2_placebo"]
    rand = raw_rows("irt_rand", subjid)
    assert [(r["RANDSTG"], r["RANDNO"], r["RANDDAT"], r["RANDTIM"]) for r in rand] == [
        ("1", "R1-1010003", "07 OCT 2023", "08:16"), ("2", "R2-1010002", "05 NOV 2023", "08:41")]
    assert raw_rows("eos", subjid)[0]["DSDECOD"] == "Completed"
    assert [(r["VISIT"], r["EXSTTIM"], r["EXENTIM"]) for r in raw_rows("ex", subjid)][2:] == [
        ("Week 2", "13:15", "13:45"), ("Week 4", "10:00", "11:00"), ("Week 5", "09:40", "10:10")]
    assert records(ds, subjid) == [
        (1.0, "PROTOCOL MILESTONE", "INFORMED CONSENT OBTAINED", "INFORMED CONSENT OBTAINED", "2023-10-03",
         "SCREENING", -4.0),
        # randomized at 08:16, before the first infusion that day: still screening
        (2.0, "PROTOCOL MILESTONE", "RANDOMIZED", "RANDOMIZED (STAGE 1)", "2023-10-07T08:16", "SCREENING", 1.0),
        # stage-1 treatment completed at the end of the week-2 infusion
        (3.0, "DISPOSITION EVENT", "COMPLETED", "COMPLETED", "2023-10-21T13:45", "TREATMENT 1", 15.0),
        # re-randomized at 08:41, before the stage-2 infusion at 10:00: the epoch that ends that day
        (4.0, "PROTOCOL MILESTONE", "RE-RANDOMIZED", "RE-RANDOMIZED (STAGE 2)", "2023-11-05T08:41", "TREATMENT 1",
         30.0),
        (5.0, "DISPOSITION EVENT", "COMPLETED", "COMPLETED", "2023-11-12T10:10", "TREATMENT 2", 37.0),
        (6.0, "DISPOSITION EVENT", "COMPLETED", "COMPLETED", "2024-09-10", "FOLLOW-UP", 340.0),
    ]
    assert [r["DSSCAT"] for r in rows_of(ds, subjid)] == [
        None, None, "STUDY TREATMENT", None, "STUDY TREATMENT", "STUDY PARTICIPATION"]
    assert [r["DSREFID"] for r in rows_of(ds, subjid)] == [None, "R1-1010003", None, "R2-1010002", None, None]


def test_02_death_disposition_carries_dm_death_date(ds, dm, planted) -> None:
    subjid = planted["death_before_week4"]
    eos = raw_rows("eos", subjid)[0]
    assert (eos["DSSTDAT"], eos["DSDECOD"], eos["DSTERM"]) == ("20 OCT 2023", "Death", "Multiple organ failure")
    death = [r for r in rows_of(ds, subjid) if r["DSCAT"] == "DISPOSITION EVENT"]
    assert [(r["DSDECOD"], r["DSTERM"], r["DSSCAT"], r["DSSTDTC"], r["EPOCH"]) for r in death] == [
        ("DEATH", "Multiple organ failure", "STUDY PARTICIPATION", "2023-10-20", "TREATMENT 1"),
        # two stage-1 infusions, dead before week 2: stage-1 treatment discontinued by death
        ("DEATH", "Multiple organ failure", "STUDY TREATMENT", "2023-10-20", "TREATMENT 1")]
    assert dm.set_index("USUBJID").loc[usubjid(subjid), "DTHDTC"] == "2023-10-20"


def test_03_every_ds_death_date_equals_dm_dthdtc(ds, dm) -> None:
    deaths = ds[(ds["DSDECOD"] == "DEATH") & (ds["DSSCAT"] == "STUDY PARTICIPATION")].set_index("USUBJID")["DSSTDTC"]
    assert len(deaths) > 0
    assert deaths.to_dict() == dm.set_index("USUBJID").loc[deaths.index, "DTHDTC"].to_dict()
    assert set(dm.loc[dm["DTHFL"] == "Y", "USUBJID"]) >= set(deaths.index)


def test_04_transplant_ends_study_with_sponsor_term(ds, planted) -> None:
    subjid = planted["liver_transplant"]
    assert raw_rows("eos", subjid)[0]["DSDECOD"] == "Liver transplant"
    last = rows_of(ds, subjid)[-1]
    assert (last["DSDECOD"], last["DSSTDTC"]) == ("LIVER TRANSPLANTATION", "2023-10-30")


def test_05_screen_failure_names_the_criterion(ds, planted) -> None:
    subjid = planted["screen_failure"]
    ie = raw_rows("ie", subjid)[0]
    assert (ie["IEDAT"], ie["IETESTCD"]) == ("10 OCT 2023", "EXCL03")
    assert records(ds, subjid) == [
        (1.0, "PROTOCOL MILESTONE", "INFORMED CONSENT OBTAINED", "INFORMED CONSENT OBTAINED", "2023-10-08",
         "SCREENING", None),
        (2.0, "DISPOSITION EVENT", "SCREEN FAILURE",
         "Eligibility criterion not met: EXCL03 Hepatic encephalopathy grade II or higher at baseline",
         "2023-10-10", "SCREENING", None),
    ]


def test_06_one_disposition_event_per_subject_and_all_in_dm(ds, dm) -> None:
    events = ds[(ds["DSCAT"] == "DISPOSITION EVENT") & (ds["DSSCAT"] == "STUDY PARTICIPATION")]
    assert events["USUBJID"].is_unique
    treatment = ds[ds["DSSCAT"] == "STUDY TREATMENT"]
    assert not treatment.duplicated(["USUBJID", "EPOCH"]).any()
    assert set(ds["USUBJID"]) == set(dm["USUBJID"])
    randomized = set(ds.loc[ds["DSDECOD"] == "RANDOMIZED", "USUBJID"])
    assert randomized == set(dm.loc[dm["ARMCD"].notna(), "USUBJID"])
    assert not ds.duplicated(["USUBJID", "DSSEQ"]).any()


def test_07_suppds_holds_the_consent_version(ds_supp, planted) -> None:
    ds, supp = ds_supp
    subjid = planted["placebo_completed"]
    assert raw_rows("ic", subjid)[0]["ICVER"] == "1.0"
    got = rows_of(supp, subjid)
    assert [(r["RDOMAIN"], r["IDVAR"], r["IDVARVAL"], r["QNAM"], r["QLABEL"], r["QVAL"], r["QORIG"])
            for r in got] == [("DS", "DSSEQ", "1", "ICVER", "Informed Consent Form Version", "1.0", "CRF")]
    consent = ds[(ds["USUBJID"] == usubjid(subjid)) & (ds["DSSEQ"] == 1.0)]
    assert consent["DSDECOD"].tolist() == ["INFORMED CONSENT OBTAINED"]
    assert len(supp) == len(ds[ds["DSDECOD"] == "INFORMED CONSENT OBTAINED"])


def test_08_a_death_date_differing_from_the_death_form_is_an_error(raw, spec, dm, se, planted,
                                                                     sample_records) -> None:
    subjid = planted["death_before_week4"]
    record = [n for n, r in enumerate(sample_records("eos"), start=1) if r["SUBJID"] == subjid]

    def later(eos: pd.DataFrame) -> pd.DataFrame:
        eos.loc[eos["SUBJID"] == subjid, "DSSTDAT"] = "21 OCT 2023"
        return eos

    forms = with_form(raw, "eos", later)
    with pytest.raises(DerivationError) as caught:
        build_ds_suppds(forms, spec, dm=dm, se=se)
    # the end-of-study record's raw file and record, the subject in the message
    assert [(i.rule, i.file, [i.row], i.value) for i in caught.value.issues] == [
        ("sdtm.ds-death-date", "eos.csv", record, "2023-10-21")]
    assert usubjid(subjid) in caught.value.issues[0].message


def test_09_treatment_disposition_per_stage_hand_cases(spec) -> None:
    from aclf_cdisc.sdtm.domains.ds import treatment_dispositions
    ec = pd.DataFrame({
        "USUBJID": ["A", "A", "A", "B", "B", "B", "C", "D"],
        "VISIT": ["Week 0", "Week 1", "Week 2", "Week 0", "Week 1", "Week 2", "Week 0", "Week 0"],
        "ECOCCUR": ["Y", "N", "Y", "Y", "Y", "N", "Y", "Y"],
        "ECREASOC": [None, "Subject refused", None, None, None, "Kit not available at site", None, None],
        "ECSTDTC": ["2024-01-01T10:00", None, "2024-01-15T10:00", "2024-01-01T09:00", "2024-01-08T09:00", None,
                    "2024-01-01T11:00", "2024-01-01T11:00"],
        "ECENDTC": ["2024-01-01T11:00", None, "2024-01-15T11:00", "2024-01-01T10:00", "2024-01-08T10:00", None,
                    "2024-01-01T12:00", "2024-01-01T12:00"],
    })
    eos = pd.DataFrame({"USUBJID": ["C"], "DSDECOD": ["DEATH"], "DSTERM": ["Septic shock"], "DSSTDTC": ["2024-01-05"]})
    schedule = {1: ["Week 0", "Week 1", "Week 2"], 2: ["Week 4", "Week 5"]}
    out, issues = treatment_dispositions(ec, eos, schedule, {1: "TREATMENT 1", 2: "TREATMENT 2"},
                                         spec.codelists["CL.NCOMPLT"])
    assert issues == []
    assert [tuple(r) for r in out[["USUBJID", "DSDECOD", "DSTERM", "DSSTDTC", "_EPOCH", "DSSCAT"]].to_numpy()] == [
        ("A", "COMPLETED", "COMPLETED", "2024-01-15T11:00", "TREATMENT 1", "STUDY TREATMENT"),  # week 1 missed only
        ("B", "LOGISTICAL PROBLEM", "Kit not available at site", "2024-01-08T10:00", "TREATMENT 1", "STUDY TREATMENT"),
        ("C", "DEATH", "Septic shock", "2024-01-05", "TREATMENT 1", "STUDY TREATMENT"),  # never reached week 2
    ]  # D: participation not ended, week 2 not reached yet: no record


def test_10_sample_treatment_dispositions(ds, ec) -> None:
    treatment = ds[ds["DSSCAT"] == "STUDY TREATMENT"]
    stage1 = treatment[treatment["EPOCH"] == "TREATMENT 1"]
    stage2 = treatment[treatment["EPOCH"] == "TREATMENT 2"]
    assert len(stage1) == ec.loc[ec["VISIT"].isin(["Week 0", "Week 1", "Week 2"]), "USUBJID"].nunique()
    assert len(stage2) == ec.loc[ec["VISIT"].isin(["Week 4", "Week 5"]), "USUBJID"].nunique() == 93
    missed_last = ec[(ec["VISIT"] == "Week 2") & (ec["ECOCCUR"] == "N")]
    assert set(stage1.loc[stage1["DSDECOD"] != "COMPLETED", "USUBJID"]) >= set(missed_last["USUBJID"])
    assert stage1["DSDECOD"].value_counts().to_dict() == {
        "COMPLETED": 125, "DEATH": 17, "LIVER TRANSPLANTATION": 3, "LOGISTICAL PROBLEM": 2,
        "PHYSICIAN DECISION": 2, "WITHDRAWAL BY SUBJECT": 1}
    assert len(stage1) == 150
    # 101-0013 refused the week-5 infusion (a planted boundary case): stage-2 treatment not completed
    assert stage2["DSDECOD"].value_counts().to_dict() == {"COMPLETED": 92, "WITHDRAWAL BY SUBJECT": 1}
    refused = stage2[stage2["DSDECOD"] == "WITHDRAWAL BY SUBJECT"]
    assert refused[["USUBJID", "DSTERM"]].values.tolist() == [[usubjid("101-0013"), "Subject refused"]]


def test_11_treatment_dispositions_carry_the_raw_record_they_derive_from(ds, planted) -> None:
    from aclf_cdisc.sdtm.lineage import lineage_of
    lineage = lineage_of(ds)
    assert lineage is not None
    treatment = ds.index[ds["DSSCAT"] == "STUDY TREATMENT"]
    sources = [lineage.source(ds.index.get_loc(i)) for i in treatment]
    assert None not in sources
    assert {file for file, _ in sources} == {"ex.csv", "eos.csv"}
    ex, eos = raw_csv("ex"), raw_csv("eos")
    last_visit = {"TREATMENT 1": "Week 2", "TREATMENT 2": "Week 5"}
    for i, (file, row) in zip(treatment, sources, strict=True):
        record = ds.loc[i]
        source = (ex if file == "ex.csv" else eos)[row - 1]  # 1-based data rows
        assert usubjid(source["SUBJID"]) == record["USUBJID"]
        if file == "ex.csv":  # the stage's last scheduled infusion: given (COMPLETED) or its reason
            assert source["VISIT"] == last_visit[record["EPOCH"]]
            assert (record["DSDECOD"] == "COMPLETED") == (source["EXYN"] == "Y")
            assert source["EXYN"] == "Y" or record["DSTERM"] == source["EXREASND"]
        else:  # never reached: the end-of-study record
            assert record["DSDECOD"] != "COMPLETED"
    # 101-0013 refused the week-5 infusion: its stage-2 record cites that row of the infusion log
    refused = [(file, row) for i, (file, row) in zip(treatment, sources, strict=True)
               if ds.loc[i, "USUBJID"] == usubjid("101-0013") and ds.loc[i, "EPOCH"] == "TREATMENT 2"]
    rows = [n + 1 for n, r in enumerate(ex) if r["SUBJID"] == "101-0013" and r["VISIT"] == "Week 5"]
    assert refused == [("ex.csv", rows[0])]
