"""Dataset-JSON v1.1: schema-valid output, exact round trips, CDISC's examples read correctly."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aclf_cdisc.errors import TransportError
from aclf_cdisc.transport import ibm
from aclf_cdisc.transport.datasetjson import (
    JsonFileInfo,
    dataset_json_document,
    read_dataset_json,
    write_dataset_json,
)
from aclf_cdisc.transport.meta import SpecialMissing, XptDataset, XptVariable
from aclf_cdisc.transport.xpt import read_xpt, write_xpt

PILOT = ["adam/adsl", "adam/adtte", "adam/adae", "sdtm/dm", "sdtm/ts", "tdf-substitute/sdtm/lbur"]


@pytest.fixture(scope="module")
def schema(shared: Path) -> dict[str, Any]:
    return json.loads((shared / "schemas" / "dataset-json-1.1" / "dataset.schema.json").read_text())


@pytest.mark.parametrize("name", PILOT)
def test_pilot_files_convert_validly_and_back(shared: Path, tmp_path: Path, schema: dict[str, Any],
                                              name: str) -> None:
    source = shared / "anchors" / "cdiscpilot01" / f"{name}.xpt"
    df, meta = read_xpt(source, encoding="windows-1252")
    info = JsonFileInfo(study_oid="CDISCPILOT01", originator="aclf-cdisc", source_system=("aclf-cdisc", "0.1"))
    jsonschema.validate(dataset_json_document(df, meta, info=info, keys=("USUBJID",)), schema)
    write_dataset_json(df, meta, tmp_path / "d.json", info=info)
    back, back_meta = read_dataset_json(tmp_path / "d.json")
    pd.testing.assert_frame_equal(back, df, check_exact=True)
    assert back_meta.variables == meta.variables and back_meta.name == meta.name
    # ... and on to XPT again: the same bytes as SAS wrote
    write_xpt(back, XptDataset(**{**meta.__dict__, "variables": back_meta.variables}), tmp_path / "d.xpt",
              encoding="windows-1252")
    assert (tmp_path / "d.xpt").read_bytes() == source.read_bytes()


@pytest.mark.parametrize("name", ["adsl", "adtte", "dm"])
def test_cdisc_examples_read(shared: Path, schema: dict[str, Any], name: str) -> None:
    path = shared / "anchors" / "dataset-json-1.1-examples" / f"{name}.json"
    document = json.loads(path.read_text())
    df, meta = read_dataset_json(path)
    assert len(df) == document["records"] and list(df.columns) == [c["name"] for c in document["columns"]]
    assert meta.name == document["name"] and meta.label == document["label"]
    for i, column in enumerate(document["columns"]):
        values = [row[i] for row in document["rows"]]
        ours = df[column["name"]].tolist()
        if column["dataType"] == "string":
            assert ours == ["" if v is None else v for v in values]
        elif column["dataType"] in ("integer", "float", "double"):
            assert [None if np.isnan(v) else v for v in ours] == values
    if name != "dm":  # numeric dates become SAS day numbers with their display format
        trtsdt = meta.variable("TRTSDT")
        assert (trtsdt.type, trtsdt.format) == ("num", "DATE9.")
        at = [c["name"] for c in document["columns"]].index("TRTSDT")
        first = pd.Timestamp(document["rows"][0][at])
        assert df["TRTSDT"][0] == (first - pd.Timestamp("1960-01-01")).days
    jsonschema.validate(dataset_json_document(df, meta), schema)


FLOATS = st.floats(allow_nan=False, allow_infinity=False).filter(
    lambda x: x == 0 or ibm.IBM_MIN <= abs(x) < ibm.IBM_MAX)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(FLOATS, st.just(np.nan)), min_size=0, max_size=20),
       st.lists(st.text(max_size=10), min_size=0, max_size=20))
def test_round_trip_is_exact(tmp_path_factory: Any, numbers: list[float], texts: list[str]) -> None:
    rows = min(len(numbers), len(texts))
    df = pd.DataFrame({"AVAL": pd.Series(numbers[:rows], dtype=np.float64),
                       "AVALC": pd.Series(texts[:rows], dtype="str")})
    meta = XptDataset(name="ADX", label="X", variables=(XptVariable("AVAL", "Value"),
                                                         XptVariable("AVALC", "Text", "char", 40)))
    path = Path(tmp_path_factory.mktemp("json")) / "x.json"
    write_dataset_json(df, meta, path)
    back, back_meta = read_dataset_json(path)
    # bit-exact floats (only the sign of zero may go: an all-whole column is written as integers)
    assert (back["AVAL"].to_numpy() + 0.0).tobytes() == (df["AVAL"].to_numpy() + 0.0).tobytes()
    assert back["AVALC"].tolist() == df["AVALC"].tolist()
    assert back_meta.variables == meta.variables


def test_output_is_deterministic(tmp_path: Path) -> None:
    df = pd.DataFrame({"X": [0.1, 1 / 3]})
    meta = XptDataset(name="X", variables=(XptVariable("X"),))
    write_dataset_json(df, meta, tmp_path / "a.json")
    write_dataset_json(df, meta, tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    assert json.loads((tmp_path / "a.json").read_text())["rows"] == [[0.1], [1 / 3]]


def test_special_missing_is_refused_unless_allowed(tmp_path: Path) -> None:
    df = pd.DataFrame({"X": pd.Series([1.0, SpecialMissing("B")], dtype=object)})
    meta = XptDataset(name="LB", variables=(XptVariable("X"),))
    with pytest.raises(TransportError) as caught:
        write_dataset_json(df, meta, tmp_path / "x.json")
    issue = caught.value.issues[0]
    assert (issue.rule, issue.dataset, issue.column, issue.row, issue.value) == (
        "json.special-missing", "LB", "X", 2, ".B")
    assert not (tmp_path / "x.json").exists()
    write_dataset_json(df, meta, tmp_path / "x.json", special_missing_as_null=True)
    assert json.loads((tmp_path / "x.json").read_text())["rows"] == [[1], [None]]


def test_datetimes_and_times(tmp_path: Path) -> None:
    meta = XptDataset(name="X", variables=(XptVariable("ADTM", format="DATETIME20."),
                                           XptVariable("ATM", format="TIME8."),
                                           XptVariable("ADT", format="E8601DA.")))
    df = pd.DataFrame({"ADTM": [0.0, 2_000_000_000.5, np.nan], "ATM": [3661.0, np.nan, 0.25],
                       "ADT": [0.0, -1.0, np.nan]})
    document = dataset_json_document(df, meta)
    assert [r[:3] for r in document["rows"]] == [["1960-01-01T00:00:00", "01:01:01", "1960-01-01"],
                                                 ["2023-05-18T03:33:20.500000", None, "1959-12-31"],
                                                 [None, "00:00:00.25", None]]
    write_dataset_json(df, meta, tmp_path / "x.json")
    back, _ = read_dataset_json(tmp_path / "x.json")
    pd.testing.assert_frame_equal(back, df, check_exact=True)
