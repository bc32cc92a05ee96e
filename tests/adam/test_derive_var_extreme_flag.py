"""derive_var_extreme_flag and derive_var_max_severity_flag: OCCDS occurrence flags."""

import pandas as pd
import pytest
from adam_helpers import assert_keyed_equal, dates

from aclf_cdisc.adam.derivations import derive_var_extreme_flag, derive_var_max_severity_flag
from aclf_cdisc.errors import DerivationError

KEYS = ["USUBJID", "AESEQ"]
FLAGS = ["AOCCFL", "AOCCSFL", "AOCCPFL", "AOCCIFL"]

INTENSITY = ("MILD", "MODERATE", "SEVERE")  # a parameter without default (the study's severity codelist)


def expected():
    rows = [
        # USUBJID AESEQ ASTDT TRTEMFL AEBODSYS AEDECOD ASEV | AOCCFL AOCCSFL AOCCPFL AOCCIFL
        # not emergent: never flagged even though earliest
        ("01", 1, "2023-10-05", None, "GI", "NAUSEA", "SEVERE", None, None, None, None),
        ("01", 2, "2023-10-12", "Y", "GI", "NAUSEA", "MILD", "Y", "Y", "Y", None),
        ("01", 3, "2023-10-12", "Y", "GEN", "PYREXIA", "SEVERE", None, "Y", "Y", "Y"),
        ("01", 4, "2023-10-20", "Y", "GI", "NAUSEA", "SEVERE", None, None, None, None),
        ("01", 5, "2023-10-21", "Y", "GI", "ASCITES", "MODERATE", None, None, "Y", None),
        ("02", 1, "2023-10-15", "Y", "GEN", "PYREXIA", "MILD", "Y", "Y", "Y", "Y"),
    ]
    frame = pd.DataFrame(rows, columns=["USUBJID", "AESEQ", "ASTDT", "TRTEMFL", "AEBODSYS", "AEDECOD", "ASEV",
                                        *FLAGS])
    frame["ASTDT"] = dates(*frame["ASTDT"])
    frame.insert(0, "STUDYID", "S")
    return frame


def derive_all(adae):
    order, te = ("ASTDT", "AESEQ"), "TRTEMFL == 'Y'"
    out = derive_var_extreme_flag(adae, ("STUDYID", "USUBJID"), order, "AOCCFL", filter=te)
    out = derive_var_extreme_flag(out, ("STUDYID", "USUBJID", "AEBODSYS"), order, "AOCCSFL", filter=te)
    out = derive_var_extreme_flag(out, ("STUDYID", "USUBJID", "AEBODSYS", "AEDECOD"), order, "AOCCPFL",
                                  filter=te)
    # the worst TEAE of 01 is SEVERE on 10-12 (AESEQ 3) and 10-20 (AESEQ 4): the first, AESEQ 3
    return derive_var_max_severity_flag(out, intensity_order=INTENSITY)


def test_01_first_occurrence_by_subject_soc_pt_and_max_intensity():
    exp = expected()
    assert_keyed_equal(derive_all(exp.drop(columns=FLAGS)), exp, KEYS)


def test_02_shuffled_input_gives_identical_flags():
    exp = expected()
    assert_keyed_equal(derive_all(exp.drop(columns=FLAGS).sample(frac=1, random_state=5)), exp, KEYS)


def test_03_last_mode():
    out = derive_var_extreme_flag(expected().drop(columns=FLAGS), ("USUBJID",), ("ASTDT", "AESEQ"), "LASTFL",
                                  mode="last")
    assert out.loc[out["LASTFL"] == "Y", "AESEQ"].tolist() == [5, 1]


def test_04_order_that_does_not_separate_records_raises():
    with pytest.raises(DerivationError) as err:
        derive_var_extreme_flag(expected().drop(columns=FLAGS), ("USUBJID",), ("ASTDT",), "AOCCFL",
                                filter="TRTEMFL == 'Y'")
    assert [(i.rule, i.row) for i in err.value.issues] == [("adam.extreme-ambiguous", "USUBJID=01")]


def test_05_unknown_intensity_raises():
    inp = expected().drop(columns=FLAGS)
    inp.loc[2, "ASEV"] = "LIFE THREATENING"
    with pytest.raises(DerivationError) as err:
        derive_var_max_severity_flag(inp, intensity_order=INTENSITY)
    assert [(i.rule, i.value) for i in err.value.issues] == [("adam.intensity-unknown", "LIFE THREATENING")]
