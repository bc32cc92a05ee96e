"""The session fixtures are shared: the guard in conftest.py must notice a change made in place."""

from __future__ import annotations

from sdtm_helpers import fingerprint, with_form


def test_01_an_in_place_change_changes_the_fingerprint(dm) -> None:
    copy = dm.copy()
    before = fingerprint(copy)
    copy.loc[copy.index[0], "SEX"] = "U" if copy["SEX"].iloc[0] != "U" else "F"
    assert fingerprint(copy) != before


def test_02_editing_a_form_through_with_form_leaves_the_export_alone(raw) -> None:
    before = fingerprint(raw)

    def blank(frame):
        frame.loc[frame.index[0], "SEX"] = ""
        return frame

    forms = with_form(raw, "dm", blank)
    assert forms["dm"] is not raw.forms["dm"]
    assert fingerprint(raw) == before
