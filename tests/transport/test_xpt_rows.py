"""A dataset written a chunk of records at a time is the file written from the whole frame.

The build writes each XPT file from a compacted store, reading one chunk of records at a time
(aclf_cdisc.transport.xpt.write_xpt_rows), so a writer never holds the whole dataset. The bytes,
and the refusals with the record numbers they name, must be those of write_xpt on the frame.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aclf_cdisc.compact import CompactDatasets, compact_frame, held_rows, read_rows
from aclf_cdisc.errors import TransportError
from aclf_cdisc.transport.meta import XptDataset, XptVariable
from aclf_cdisc.transport.xpt import write_xpt, write_xpt_rows

META = XptDataset(name="LB", label="Laboratory", variables=(
    XptVariable(name="USUBJID", label="Subject", type="char", length=12),
    XptVariable(name="LBTESTCD", label="Test", type="char", length=8),
    XptVariable(name="LBSTRESN", label="Result", type="num", length=8)))
# a chunk may hold none of the records of a text too long or not ASCII: only the records holding one
# are refused, wherever they fall
TEXT = st.one_of(st.none(), st.sampled_from(["S-1", "S-22", "", "ALB", "BILI", "INR"]),
                 st.sampled_from(["LONGER THAN 12", "é"]))
NUMBER = st.one_of(st.just(np.nan), st.sampled_from([0.0, 1.5, 30.0, -2.25]))


def _store(frame: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> CompactDatasets:
    monkeypatch.setattr("aclf_cdisc.compact.SMALL_CELLS", 0)  # held compacted, rebuilt chunk by chunk
    return CompactDatasets({"LB": compact_frame(frame)})


def _written(frame: pd.DataFrame, path: Path, *, store: CompactDatasets | None = None,
             reader=read_rows) -> bytes | list[tuple]:
    """The file's bytes, or the refusal's findings. ``reader``: read_rows rebuilds each chunk as
    objects, held_rows hands over the compacted columns (the build's way)."""
    try:
        if store is None:
            write_xpt(frame, META, path)
        else:
            write_xpt_rows(lambda start, stop: reader(store, "LB", start, stop), len(frame), list(frame.columns),
                           META, path)
    except TransportError as error:
        return [(i.rule, i.row, i.column, str(i.value)) for i in error.issues]
    return path.read_bytes()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(TEXT, TEXT, NUMBER), max_size=40), st.integers(min_value=1, max_value=9))
def test_chunks_of_records_give_the_bytes_of_the_whole_frame(tmp_path, monkeypatch, records, chunk_rows):
    frame = pd.DataFrame(records, columns=["USUBJID", "LBTESTCD", "LBSTRESN"]).astype(
        {"USUBJID": object, "LBTESTCD": object, "LBSTRESN": np.float64})
    frame[["USUBJID", "LBTESTCD"]] = frame[["USUBJID", "LBTESTCD"]].astype(object).where(
        frame[["USUBJID", "LBTESTCD"]].notna(), None)
    whole = _written(frame, tmp_path / "whole.xpt")
    monkeypatch.setattr("aclf_cdisc.transport.xpt_writer.CHUNK_BYTES", chunk_rows * META.row_length)
    store = _store(frame, monkeypatch)
    assert _written(frame, tmp_path / "rows.xpt", store=store) == whole
    assert _written(frame, tmp_path / "held.xpt", store=store, reader=held_rows) == whole


def test_a_refusal_names_the_record_in_the_whole_dataset(tmp_path, monkeypatch):
    frame = pd.DataFrame({"USUBJID": ["S-1"] * 10, "LBTESTCD": ["ALB"] * 9 + ["LONGER THAN 8"],
                          "LBSTRESN": [1.0] * 9 + [np.inf]}).astype({"USUBJID": object, "LBTESTCD": object})
    monkeypatch.setattr("aclf_cdisc.transport.xpt_writer.CHUNK_BYTES", 3 * META.row_length)
    store = _store(frame, monkeypatch)
    found = _written(frame, tmp_path / "rows.xpt", store=store)
    assert found == _written(frame, tmp_path / "whole.xpt")
    assert _written(frame, tmp_path / "held.xpt", store=store, reader=held_rows) == found
    assert {(rule, row) for rule, row, *_ in found} >= {("xpt.num-inf", 10), ("xpt.char-too-long", 10)}
    assert not (tmp_path / "rows.xpt").exists() and not (tmp_path / "held.xpt").exists()  # nothing half-written
