"""derive_var_epoch: EPOCH from the subject's SE intervals."""

import pandas as pd

from aclf_cdisc.sdtm.epoch import derive_var_epoch

SE = pd.DataFrame(
    {
        "USUBJID": ["A", "A", "A", "B"],
        "SESTDTC": ["2024-01-01", "2024-01-08", "2024-02-01", "2024-03-01"],
        "SEENDTC": ["2024-01-08", "2024-02-01", "2024-03-01", None],
        "TAETORD": [1, 2, 3, 1],
        "EPOCH": ["SCREENING", "TREATMENT", "FOLLOW-UP", "SCREENING"],
    }
)


def test_01_element_holds_start_and_the_next_element_wins_the_shared_day():
    data = pd.DataFrame({"USUBJID": ["A", "A", "A"], "LBDTC": ["2024-01-07", "2024-01-08T10:00", "2024-01-31"]})
    out = derive_var_epoch(data, "LBDTC", SE)
    assert out["EPOCH"].tolist() == ["SCREENING", "TREATMENT", "TREATMENT"]


def test_02_last_element_includes_its_end_date_and_nothing_after():
    data = pd.DataFrame({"USUBJID": ["A", "A"], "LBDTC": ["2024-03-01", "2024-03-02"]})
    out = derive_var_epoch(data, "LBDTC", SE)
    assert out["EPOCH"].tolist()[0] == "FOLLOW-UP"
    assert pd.isna(out["EPOCH"].iloc[1])


def test_03_open_last_element_partial_dates_and_unknown_subjects():
    data = pd.DataFrame({"USUBJID": ["B", "A", "C"], "X": ["2030-01-01", "2024-02", "2024-01-10"]})
    out = derive_var_epoch(data, "X", SE)
    assert out["EPOCH"].iloc[0] == "SCREENING"
    assert out["EPOCH"].iloc[1:].isna().all()


def test_04_input_order_kept_and_input_not_mutated():
    data = pd.DataFrame({"USUBJID": ["A", "B", "A"], "X": ["2024-02-10", "2024-03-05", "2024-01-02"]})
    before = data.copy()
    out = derive_var_epoch(data, "X", SE)
    assert out["EPOCH"].tolist() == ["FOLLOW-UP", "SCREENING", "SCREENING"]
    pd.testing.assert_frame_equal(data, before)


def test_05_empty_inputs_give_an_empty_epoch_column():
    empty = pd.DataFrame({"USUBJID": pd.Series(dtype=object), "X": pd.Series(dtype=object)})
    out = derive_var_epoch(empty, "X", SE)
    assert list(out.columns) == ["USUBJID", "X", "EPOCH"] and out.empty
    out = derive_var_epoch(pd.DataFrame({"USUBJID": ["A"], "X": ["2024-01-02"]}), "X", SE.iloc[0:0])
    assert out["EPOCH"].isna().all()
