"""AE from the sample export: planted subjects checked by hand against their raw CSV rows."""

from __future__ import annotations

import pandas as pd
import pytest
from sdtm_helpers import raw_csv, raw_rows, rows_of, with_form

from aclf_cdisc.errors import InputError
from aclf_cdisc.sdtm.domains.ae import build_ae
from aclf_cdisc.spec.schemas import dataset_schema


# 1. structure ------------------------------------------------------------------------------------
def test_01_one_record_per_raw_event_in_spec_order_and_the_schema_holds(ae, spec) -> None:
    assert len(ae) == len(raw_csv("ae"))
    assert tuple(ae.columns) == spec.dataset("AE").variable_names
    assert not ae.duplicated(["USUBJID", "AESEQ"]).any()
    dataset_schema(spec, "AE").validate(ae, lazy=True)


# 2. partial dates --------------------------------------------------------------------------------
def test_02_partial_dates_are_truncated_never_padded_and_have_no_study_day(ae, planted) -> None:
    subjid = planted["ae_partial_dates"]
    (raw_row,) = raw_rows("ae", subjid)
    assert (raw_row["AESTDAT"], raw_row["AEENDAT"]) == ("UN UNK 2023", "UN NOV 2023")
    (rec,) = rows_of(ae, subjid)
    assert rec["AETERM"] == "Pneumonia"
    assert rec["AESTDTC"] == "2023"
    assert rec["AEENDTC"] == "2023-11"
    assert rec["AESTDY"] is None and rec["AEENDY"] is None
    assert rec["EPOCH"] is None  # no element can be chosen for an unknown day


def test_03_unknown_start_day_keeps_year_and_month(ae, planted) -> None:
    subjid = planted["ae_unknown_start_day"]
    # the subject's other AE is the planted fever on the stage-2 infusion day (a boundary case)
    assert len([r for r in raw_rows("ae", subjid) if r["AESTDAT"].startswith("UN ")]) == 1
    (rec,) = [r for r in rows_of(ae, subjid) if len(r["AESTDTC"]) == 7]
    assert rec["AESTDTC"] == "2023-12" and rec["AESTDY"] is None
    assert rec["AEENDTC"] == "2023-12-17" and rec["AEENDY"] == 52  # 17 Dec - 27 Oct (RFSTDTC) + 1


# 3. a worsened pre-existing AE ---------------------------------------------------------------------
def test_04_worsened_record_shares_aegrpid_with_the_pre_existing_one(ae, planted) -> None:
    subjid = planted["ae_preexisting_worsened"]
    raw_pair = raw_rows("ae", subjid)
    assert [r["AEGRPID"] for r in raw_pair] == ["G1", "G1"]
    first, worse = rows_of(ae, subjid)
    assert first["AEGRPID"] == worse["AEGRPID"] == "G1"
    assert (first["AESPID"], worse["AESPID"]) == ("1", "2")
    assert first["AEDECOD"] == worse["AEDECOD"] == "Ascites"
    assert (first["AESEV"], worse["AESEV"]) == ("MILD", "SEVERE")
    # RFSTDTC 2023-10-25: start 21 Oct is day -4 (no day 0), the worsening on 13 Nov is day 20
    assert (first["AESTDTC"], first["AESTDY"], first["EPOCH"]) == ("2023-10-21", -4, "SCREENING")
    assert (worse["AESTDTC"], worse["AESTDY"]) == ("2023-11-13", 20)
    assert (worse["AESER"], worse["AESHOSP"], worse["AESDTH"]) == ("Y", "Y", "N")
    assert first["AESEQ"] < worse["AESEQ"]


# 4. controlled terminology -------------------------------------------------------------------------
def test_05_severity_typed_in_any_case_recodes(ae, raw) -> None:
    typed = set(raw["ae"]["AESEV"])
    assert {"SEVERE", "mild", "moderate"} <= typed
    assert set(ae["AESEV"]) == {"MILD", "MODERATE", "SEVERE"}
    assert set(ae["AEOUT"]) <= {"RECOVERED/RESOLVED", "RECOVERING/RESOLVING", "NOT RECOVERED/NOT RESOLVED",
                                "RECOVERED/RESOLVED WITH SEQUELAE", "FATAL", "UNKNOWN"}


def test_06_an_unmapped_severity_is_an_issue_naming_dataset_variable_row_and_value(raw, spec, dm, se) -> None:
    def typo(frame: pd.DataFrame) -> pd.DataFrame:
        frame.loc[frame.index[2], "AESEV"] = "Grade 4"
        return frame

    forms = with_form(raw, "ae", typo)
    row = int(forms["ae"].loc[forms["ae"].index[2], "__row"])
    with pytest.raises(InputError) as caught:
        build_ae(forms, spec, dm=dm, se=se)
    assert [(i.rule, i.dataset, i.column, i.file, i.row, i.value) for i in caught.value.issues] == [
        ("sdtm.ct-unmapped", "AE", "AESEV", "ae.csv", row, "Grade 4")]


def test_07_fatal_event_of_the_subject_who_died(ae, planted) -> None:
    (rec,) = rows_of(ae, planted["death_before_week4"])
    assert (rec["AEOUT"], rec["AESER"], rec["AESDTH"]) == ("FATAL", "Y", "Y")
    assert rec["EPOCH"] == "TREATMENT 1"


# 5. MedDRA, ongoing ---------------------------------------------------------------------------------
def test_08_meddra_hierarchy_with_numeric_codes_and_the_primary_soc_as_body_system(ae, raw) -> None:
    assert (ae["AEBODSYS"] == ae["AESOC"]).all() and (ae["AEBDSYCD"] == ae["AESOCCD"]).all()
    for column in ("AELLTCD", "AEPTCD", "AEHLTCD", "AEHLGTCD", "AESOCCD"):
        assert ae[column].dtype == "float64" and ae[column].notna().all()
    pneumonia = ae[ae["AEDECOD"] == "Pneumonia"].iloc[0]
    assert (pneumonia["AEPTCD"], pneumonia["AESOC"], pneumonia["AESOCCD"]) == (
        10035664, "Infections and infestations", 10021881)


def test_09_ongoing_events_end_relative_to_the_end_of_study(ae, raw) -> None:
    ongoing = raw["ae"]["AEONGO"].eq("Y").sum()
    assert ongoing > 0
    assert (ae["AEENRTPT"] == "ONGOING").sum() == ongoing
    assert (ae.loc[ae["AEENRTPT"] == "ONGOING", "AEENTPT"] == "END OF STUDY").all()
    assert ae.loc[ae["AEENRTPT"].isna(), "AEENTPT"].isna().all()


def test_10_no_study_day_zero_and_start_days_agree_with_dm(ae, dm) -> None:
    assert not (ae["AESTDY"] == 0).any() and not (ae["AEENDY"] == 0).any()
    complete = ae[ae["AESTDTC"].str.len() >= 10]
    ref = pd.to_datetime(complete["USUBJID"].map(dm.set_index("USUBJID")["RFSTDTC"]).str.slice(0, 10))
    delta = (pd.to_datetime(complete["AESTDTC"].str.slice(0, 10)) - ref).dt.days
    assert (complete["AESTDY"] == delta.where(delta < 0, delta + 1)).all()
