"""EX from the sample export: administered infusions, treatment from the kit list, cross-checks with DM and SE."""

from __future__ import annotations

from sdtm_helpers import raw_csv, raw_rows, rows_of, usubjid

from aclf_cdisc.sdtm.domains.ec import build_ec
from aclf_cdisc.sdtm.domains.ex import build_ex


def test_01_placebo_infusion_is_named_and_dosed_zero(ex, planted) -> None:
    subjid = planted["placebo_completed"]
    raw_ex = raw_rows("ex", subjid)
    kits = {r["KITNO"]: r["TRTGRP"] for r in raw_rows("irt_kits", subjid)}
    assert [kits[r["KITNO"]] for r in raw_ex] == ["Placebo"] * 3
    got = rows_of(ex, subjid)
    assert [(r["EXSEQ"], r["EXREFID"], r["VISITNUM"], r["VISIT"]) for r in got] == [
        (1.0, "K-515840", 2.0, "Week 0"), (2.0, "K-884559", 3.0, "Week 1"), (3.0, "K-235885", 4.0, "Week 2")]
    first = got[0]
    assert (first["EXTRT"], first["EXDOSE"], first["EXDOSU"], first["EXDOSFRM"]) == (
        "PLACEBO", 0.0, "10^6 Therapeutic Cells", "INJECTION, SOLUTION")
    assert (first["EXROUTE"], first["EXDOSFRQ"], first["EPOCH"]) == ("INTRAVENOUS", "ONCE", "TREATMENT 1")
    assert (raw_ex[0]["EXDAT"], raw_ex[0]["EXSTTIM"], raw_ex[0]["EXENTIM"]) == ("03 OCT 2023", "12:35", "13:20")
    assert (first["EXSTDTC"], first["EXENDTC"], first["EXSTDY"], first["EXENDY"]) == (
        "2023-10-03T12:35", "2023-10-03T13:20", 1.0, 1.0)
    assert (got[2]["EXSTDTC"], got[2]["EXSTDY"]) == ("2023-10-16T11:30", 14.0)


def test_02_msc_infusions_dose_150_million_cells_across_both_stages(ex, planted) -> None:
    subjid = planted["stage2_msc"]
    got = rows_of(ex, subjid)
    assert [(r["EXTRT"], r["EXDOSE"], r["EXDOSFRM"]) for r in got] == [
        ("hUC-MSC", 150.0, "INJECTION, SUSPENSION")] * 5
    assert [r["EPOCH"] for r in got] == ["TREATMENT 1"] * 3 + ["TREATMENT 2"] * 2
    week5 = next(r for r in raw_rows("ex", subjid) if r["VISIT"] == "Week 5")
    assert (week5["EXDAT"], week5["EXSTTIM"]) == ("09 NOV 2023", "11:05")
    assert (got[4]["VISIT"], got[4]["EXSTDTC"], got[4]["EXSTDY"]) == ("Week 5", "2023-11-09T11:05", 36.0)


def test_03_stage2_placebo_after_msc(ex, planted) -> None:
    got = rows_of(ex, planted["stage2_placebo"])
    assert [r["EXTRT"] for r in got] == ["hUC-MSC"] * 3 + ["PLACEBO"] * 2
    assert [r["EXDOSE"] for r in got] == [150.0] * 3 + [0.0] * 2


def test_04_only_administered_infusions_are_exposures(ex) -> None:
    log = raw_csv("ex")
    given = [r for r in log if r["EXYN"].strip().upper() == "Y"]
    assert len(ex) == len(given) < len(log)
    missed = {(usubjid(r["SUBJID"]), r["VISIT"]) for r in log if r["EXYN"].strip().upper() == "N"}
    assert not missed & set(zip(ex["USUBJID"], ex["VISIT"], strict=True))


def test_05_rfxstdtc_is_the_first_ex_date_and_rfxendtc_the_last(ex, dm) -> None:
    first = ex.sort_values("EXSTDTC").groupby("USUBJID")["EXSTDTC"].first()
    last = ex.sort_values("EXENDTC").groupby("USUBJID")["EXENDTC"].last()
    treated = dm[dm["RFXSTDTC"].notna()].set_index("USUBJID")
    assert treated["RFXSTDTC"].to_dict() == first.to_dict()
    assert treated["RFXENDTC"].to_dict() == last.to_dict()
    assert (treated["RFSTDTC"] == treated["RFXSTDTC"]).all()


def test_06_ex_dates_fall_in_treatment_elements(ex, se) -> None:
    treatment = se[se["ETCD"].isin(["MSC1", "PBO1", "MSC2", "PBO2"])]
    merged = ex.merge(treatment, on="USUBJID")
    day = merged["EXSTDTC"].str.slice(0, 10)
    inside = (merged["SESTDTC"].str.slice(0, 10) <= day) & (day < merged["SEENDTC"].str.slice(0, 10))
    matched = merged[inside]
    assert len(matched) == len(ex)  # each infusion in exactly one treatment element
    stage = matched["ETCD"].str.slice(-1).map({"1": "TREATMENT 1", "2": "TREATMENT 2"})
    assert (matched["EPOCH_x"] == stage).all()
    element_trt = matched["ETCD"].str.startswith("MSC").map({True: "hUC-MSC", False: "PLACEBO"})
    assert (matched["EXTRT"] == element_trt).all()


def test_07_every_subject_in_dm_and_seq_unique(ex, dm) -> None:
    assert set(ex["USUBJID"]) <= set(dm["USUBJID"])
    assert not ex.duplicated(["USUBJID", "EXSEQ"]).any()


def test_08_blinded_build_hides_treatment(blinded, spec, planted) -> None:
    ec = build_ec(blinded["forms"], spec, dm=blinded["dm"], se=blinded["se"])
    ex = build_ex(blinded["forms"], spec, dm=blinded["dm"], se=blinded["se"], ec=ec, blinded=True)
    got = rows_of(ex, planted["stage2_placebo"])
    assert {r["EXTRT"] for r in got} == {"BLINDED"}
    assert {r["EXDOSE"] for r in got} == {None}
