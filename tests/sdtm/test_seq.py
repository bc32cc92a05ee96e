"""derive_var_seq: unique per subject, independent of input row order."""

import pandas as pd
import pytest

from aclf_cdisc.sdtm.seq import derive_var_seq

EXPECTED = pd.DataFrame(
    {
        "STUDYID": ["S"] * 5,
        "USUBJID": ["S-1", "S-1", "S-1", "S-2", "S-2"],
        "AESTDTC": ["2024-01-01", "2024-01-03", "2024-02", "2024-01-02", "2024-01-05"],
        "AETERM": ["A", "B", "C", "A", "B"],
        "AESEQ": [1.0, 2.0, 3.0, 1.0, 2.0],
    }
)


def test_01_numbers_records_per_subject_in_order():
    out = derive_var_seq(EXPECTED.drop(columns="AESEQ"), "AESEQ", ["AESTDTC", "AETERM"])
    pd.testing.assert_frame_equal(out, EXPECTED)


def test_02_shuffled_input_gives_identical_output():
    shuffled = EXPECTED.drop(columns="AESEQ").sample(frac=1, random_state=7)
    out = derive_var_seq(shuffled, "AESEQ", ["AESTDTC", "AETERM"])
    pd.testing.assert_frame_equal(out, EXPECTED)


def test_03_refuses_to_overwrite():
    with pytest.raises(ValueError, match="AESEQ already exists"):
        derive_var_seq(EXPECTED, "AESEQ", ["AESTDTC"])
