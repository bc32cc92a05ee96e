"""Dataset-JSON v1.1: schema-valid output, exact round trips, CDISC's examples read correctly."""

from __future__ import annotations

import datetime as dt
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


# --------------------------------------------------------------------------------------------
# a file that is not a readable Dataset-JSON document: one TransportError naming the place
# --------------------------------------------------------------------------------------------
_FRAME = pd.DataFrame({"USUBJID": ["S1-1", "S1-2"], "AGE": [30.0, 41.5], "BRTHDT": [0.0, 100.0],
                       "ATM": [3600.0, np.nan]})
_META = XptDataset(name="DM", label="Demographics", variables=(
    XptVariable("USUBJID", "Subject", "char", 8), XptVariable("AGE", "Age"),
    XptVariable("BRTHDT", "Birth date", format="DATE9."), XptVariable("ATM", "Time", format="TIME8.")))
_DOCUMENT = dataset_json_document(_FRAME, _META)


def _mangled(change: Any) -> bytes:
    document = json.loads(json.dumps(_DOCUMENT))
    change(document)
    return json.dumps(document).encode("utf-8")


@pytest.mark.parametrize(("content", "rule", "row", "column", "value"), [
    (b'{"datasetJSONVersion": "1.1.0",\n "rows": [', "json.not-json", 2, None, None),
    (b'{"name": "caf\xe9"}', "json.file-not-utf8", 1, None, b'\xe9"}'),
    (b"[" * 100_000, "json.not-json", None, None, None),
    (b"[1, 2]", "json.not-dataset", None, "$", None),
    (_mangled(lambda d: d.pop("datasetJSONVersion")), "json.version", None, "datasetJSONVersion", None),
    (_mangled(lambda d: d.update(datasetJSONVersion=1.1)), "json.version", None, "datasetJSONVersion", 1.1),
    (_mangled(lambda d: d.pop("name")), "json.key-missing", None, "name", None),
    (_mangled(lambda d: d.pop("columns")), "json.key-missing", None, "columns", None),
    (_mangled(lambda d: d.update(columns={})), "json.type-wrong", None, "columns", "{}"),
    (_mangled(lambda d: d["columns"].__setitem__(1, 5)), "json.type-wrong", None, "columns[1]", 5),
    (_mangled(lambda d: d["columns"][1].pop("dataType")), "json.key-missing", None, "columns[1].dataType", None),
    (_mangled(lambda d: d["columns"][1].update(dataType="blob")), "json.type-unknown", None,
     "columns[1].dataType", "blob"),
    (_mangled(lambda d: d["columns"][0].update(length="8")), "json.type-wrong", None, "columns[0].length", "8"),
    (_mangled(lambda d: d["columns"][1].update(name="USUBJID")), "json.column-name", None, "columns[1].name",
     "USUBJID"),
    (_mangled(lambda d: d.update(rows=None)), "json.type-wrong", None, "rows", None),
    (_mangled(lambda d: d["rows"][1].pop()), "json.row-length", 2, "rows[1]", "['S1-2', 41.5, '1960-04-10']"),
    (_mangled(lambda d: d.update(records=10**12)), "json.records-mismatch", None, "records", 10**12),
    (_mangled(lambda d: d["rows"].pop()), "json.records-mismatch", None, "records", 2),
    (_mangled(lambda d: d.update(records="2")), "json.type-wrong", None, "records", "2"),
    (_mangled(lambda d: d["rows"][0].__setitem__(0, 7)), "json.value-invalid", 1, "USUBJID", 7),
    (_mangled(lambda d: d["rows"][1].__setitem__(1, "x")), "json.value-invalid", 2, "AGE", "x"),
    (_mangled(lambda d: d["rows"][1].__setitem__(1, 10**400)), "json.value-invalid", 2, "AGE", 10**400),
    (_mangled(lambda d: d["rows"][1].__setitem__(1, True)), "json.value-invalid", 2, "AGE", True),
    (_mangled(lambda d: d["rows"][0].__setitem__(2, "20140101")), "json.value-invalid", 1, "BRTHDT", "20140101"),
    (_mangled(lambda d: d["rows"][0].__setitem__(2, "2014-02-30")), "json.value-invalid", 1, "BRTHDT",
     "2014-02-30"),
    (_mangled(lambda d: d["rows"][0].__setitem__(2, "today")), "json.value-invalid", 1, "BRTHDT", "today"),
    (_mangled(lambda d: d["rows"][0].__setitem__(3, "1:2")), "json.value-invalid", 1, "ATM", "1:2"),
])
def test_a_malformed_document_is_refused_at_its_place(tmp_path: Path, content: bytes, rule: str, row: int | None,
                                                      column: str | None, value: Any) -> None:
    path = tmp_path / "dm.json"
    path.write_bytes(content)
    with pytest.raises(TransportError) as refused:
        read_dataset_json(path)
    issue, = refused.value.issues
    assert (issue.rule, issue.file, issue.row, issue.column, issue.value) == (rule, str(path), row, column, value)


def test_a_date_past_2262_reads_as_its_sas_day(tmp_path: Path) -> None:
    # datetime64[ns] ends in 2262: a later date must not wrap round to a wrong day
    path = tmp_path / "dm.json"
    path.write_bytes(_mangled(lambda d: d["rows"][0].__setitem__(2, "9999-12-31")))
    frame, _ = read_dataset_json(path)
    assert frame["BRTHDT"].tolist() == [(dt.date(9999, 12, 31) - dt.date(1960, 1, 1)).days, 100.0]


_ANY_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
                         lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                                     max_size=3), max_leaves=6)


def _places(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into a parsed JSON value (the top one included)."""
    inner = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    return [at] + [place for key, item in inner for place in _places(item, (*at, key))]


@st.composite
def _damaged_documents(draw: st.DrawFn) -> bytes:
    """The small document with a few members removed or replaced by any JSON, then perhaps some bytes
    overwritten."""
    document = json.loads(json.dumps(_DOCUMENT))
    for _ in range(draw(st.integers(1, 3))):
        place = draw(st.sampled_from(_places(document)[1:] or [("name",)]))
        parent = document
        for key in place[:-1]:
            parent = parent[key]
        if draw(st.booleans()):
            del parent[place[-1]]
        else:
            parent[place[-1]] = draw(_ANY_JSON)
    text = json.dumps(document).encode("utf-8")
    if draw(st.booleans()):
        at, junk = draw(st.integers(0, len(text))), draw(st.binary(min_size=1, max_size=3))
        text = text[:at] + junk + text[at + len(junk):]
    return text


@settings(max_examples=300, deadline=None)
@given(_damaged_documents())
def test_a_damaged_document_is_refused_or_converted_never_a_crash(tmp_path_factory: Any, content: bytes) -> None:
    folder = Path(tmp_path_factory.mktemp("damaged"))
    (folder / "dm.json").write_bytes(content)
    try:
        frame, meta = read_dataset_json(folder / "dm.json")
        write_xpt(frame, meta, folder / "dm.xpt")
    except TransportError as refused:
        assert refused.issues and all(issue.rule.startswith(("json.", "xpt.")) for issue in refused.issues)
