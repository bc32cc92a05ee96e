"""XPT metadata comes from the spec: order, labels, types, lengths (auto = longest in bytes)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aclf_cdisc.errors import TransportError
from aclf_cdisc.spec.model import Dataset, Origin, Variable
from aclf_cdisc.transport.from_spec import select_spec_columns, xpt_meta_from_spec
from aclf_cdisc.transport.meta import XptHeader
from aclf_cdisc.transport.xpt import read_xpt, write_xpt

ORIGIN = Origin(type="Derived")


def _dataset() -> Dataset:
    return Dataset(
        name="ADSL", label="Subject-Level Analysis Dataset", standard="ADaM",
        class_="SUBJECT LEVEL ANALYSIS DATASET", structure="One record per subject",
        purpose="Analysis", keys=("USUBJID",), sort_order=("USUBJID",),
        variables=(
            Variable("USUBJID", "Unique Subject Identifier", "text", None, "Req", ORIGIN),
            Variable("SEX", "Sex", "text", 1, "Req", ORIGIN),
            Variable("AGE", "Age", "integer", None, "Req", ORIGIN),
            Variable("TRTSDT", "Date of First Exposure to Treatment", "integer", None, "Perm", ORIGIN,
                     display_format="DATE9."),
            Variable("SITENAME", "Site Name", "text", None, "Perm", ORIGIN),
        ))


def test_meta_follows_the_spec() -> None:
    df = pd.DataFrame({"EXTRA": [1, 2], "SEX": ["F", "M"], "AGE": [63, 70],
                       "USUBJID": ["01-701-1015", "01-701-10"], "TRTSDT": [19725.0, np.nan],
                       "SITENAME": ["Zürich", None]})
    stamp = datetime(2025, 3, 28, 9, 0, 0)
    meta = xpt_meta_from_spec(_dataset(), df, XptHeader(created=stamp, modified=stamp))
    assert meta.names == ("USUBJID", "SEX", "AGE", "TRTSDT", "SITENAME")
    assert meta.label == "Subject-Level Analysis Dataset" and meta.created == stamp
    lengths = {v.name: (v.type, v.length) for v in meta.variables}
    assert lengths == {"USUBJID": ("char", 11), "SEX": ("char", 1), "AGE": ("num", 8),
                       "TRTSDT": ("num", 8), "SITENAME": ("char", 7)}  # "Zürich" is 7 bytes
    assert meta.variable("TRTSDT").format == "DATE9." and meta.variable("AGE").format is None
    assert meta.variable("AGE").label == "Age"


def test_auto_length_of_an_empty_column_is_one() -> None:
    df = pd.DataFrame({"USUBJID": [None], "SEX": ["F"], "AGE": [1], "TRTSDT": [1.0], "SITENAME": [""]})
    meta = xpt_meta_from_spec(_dataset(), df)
    assert meta.variable("USUBJID").length == 1 and meta.variable("SITENAME").length == 1


def test_select_orders_and_drops(tmp_path: Path) -> None:
    df = pd.DataFrame({"EXTRA": [1], "SEX": ["F"], "AGE": [63], "USUBJID": ["01"], "TRTSDT": [19725.0],
                       "SITENAME": ["A"]})
    selected = select_spec_columns(_dataset(), df)
    assert list(selected.columns) == ["USUBJID", "SEX", "AGE", "TRTSDT", "SITENAME"]
    meta = xpt_meta_from_spec(_dataset(), selected)
    write_xpt(selected, meta, tmp_path / "adsl.xpt")
    back, back_meta = read_xpt(tmp_path / "adsl.xpt", dates=True)
    assert back_meta == meta and back["TRTSDT"][0] == pd.Timestamp("2014-01-02")


def test_select_refuses_a_missing_variable() -> None:
    with pytest.raises(TransportError) as caught:
        select_spec_columns(_dataset(), pd.DataFrame({"USUBJID": ["01"]}))
    assert [(i.rule, i.dataset, i.column) for i in caught.value.issues] == [
        ("xpt.column-missing", "ADSL", "SEX"), ("xpt.column-missing", "ADSL", "AGE"),
        ("xpt.column-missing", "ADSL", "TRTSDT"), ("xpt.column-missing", "ADSL", "SITENAME")]


def test_longest_bytes_counts_distinct_text_and_mixed_values_alike() -> None:
    from aclf_cdisc.transport.from_spec import longest_bytes

    assert longest_bytes(pd.Series(["ab", "é" * 3, None, "ab"], dtype=object)) == 6
    assert longest_bytes(pd.Series([1, 1.0, True, None], dtype=object)) == 4  # str(True)
    assert longest_bytes(pd.Series([None], dtype=object)) == 1
