"""compute_unit_conversions per study.md "Unit conversions"."""

import pytest
from conventions_helpers import LAB_UNITS

from aclf_cdisc.adam.derivations import compute_unit_conversions
from aclf_cdisc.errors import DerivationError


def test_01_bilirubin_mg_per_dl_times_17_1():
    # SI standard: 8.5 mg/dL x 17.1 = 145.35 umol/L; umol/L unchanged; µ spelling accepted
    out = compute_unit_conversions([145.35, 8.5, 171.0], ["umol/L", "mg/dL", "µmol/L"], "BILI", LAB_UNITS)
    assert out.tolist() == pytest.approx([145.35, 145.35, 171.0], rel=1e-12)


def test_02_creatinine_mg_per_dl_times_88_4():
    # 1.2 mg/dL x 88.4 = 106.08 umol/L; UMOL/L unchanged
    assert compute_unit_conversions(1.2, "mg/dL", "CREAT", LAB_UNITS) == pytest.approx(106.08, rel=1e-12)
    assert compute_unit_conversions(106.08, "UMOL/L", "CREAT", LAB_UNITS) == pytest.approx(106.08)


def test_03_albumin_g_per_dl_times_10():
    out = compute_unit_conversions([3.2, 32.0], ["g/dL", "g/L"], "ALB", LAB_UNITS)
    assert out.tolist() == pytest.approx([32.0, 32.0])


def test_04_mixed_tests_per_value():
    out = compute_unit_conversions([10.0, 1.0, 3.0], ["mg/dL", "mg/dL", "g/dL"], ["BILI", "CREAT", "ALB"],
                                   LAB_UNITS)
    assert out.tolist() == pytest.approx([171.0, 88.4, 30.0], rel=1e-12)


def test_05_unknown_unit_raises_with_position_and_unit():
    with pytest.raises(DerivationError) as err:
        compute_unit_conversions([1.0, 2.0], ["mg/dL", "mmol/L"], "BILI", LAB_UNITS)
    issue = err.value.issues[0]
    assert (issue.rule, issue.row, issue.column, issue.value) == ("adam.unit-unknown", 2, "BILI", "mmol/L")


def test_06_missing_value_stays_missing_even_without_unit():
    out = compute_unit_conversions([None], [None], "BILI", LAB_UNITS)
    assert out.tolist()[0] != out.tolist()[0]
