"""derive_param_computed: MELD, MELD-Na and CTP records from same-date components."""

import pandas as pd
import pytest
from adam_helpers import assert_keyed_equal, dates
from conventions_helpers import CTP_CONV, MELD_CONV, MELD_NA_CONV

from aclf_cdisc.adam.derivations import (
    compute_ctp_score,
    compute_meld,
    compute_meld_na,
    derive_param_computed,
)
from aclf_cdisc.errors import DerivationError

KEYS = ["USUBJID", "PARAMCD", "ADT"]
MELD = {"PARAMCD": "MELD", "PARAM": "MELD Score"}


def meld_fn(d):
    return compute_meld(d["CREAT"], d["BILI"], d["INR"], meld=MELD_CONV)


def labs():
    rows = [
        # subject 01 on 2023-10-10: Cr 1.2, TBIL 8.5, INR 2.1, Na 130
        ("01", "CREAT", "2023-10-10", 1.2, None), ("01", "BILI", "2023-10-10", 8.5, None),
        ("01", "INR", "2023-10-10", 2.1, None), ("01", "SODIUM", "2023-10-10", 130.0, None),
        ("01", "ALB", "2023-10-10", 27.0, None),
        ("01", "ASCITES", "2023-10-10", None, "MODERATE"), ("01", "HE", "2023-10-10", None, "GRADE 1"),
        # subject 01 on 2023-10-17: INR drawn a day later -> no MELD on either date
        ("01", "CREAT", "2023-10-17", 1.0, None), ("01", "BILI", "2023-10-17", 5.0, None),
        ("01", "INR", "2023-10-18", 1.5, None),
        # subject 02 on 2023-10-12: Cr 0.8, TBIL 0.5, INR 0.9 -> all floored to 1.0
        ("02", "CREAT", "2023-10-12", 0.8, None), ("02", "BILI", "2023-10-12", 0.5, None),
        ("02", "INR", "2023-10-12", 0.9, None),
    ]
    frame = pd.DataFrame(rows, columns=["USUBJID", "PARAMCD", "ADT", "AVAL", "AVALC"])
    frame["ADT"] = dates(*frame["ADT"])
    frame.insert(0, "STUDYID", "S")
    frame["PARAMTYP"] = None
    return frame


def test_01_meld_on_dates_with_all_components():
    # 01 / 10-10: 10 x (0.957 ln 1.2 + 0.378 ln 8.5 + 1.120 ln 2.1 + 0.643) = 24.574 -> 25
    # 02 / 10-12: all values floored to 1.0 -> 6.43 -> 6
    inp = labs()
    new = pd.DataFrame({"STUDYID": "S", "USUBJID": ["01", "02"], "PARAMCD": "MELD",
                        "ADT": dates("2023-10-10", "2023-10-12"), "AVAL": [25.0, 6.0], "AVALC": None,
                        "PARAMTYP": "DERIVED", "PARAM": "MELD Score"})
    exp = pd.concat([inp.assign(PARAM=None), new], ignore_index=True)
    assert_keyed_equal(derive_param_computed(inp, ["CREAT", "BILI", "INR"], meld_fn, MELD), exp, KEYS)


def test_02_same_date_rule_components_on_different_dates_give_no_record():
    out = derive_param_computed(labs(), ["CREAT", "BILI", "INR"], meld_fn, MELD)
    assert out.loc[out["PARAMCD"] == "MELD", "ADT"].tolist() == list(dates("2023-10-10", "2023-10-12"))


def test_03_meld_na_from_the_derived_meld():
    # MELD 25, Na 130: 25 + 1.32*7 - 0.033*25*7 = 28.465 -> 28
    with_meld = derive_param_computed(labs(), ["CREAT", "BILI", "INR"], meld_fn, MELD)
    out = derive_param_computed(with_meld, ["MELD", "SODIUM"],
                                lambda d: compute_meld_na(d["MELD"], d["SODIUM"], meld_na=MELD_NA_CONV),
                                {"PARAMCD": "MELDNA", "PARAM": "MELD-Na Score"})
    row = out[out["PARAMCD"] == "MELDNA"]
    assert (row["USUBJID"].tolist(), row["AVAL"].tolist()) == (["01"], [28.0])


def test_04_ctp_uses_text_grades_from_avalc():
    # TBIL 8.5 (3) + ALB 27 (3) + INR 2.1 (2) + MODERATE ascites (3) + HE grade 1 (2) = 13
    out = derive_param_computed(
        labs(), ["BILI", "ALB", "INR", "ASCITES", "HE"],
        lambda d: compute_ctp_score(d["BILI"], d["ALB"], d["INR"], d["ASCITES"], d["HE"], ctp=CTP_CONV),
        {"PARAMCD": "CTP", "PARAM": "Child-Turcotte-Pugh Score"},
        value_vars={"ASCITES": "AVALC", "HE": "AVALC"})
    row = out[out["PARAMCD"] == "CTP"]
    assert (row["USUBJID"].tolist(), row["AVAL"].tolist(), row["PARAMTYP"].tolist()) == (
        ["01"], [13.0], ["DERIVED"])


def test_05_shuffled_input_gives_identical_derived_records():
    ref = derive_param_computed(labs(), ["CREAT", "BILI", "INR"], meld_fn, MELD)
    shuffled = derive_param_computed(labs().sample(frac=1, random_state=7), ["CREAT", "BILI", "INR"],
                                     meld_fn, MELD)
    assert_keyed_equal(shuffled, ref, KEYS)


def test_06_duplicate_component_on_one_date_raises():
    inp = pd.concat([labs(), labs().iloc[[0]].assign(AVAL=1.3)], ignore_index=True)
    with pytest.raises(DerivationError) as err:
        derive_param_computed(inp, ["CREAT", "BILI", "INR"], meld_fn, MELD)
    issue = err.value.issues[0]
    assert (issue.rule, issue.row, issue.value) == (
        "adam.component-duplicate", "STUDYID=S, USUBJID=01, ADT=2023-10-10", "CREAT")


def test_07_existing_paramcd_is_refused():
    with pytest.raises(DerivationError) as err:
        derive_param_computed(labs(), ["CREAT"], lambda d: d["CREAT"], {"PARAMCD": "BILI"})
    assert err.value.issues[0].rule == "adam.paramcd-exists"
