"""Every refusal names rule, dataset, column, row and value, and leaves no file behind."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from aclf_cdisc.errors import Issue, TransportError
from aclf_cdisc.transport import xpt, xpt_writer
from aclf_cdisc.transport.meta import XptDataset, XptVariable
from aclf_cdisc.transport.xpt import write_xpt


def _refused(df: pd.DataFrame, meta: XptDataset, folder: Path, **kwargs: Any) -> list[Issue]:
    target = folder / "out.xpt"
    with pytest.raises(TransportError) as caught:
        write_xpt(df, meta, target, **kwargs)
    assert list(folder.iterdir()) == []  # neither the target nor a temp file
    return list(caught.value.issues)


def _one(issues: list[Issue], rule: str) -> Issue:
    found = [i for i in issues if i.rule == rule]
    assert found, [i.rule for i in issues]
    return found[0]


def _char(name: str = "AETERM", length: int = 5) -> XptVariable:
    return XptVariable(name=name, label="Term", type="char", length=length)


@pytest.mark.parametrize("name", ["AETERMLONG", "1ABC", "ae", "A-B", ""])
def test_bad_variable_names(tmp_path: Path, name: str) -> None:
    meta = XptDataset(name="AE", variables=(XptVariable(name=name),))
    issue = _one(_refused(pd.DataFrame({name: [1.0]}), meta, tmp_path), "xpt.name-invalid")
    assert (issue.dataset, issue.column, issue.value) == ("AE", name, name)


def test_bad_dataset_name(tmp_path: Path) -> None:
    meta = XptDataset(name="ADVERSEEV", variables=(XptVariable("X"),))
    issue = _one(_refused(pd.DataFrame({"X": [1.0]}), meta, tmp_path), "xpt.name-invalid")
    assert (issue.dataset, issue.column, issue.value) == ("ADVERSEEV", None, "ADVERSEEV")


def test_duplicate_names(tmp_path: Path) -> None:
    meta = XptDataset(name="AE", variables=(XptVariable("X"), XptVariable("X")))
    issue = _one(_refused(pd.DataFrame({"X": [1.0]}), meta, tmp_path), "xpt.name-duplicate")
    assert (issue.dataset, issue.column, issue.value) == ("AE", "X", "X")


@pytest.mark.parametrize(("label", "rule"), [("x" * 41, "xpt.label-too-long"), ("Température", "xpt.label-non-ascii")])
def test_bad_labels(tmp_path: Path, label: str, rule: str) -> None:
    meta = XptDataset(name="AE", variables=(XptVariable("X", label=label),))
    issue = _one(_refused(pd.DataFrame({"X": [1.0]}), meta, tmp_path), rule)
    assert (issue.dataset, issue.column, issue.value) == ("AE", "X", label)


def test_dataset_label_too_long(tmp_path: Path) -> None:
    meta = XptDataset(name="AE", label="L" * 41, variables=(XptVariable("X"),))
    issue = _one(_refused(pd.DataFrame({"X": [1.0]}), meta, tmp_path), "xpt.dataset-label-too-long")
    assert issue.value == "L" * 41


def test_value_longer_than_declared(tmp_path: Path) -> None:
    meta = XptDataset(name="AE", variables=(_char(length=5),))
    df = pd.DataFrame({"AETERM": ["OK", "TOO LONG", "FINE"]})
    issue = _one(_refused(df, meta, tmp_path), "xpt.char-too-long")
    assert (issue.dataset, issue.column, issue.row, issue.value) == ("AE", "AETERM", 2, "TOO LONG")


def test_value_over_200_bytes(tmp_path: Path) -> None:
    meta = XptDataset(name="AE", variables=(_char(length=200),))
    df = pd.DataFrame({"AETERM": ["a", "b" * 201]})
    issue = _one(_refused(df, meta, tmp_path), "xpt.char-over-200")
    assert (issue.column, issue.row, issue.value) == ("AETERM", 2, "b" * 201)


def test_declared_length_over_200(tmp_path: Path) -> None:
    meta = XptDataset(name="AE", variables=(_char(length=201),))
    issue = _one(_refused(pd.DataFrame({"AETERM": ["a"]}), meta, tmp_path), "xpt.length-invalid")
    assert (issue.column, issue.value) == ("AETERM", 201)


def test_non_ascii_value(tmp_path: Path) -> None:
    meta = XptDataset(name="AE", variables=(_char(length=20),))
    df = pd.DataFrame({"AETERM": ["HEADACHE", "NAUSÉE"]})
    issue = _one(_refused(df, meta, tmp_path), "xpt.char-non-ascii")
    assert (issue.dataset, issue.column, issue.row, issue.value) == ("AE", "AETERM", 2, "NAUSÉE")


def test_non_ascii_counts_bytes_under_an_explicit_encoding(tmp_path: Path) -> None:
    meta = XptDataset(name="AE", variables=(_char(length=6),))
    df = pd.DataFrame({"AETERM": ["NAUSÉE"]})  # 6 characters, 7 bytes in UTF-8
    issue = _one(_refused(df, meta, tmp_path, encoding="utf-8"), "xpt.char-too-long")
    assert (issue.row, issue.value) == (1, "NAUSÉE".encode().decode("latin-1"))
    write_xpt(df, meta, tmp_path / "ok.xpt", encoding="windows-1252")  # 6 bytes there: accepted


def test_unencodable_value(tmp_path: Path) -> None:
    meta = XptDataset(name="AE", variables=(_char(length=20),))
    issue = _one(_refused(pd.DataFrame({"AETERM": ["a", "€ ✓"]}), meta, tmp_path, encoding="latin-1"),
                 "xpt.char-encoding")
    assert (issue.row, issue.value) == (2, "€ ✓")


def test_infinity(tmp_path: Path) -> None:
    meta = XptDataset(name="LB", variables=(XptVariable("AVAL"),))
    issue = _one(_refused(pd.DataFrame({"AVAL": [1.0, 2.0, -np.inf]}), meta, tmp_path), "xpt.num-inf")
    assert (issue.dataset, issue.column, issue.row, issue.value) == ("LB", "AVAL", 3, -np.inf)


@pytest.mark.parametrize("value", [1e76, -1e300, 1e-80])
def test_outside_ibm_range(tmp_path: Path, value: float) -> None:
    meta = XptDataset(name="LB", variables=(XptVariable("AVAL"),))
    issue = _one(_refused(pd.DataFrame({"AVAL": [value]}), meta, tmp_path), "xpt.num-range")
    assert (issue.column, issue.row, issue.value) == ("AVAL", 1, value)


def test_text_in_numeric_and_numbers_in_char(tmp_path: Path) -> None:
    meta = XptDataset(name="LB", variables=(XptVariable("AVAL"), _char("AVALC", 8)))
    df = pd.DataFrame({"AVAL": pd.Series([1.0, "high"], dtype=object), "AVALC": pd.Series(["1", 2], dtype=object)})
    issues = _refused(df, meta, tmp_path)
    number = _one(issues, "xpt.num-not-number")
    text = _one(issues, "xpt.char-not-text")
    assert (number.column, number.row, number.value) == ("AVAL", 2, "high")
    assert (text.column, text.row, text.value) == ("AVALC", 2, 2)


def test_dates_need_a_date_format(tmp_path: Path) -> None:
    meta = XptDataset(name="ADSL", variables=(XptVariable("TRTSDT"),))
    issue = _one(_refused(pd.DataFrame({"TRTSDT": pd.to_datetime(["2024-01-01"])}), meta, tmp_path),
                 "xpt.num-temporal-format")
    assert issue.column == "TRTSDT"


def test_columns_must_match_metadata(tmp_path: Path) -> None:
    meta = XptDataset(name="AE", variables=(XptVariable("X"), XptVariable("Y")))
    issues = _refused(pd.DataFrame({"X": [1.0], "Z": [2.0]}), meta, tmp_path)
    assert _one(issues, "xpt.column-missing").column == "Y"
    assert _one(issues, "xpt.column-unexpected").column == "Z"


def test_header_fields_checked(tmp_path: Path) -> None:
    meta = XptDataset(name="AE", variables=(XptVariable("X"),), os_name="TOO LONG OS",
                      created=datetime(2075, 1, 1))
    issues = _refused(pd.DataFrame({"X": [1.0]}), meta, tmp_path)
    assert _one(issues, "xpt.header-os-name-too-long").value == "TOO LONG OS"
    assert _one(issues, "xpt.timestamp-range").value == "2075-01-01T00:00:00"


def test_file_over_5_gb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xpt_writer, "MAX_XPT_BYTES", 1000)  # the size is computed up front: no 5 GB needed
    meta = XptDataset(name="LB", variables=(XptVariable("X"),))
    issue = _one(_refused(pd.DataFrame({"X": np.arange(200.0)}), meta, tmp_path), "xpt.file-too-large")
    assert issue.value == xpt.file_size(meta, 200) and issue.dataset == "LB"


def test_refusal_keeps_an_existing_file(tmp_path: Path) -> None:
    target = tmp_path / "ae.xpt"
    target.write_bytes(b"previous")
    meta = XptDataset(name="AE", variables=(_char(length=2),))
    with pytest.raises(TransportError):
        write_xpt(pd.DataFrame({"AETERM": ["abc"]}), meta, target)
    assert target.read_bytes() == b"previous" and sorted(p.name for p in tmp_path.iterdir()) == ["ae.xpt"]


def test_many_bad_rows_are_summarised(tmp_path: Path) -> None:
    meta = XptDataset(name="AE", variables=(_char(length=1),))
    issues = _refused(pd.DataFrame({"AETERM": ["xx"] * 100}), meta, tmp_path)
    assert len(issues) == xpt.MAX_ISSUES_PER_CHECK + 1
    assert issues[-1].row is None and issues[-1].value == 100 - xpt.MAX_ISSUES_PER_CHECK
    assert [i.row for i in issues[:3]] == [1, 2, 3]


def test_problems_in_later_chunks_are_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xpt_writer, "CHUNK_BYTES", 80)  # ten rows a chunk
    meta = XptDataset(name="AE", variables=(_char(length=8),))
    values = ["ok"] * 95 + ["much too long"] + ["ok"] * 4
    issue = _one(_refused(pd.DataFrame({"AETERM": values}), meta, tmp_path), "xpt.char-too-long")
    assert issue.row == 96
