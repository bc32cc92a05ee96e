"""Every SAS-written CDISC pilot file: read like pyreadstat, write back byte for byte."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aclf_cdisc.errors import TransportError
from aclf_cdisc.transport.xpt import read_xpt, write_xpt
from aclf_cdisc.transport.xpt_reader import parse_header

ANCHOR_FILES = sorted(
    [f"sdtm/{n}" for n in ("ae", "dm", "ds", "ex", "se", "suppae", "suppdm", "suppds", "sv", "ta", "te",
                           "ti", "ts", "tv")]
    + [f"adam/{n}" for n in ("adae", "adsl", "adtte")] + ["tdf-substitute/sdtm/lbur"])


def _encoding(name: str) -> str:
    return "windows-1252" if name == "sdtm/ts" else "ascii"  # ts.xpt holds one 0x92 byte


def _format_key(fmt: str | None) -> str | None:
    """A SAS format name as meaning: upper case, no trailing dot, empty as None."""
    return (fmt or "").strip().upper().removesuffix(".") or None


def _anchor(shared: Path, name: str) -> Path:
    return shared / "anchors" / "cdiscpilot01" / f"{name}.xpt"


def test_every_anchor_is_listed(shared: Path) -> None:
    found = sorted(str(p.relative_to(shared / "anchors" / "cdiscpilot01"))[:-4]
                   for p in (shared / "anchors" / "cdiscpilot01").rglob("*.xpt"))
    assert found == ANCHOR_FILES


@pytest.mark.parametrize("name", ANCHOR_FILES)
def test_write_back_is_byte_identical(shared: Path, tmp_path: Path, name: str) -> None:
    source = _anchor(shared, name)
    df, meta = read_xpt(source, encoding=_encoding(name))
    target = tmp_path / source.name
    write_xpt(df, meta, target, encoding=_encoding(name))
    assert target.read_bytes() == source.read_bytes()


@pytest.mark.parametrize("name", ANCHOR_FILES)
def test_reader_matches_pyreadstat(shared: Path, name: str) -> None:
    source = _anchor(shared, name)
    df, meta = read_xpt(source, encoding=_encoding(name))
    expected, info = pyreadstat.read_xport(str(source), encoding=_encoding(name),
                                           disable_datetime_conversion=True)
    pd.testing.assert_frame_equal(df, expected, check_exact=True)
    assert meta.name == info.table_name
    assert list(meta.names) == info.column_names
    assert [v.label for v in meta.variables] == info.column_labels
    assert {v.name: v.length for v in meta.variables} == info.variable_storage_width
    # Compare format meaning, not spelling: pyreadstat up to 1.3.7 wrote DATE9, newer ones DATE9.
    ours = {v.name: _format_key(v.format) for v in meta.variables}
    assert ours == {name: _format_key(fmt) for name, fmt in info.original_variable_types.items()}
    assert meta.created == info.creation_time and meta.modified == info.modification_time


@pytest.mark.parametrize("name", ["adam/adsl", "adam/adtte", "adam/adae"])
def test_dates_option_matches_pyreadstat_dates(shared: Path, name: str) -> None:
    source = _anchor(shared, name)
    df, meta = read_xpt(source, dates=True)
    expected, _ = pyreadstat.read_xport(str(source))
    date_columns = [v.name for v in meta.variables if v.format_name == "DATE"]
    assert date_columns
    for column in date_columns:
        as_dates = [None if pd.isna(x) else x.date() for x in df[column]]
        theirs = [None if pd.isna(x) else x for x in expected[column]]
        assert as_dates == theirs, column


def test_dates_written_back_give_the_same_bytes(shared: Path, tmp_path: Path) -> None:
    source = _anchor(shared, "adam/adsl")
    df, meta = read_xpt(source, dates=True)
    assert str(df["TRTSDT"].dtype).startswith("datetime64")
    write_xpt(df, meta, tmp_path / "adsl.xpt")
    assert (tmp_path / "adsl.xpt").read_bytes() == source.read_bytes()


def test_ts_needs_its_encoding(shared: Path) -> None:
    from aclf_cdisc.errors import TransportError

    with pytest.raises(TransportError) as caught:
        read_xpt(_anchor(shared, "sdtm/ts"))
    issue = caught.value.issues[0]
    assert (issue.rule, issue.dataset, issue.column) == ("xpt.read-encoding", "TS", "TSVAL")
    assert isinstance(issue.row, int) and b"\x92" in issue.value


def test_header_fields_are_read(shared: Path) -> None:
    _, meta = read_xpt(_anchor(shared, "tdf-substitute/sdtm/lbur"))
    assert (meta.sas_version, meta.os_name, meta.type, meta.label) == ("9.4", "X64_ES08", "", "")
    assert meta.created.isoformat() == "2017-09-29T09:33:55"
    assert meta.variable("LBSTRESC").format == "$8."
    assert not np.isnan(read_xpt(_anchor(shared, "sdtm/ex"))[0]["EXDOSE"]).all()


@settings(max_examples=60, deadline=None)
@given(cut=st.integers(min_value=1, max_value=10**9))
def test_a_file_cut_short_is_refused_never_read_as_fewer_rows(shared: Path, tmp_path_factory, cut: int) -> None:
    # a copy of a SAS-written file that stops early (a failed transfer): anywhere in the header, or
    # inside a record or an observation of the data, the reader refuses it with xpt.read-truncated;
    # a cut on a record boundary that is also a row boundary leaves a file of fewer whole rows,
    # which no reader can tell from a shorter dataset
    whole = _anchor(shared, "sdtm/ae").read_bytes()
    meta, _, start = parse_header(whole, _anchor(shared, "sdtm/ae"), "ascii")
    size = cut % (len(whole) - 1) + 1
    path = tmp_path_factory.mktemp("cut") / "ae.xpt"
    path.write_bytes(whole[:size])
    data = size - start
    if data >= 0 and data % 80 == 0 and data % meta.row_length == 0:
        assert len(read_xpt(path)[0]) == data // meta.row_length
        return
    with pytest.raises(TransportError) as refused:
        read_xpt(path)
    assert refused.value.issues[0].rule in ("xpt.read-truncated", "xpt.read-not-xport")
