"""recode_ct: synonyms, case and space folding, every unmapped value reported."""

import pandas as pd

from aclf_cdisc.sdtm.ct import recode_ct
from aclf_cdisc.spec.model import Codelist, Term

SEX = Codelist(
    oid="CL.SEX",
    name="Sex",
    data_type="text",
    nci_code="C66731",
    terms=(Term("F", "Female", "C16576", synonyms=("woman",)), Term("M", "Male", "C20197")),
)


def test_01_recodes_values_decodes_and_synonyms_case_insensitively():
    values, issues = recode_ct(pd.Series(["female ", "M", "WOMAN", None, "  male"]), SEX, dataset="DM", variable="SEX")
    assert values.tolist()[:3] == ["F", "M", "F"]
    assert pd.isna(values.iloc[3])
    assert values.iloc[4] == "M"
    assert issues == []


def test_02_each_unmapped_value_is_one_issue_with_rows():
    raw = pd.Series(["F", "unknown", "X", "unknown"])
    values, issues = recode_ct(raw, SEX, dataset="DM", variable="SEX", file="dm.csv", rows=pd.Series([2, 3, 4, 5]))
    assert [(i.rule, i.dataset, i.column, i.value, i.row, i.file) for i in issues] == [
        ("sdtm.ct-unmapped", "DM", "SEX", "X", 4, "dm.csv"),
        ("sdtm.ct-unmapped", "DM", "SEX", "unknown", 3, "dm.csv"),
    ]
    assert "rows [3, 5]" in issues[1].message
    assert values.isna().tolist() == [False, True, True, True]


def test_02b_without_source_rows_an_issue_names_no_row_rather_than_a_frame_position():
    raw = pd.Series(["F", "unknown"])  # index 0, 1: positions, not 1-based source rows
    _, issues = recode_ct(raw, SEX, dataset="DM", variable="SEX", file="dm.csv")
    assert [(i.value, i.row) for i in issues] == [("unknown", None)]
    assert "rows" not in issues[0].message
