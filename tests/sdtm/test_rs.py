"""RS from the sample export: the clinical liver assessments as clinical classification items."""

from __future__ import annotations

import pandas as pd
import pytest
from sdtm_helpers import STUDYID, raw_csv, with_form

from aclf_cdisc.errors import InputError
from aclf_cdisc.sdtm.domains.rs import build_rs
from aclf_cdisc.spec.schemas import dataset_schema


def test_01_two_items_per_assessment_in_spec_order_and_the_schema_holds(rs, spec) -> None:
    n_raw = len(raw_csv("cla"))
    assert len(rs) == 2 * n_raw
    assert tuple(rs.columns) == spec.dataset("RS").variable_names
    assert not rs.duplicated(["USUBJID", "RSSEQ"]).any()
    dataset_schema(spec, "RS").validate(rs, lazy=True)


def test_02_items_categories_and_names_are_cdisc_ct(rs) -> None:
    items = rs.drop_duplicates("RSTESTCD").set_index("RSTESTCD")
    assert sorted(items.index) == ["CPS0102", "WHEG0101"]
    assert items.loc["WHEG0101", "RSTEST"] == "WHEG01-WH Hepatic Encephalopathy Grade"
    assert items.loc["WHEG0101", "RSCAT"] == "WEST HAVEN HEPATIC ENCEPHALOPATHY GRADE"
    assert items.loc["CPS0102", "RSTEST"] == "CPS01-Ascites"
    assert items.loc["CPS0102", "RSCAT"] == "CHILD-PUGH CLASSIFICATION"
    assert set(rs["RSEVAL"]) == {"INVESTIGATOR"}


def test_03_crf_ascites_maps_to_ct_results_and_child_pugh_points(rs, raw) -> None:
    typed = set(raw["cla"]["ASCITES"])
    assert {"None", "none", "NONE", "mild", "Moderate-Severe", "moderate-severe"} <= typed
    ascites = rs[rs["RSTESTCD"] == "CPS0102"]
    pairs = set(zip(ascites["RSORRES"], ascites["RSSTRESC"], ascites["RSSTRESN"], strict=True))
    assert pairs == {("absent", "1", 1.0), ("slight", "2", 2.0), ("moderate", "3", 3.0)}


def test_04_west_haven_grade_by_hand_for_the_first_planted_subject(rs, planted) -> None:
    subjid = planted["placebo_completed"]
    (raw_row,) = [r for r in raw_csv("cla") if r["SUBJID"] == subjid and r["VISIT"] == "Screening"]
    assert (raw_row["CLADAT"], raw_row["ASCITES"], raw_row["HEGRADE"]) == ("30 SEP 2023", "Moderate-Severe", "1")
    visit = rs[(rs["USUBJID"] == f"{STUDYID}-{subjid}") & (rs["VISIT"] == "Screening")].set_index("RSTESTCD")
    he = visit.loc["WHEG0101"]
    assert (he["RSORRES"], he["RSSTRESC"]) == ("GRADE 1", "GRADE 1")
    assert pd.isna(he["RSSTRESN"])  # a grade is text: no numeric standard result (SD1448, CORE-000732)
    ascites = visit.loc["CPS0102"]
    assert (ascites["RSORRES"], ascites["RSSTRESC"], ascites["RSSTRESN"]) == ("moderate", "3", 3.0)
    assert (he["RSDTC"], he["RSDY"], he["VISITNUM"], he["EPOCH"]) == ("2023-09-30", -3, 1.0, "SCREENING")


def test_05_an_unmapped_ascites_grade_is_an_issue_naming_dataset_variable_row_and_value(raw, spec, dm, se,
                                                                                         visits) -> None:
    def tense(cla: pd.DataFrame) -> pd.DataFrame:
        cla.loc[cla.index[3], "ASCITES"] = "Tense"
        return cla

    forms = with_form(raw, "cla", tense)
    row = int(forms["cla"].loc[forms["cla"].index[3], "__row"])
    with pytest.raises(InputError) as caught:
        build_rs(forms, spec, dm=dm, se=se, visit_map=visits)
    assert [(i.rule, i.dataset, i.column, i.file, i.row, i.value) for i in caught.value.issues] == [
        ("sdtm.ct-unmapped", "RS", "RSORRES", "cla.csv", row, "Tense")]
