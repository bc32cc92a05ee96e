"""compute_ctp_points / compute_ctp_score / compute_ctp_class per study.md "CTP"."""

import math

import pandas as pd
import pytest
from conventions_helpers import CTP_CONV

from aclf_cdisc.adam.derivations import compute_ctp_class, compute_ctp_points, compute_ctp_score
from aclf_cdisc.errors import DerivationError


def test_01_bilirubin_bands_with_boundaries_in_middle_band():
    assert compute_ctp_points("TBIL", [1.99, 2.0, 2.5, 3.0, 3.01], ctp=CTP_CONV).tolist() == [1, 2, 2, 2, 3]


def test_02_albumin_bands_with_boundaries_in_middle_band():
    assert compute_ctp_points("ALB", [35.1, 35.0, 30.0, 28.0, 27.9], ctp=CTP_CONV).tolist() == [1, 2, 2, 2, 3]


def test_03_inr_bands_with_boundaries_in_middle_band():
    assert compute_ctp_points("INR", [1.69, 1.7, 2.0, 2.3, 2.31], ctp=CTP_CONV).tolist() == [1, 2, 2, 2, 3]


def test_04_ascites_and_encephalopathy_grades_from_the_spec_maps():
    # study.yaml conventions.ctp: ascites absent/slight/moderate = 1/2/3; West Haven grade 0 = 1,
    # grades 1-2 = 2, grades 3-4 = 3; matched trimmed and case-insensitive.
    grades = ["absent", " Slight ", "MODERATE", None]
    assert compute_ctp_points("ASCITES", grades, ctp=CTP_CONV)[:3].tolist() == [1, 2, 3]
    he = ["GRADE 0", "grade 1", "Grade  2", "GRADE 3", "GRADE 4"]
    assert compute_ctp_points("HE", he, ctp=CTP_CONV).tolist() == [1, 2, 2, 3, 3]
    # The CRF's own words and bare grades are not RS results: they are unknown grades.
    with pytest.raises(DerivationError):
        compute_ctp_points("ASCITES", ["MILD"], ctp=CTP_CONV)
    with pytest.raises(DerivationError):
        compute_ctp_points("HE", [2], ctp=CTP_CONV)


def test_05_unknown_grade_raises_with_position_and_value():
    with pytest.raises(DerivationError) as err:
        compute_ctp_points("ASCITES", ["absent", "TENSE"], ctp=CTP_CONV)
    issue = err.value.issues[0]
    assert (issue.rule, issue.row, issue.column, issue.value) == ("adam.ctp-grade-unknown", 2, "ASCITES", "TENSE")


def test_06_scores_for_hand_picked_patients():
    # A: TBIL 1.5 (1) + ALB 36 (1) + INR 1.2 (1) + no ascites (1) + no HE (1) = 5 -> class A
    # B: TBIL 2.0 (2) + ALB 35 (2) + INR 1.7 (2) + mild (2) + none (1)        = 9 -> class B
    # C: TBIL 8.5 (3) + ALB 27 (3) + INR 2.1 (2) + moderate (3) + grade 1 (2) = 13 -> class C
    # D: TBIL 3.0 (2) + ALB 28 (2) + INR 2.3 (2) + none (1) + none (1)        = 8 -> class B
    score = compute_ctp_score([1.5, 2.0, 8.5, 3.0], [36, 35, 27, 28], [1.2, 1.7, 2.1, 2.3],
                              ["absent", "slight", "moderate", "absent"],
                              ["GRADE 0", "GRADE 0", "GRADE 1", "GRADE 0"], ctp=CTP_CONV)
    assert score.tolist() == [5.0, 9.0, 13.0, 8.0]
    assert compute_ctp_class(score, ctp=CTP_CONV).tolist() == ["A", "B", "C", "B"]


def test_07_any_missing_component_gives_missing_score_and_class():
    assert math.isnan(compute_ctp_score(2.5, None, 1.5, "slight", "GRADE 0", ctp=CTP_CONV))
    assert compute_ctp_class(float("nan"), ctp=CTP_CONV) is None


def test_08_class_boundaries():
    assert compute_ctp_class(pd.Series([5, 6, 7, 9, 10, 15]), ctp=CTP_CONV).tolist() == ["A", "A", "B", "B", "C", "C"]


def test_09_impossible_score_raises():
    with pytest.raises(DerivationError) as err:
        compute_ctp_class([4, 8], ctp=CTP_CONV)
    assert [(i.rule, i.row, i.value) for i in err.value.issues] == [("adam.ctp-score-invalid", 1, 4.0)]
