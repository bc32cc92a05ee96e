"""derive_vars_base_chg_pchg: BASE, CHG, PCHG with PCHG missing when BASE is 0."""

import pandas as pd
import pytest
from adam_helpers import assert_keyed_equal

from aclf_cdisc.adam.derivations import derive_vars_base_chg_pchg
from aclf_cdisc.errors import DerivationError

KEYS = ["USUBJID", "PARAMCD", "AVISITN"]


def expected():
    rows = [
        # TBIL 8.5 -> 6.0: CHG -2.5, PCHG -2.5/8.5*100 = -29.4118
        ("01", "BILI", 0, 8.5, "Y", 8.5, 0.0, 0.0),
        ("01", "BILI", 1, 6.0, None, 8.5, -2.5, -2.5 / 8.5 * 100),
        # ascites grade 0 at baseline: PCHG undefined
        ("01", "ASCGR", 0, 0.0, "Y", 0.0, 0.0, None),
        ("01", "ASCGR", 1, 1.0, None, 0.0, 1.0, None),
        # no baseline: all missing
        ("02", "BILI", 1, 5.0, None, None, None, None),
    ]
    frame = pd.DataFrame(rows, columns=["USUBJID", "PARAMCD", "AVISITN", "AVAL", "ABLFL", "BASE", "CHG", "PCHG"])
    frame.insert(0, "STUDYID", "S")
    return frame


def test_01_base_chg_pchg():
    exp = expected()
    out = derive_vars_base_chg_pchg(exp.drop(columns=["BASE", "CHG", "PCHG"]))
    assert_keyed_equal(out, exp, KEYS)
    assert out.loc[1, "PCHG"] == pytest.approx(-29.4118, abs=1e-4)


def test_02_two_baselines_raise():
    inp = expected().drop(columns=["BASE", "CHG", "PCHG"])
    inp.loc[1, "ABLFL"] = "Y"
    with pytest.raises(DerivationError) as err:
        derive_vars_base_chg_pchg(inp)
    assert [(i.rule, i.row) for i in err.value.issues] == [
        ("adam.baseline-duplicate", "STUDYID=S, USUBJID=01, PARAMCD=BILI")]
