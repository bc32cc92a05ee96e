"""The compacted store gives back exactly the frames it was given: values, None, dtypes, attrs."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aclf_cdisc.compact import (
    MAX_NUMBER_CODES,
    SMALL_CELLS,
    CompactDatasets,
    compact_column,
    compact_frame,
    concat_compact,
    dataset_cells,
    dataset_columns,
    expand_frame,
    mapped_frame,
    read_columns,
    read_records,
    record_counts,
    spill_frame,
)

TEXT = st.one_of(st.none(), st.text(max_size=4), st.sampled_from(["ALB", "BILI", "", "é", "ALB "]))


def _text_column(values: list[str | None]) -> pd.Series:
    return pd.Series(values, dtype=object)


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    """Equal cell by cell, None kept as None (not NaN), and the same dtypes."""
    assert list(a.columns) == list(b.columns)
    assert list(a.dtypes) == list(b.dtypes)
    for name in a.columns:
        left, right = a[name].tolist(), b[name].tolist()
        assert [type(v) for v in left] == [type(v) for v in right], name
        pd.testing.assert_series_equal(a[name], b[name])


@settings(max_examples=200, deadline=None)
@given(st.lists(TEXT, max_size=40))
def test_a_text_column_comes_back_as_it_was(values: list[str | None]) -> None:
    frame = pd.DataFrame({"X": _text_column(values)})
    small = compact_frame(frame)
    assert isinstance(small["X"].dtype, pd.CategoricalDtype)
    _same(expand_frame(small), frame)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(TEXT, max_size=12), min_size=1, max_size=5))
def test_joined_blocks_are_the_joined_frames(blocks: list[list[str | None]]) -> None:
    frames = [pd.DataFrame({"X": _text_column(v), "N": np.arange(len(v), dtype="float64")}) for v in blocks]
    joined = concat_compact([compact_frame(f) for f in frames])
    _same(expand_frame(joined), pd.concat(frames, ignore_index=True))


RAW_TEXT = st.one_of(st.just(float("nan")), st.text(max_size=4), st.sampled_from(["ALB", "12.5", "é"]))


@settings(max_examples=150, deadline=None)
@given(st.lists(RAW_TEXT, max_size=40), st.lists(st.integers(0, 39), max_size=20))
def test_a_raw_form_column_comes_back_with_nan_for_its_blanks(values: list[object], rows: list[int]) -> None:
    # the reader's forms: text, and NaN (not None) for a blank cell; a block reads some rows back
    frame = pd.DataFrame({"X": pd.Series(values, dtype=object)})
    small = compact_frame(frame, missing=np.nan)
    assert isinstance(small["X"].dtype, pd.CategoricalDtype)
    _same(expand_frame(small, missing=np.nan), frame)
    picked = [r for r in rows if r < len(values)]
    _same(expand_frame(small.iloc[picked], missing=np.nan), frame.iloc[picked])


def test_a_raw_form_column_with_other_missing_values_is_kept_as_it_is() -> None:
    frame = pd.DataFrame({"NONE": pd.Series(["a", None], dtype=object),  # None would come back as NaN
                          "NA": pd.Series(["a", pd.NA], dtype=object),
                          "BOTH": pd.Series([None, float("nan")], dtype=object),
                          "ROW": np.array([1, 2], dtype=np.int64)})
    small = compact_frame(frame, missing=np.nan)
    assert [str(t) for t in small.dtypes] == ["object", "object", "object", "int64"]
    _same(expand_frame(small, missing=np.nan), frame)


def test_columns_that_would_not_come_back_exactly_are_kept_as_they_are() -> None:
    odd_nan = np.array([0x7FF8000000000001], dtype=np.uint64).view(np.float64)[0]  # a NaN with a payload
    frame = pd.DataFrame({"NAN": pd.Series(["a", float("nan")], dtype=object),
                          "MIXED": pd.Series(["a", 1], dtype=object),
                          "NEGZERO": [1.0, -0.0],  # -0.0 would come back as 0.0
                          "PAYLOAD": [1.0, odd_nan],
                          "INT": np.array([1, 2], dtype=np.int64),
                          "F32": np.array([1.0, 2.0], dtype=np.float32)})
    small = compact_frame(frame)
    assert [str(t) for t in small.dtypes] == [str(t) for t in frame.dtypes]
    _same(expand_frame(small), frame)


def test_numbers_and_dates_of_few_values_are_coded_and_come_back_bit_for_bit() -> None:
    frame = pd.DataFrame({"NUM": [1.0, np.nan, 1.0, np.inf],
                          "DT": pd.to_datetime(["2024-01-01", None, None, "2024-01-01"])})
    small = compact_frame(frame)
    assert small["NUM"].cat.codes.tolist() == [0, -1, 0, 1]
    assert small["DT"].cat.codes.tolist() == [0, -1, -1, 0]
    back = expand_frame(small)
    _same(back, frame)
    assert back["NUM"].to_numpy().view(np.uint64).tolist() == frame["NUM"].to_numpy().view(np.uint64).tolist()


def test_numbers_of_many_values_are_kept_as_they_are() -> None:
    many = pd.Series(np.arange(MAX_NUMBER_CODES + 1, dtype=np.float64))
    assert compact_column(many) is many
    assert isinstance(compact_column(many.iloc[:MAX_NUMBER_CODES]).dtype, pd.CategoricalDtype)


FLOATS = st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=64), st.sampled_from([0.0, -0.0, 1.5]),
                   st.integers(0, 3).map(lambda n: np.array([0x7FF8000000000000 + n], dtype=np.uint64)
                                         .view(np.float64)[0]))


def _bits(frame: pd.DataFrame) -> list[list[int]]:
    return [frame[c].to_numpy().view(np.uint64).tolist() for c in frame.columns]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(FLOATS, max_size=10), min_size=1, max_size=4))
def test_number_blocks_joined_are_the_joined_frames_bit_for_bit(blocks: list[list[float]]) -> None:
    frames = [pd.DataFrame({"X": np.array(values, dtype=np.float64)}) for values in blocks]
    joined = expand_frame(concat_compact([compact_frame(f) for f in frames]))
    whole = pd.concat(frames, ignore_index=True)
    assert joined["X"].dtype == np.float64
    assert _bits(joined) == _bits(whole)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(st.one_of(st.none(), st.datetimes(min_value=pd.Timestamp("1900-01-01").to_pydatetime(),
                                                           max_value=pd.Timestamp("2200-01-01").to_pydatetime())),
                         max_size=8), min_size=1, max_size=3))
def test_date_blocks_joined_are_the_joined_frames(blocks: list[list[object]]) -> None:
    frames = [pd.DataFrame({"D": pd.to_datetime(pd.Series(values, dtype=object)).astype("datetime64[ns]")})
              for values in blocks]
    joined = expand_frame(concat_compact([compact_frame(f) for f in frames]))
    _same(joined, pd.concat(frames, ignore_index=True))


def test_a_column_compacted_in_one_block_only_is_joined_as_objects() -> None:
    a = compact_frame(pd.DataFrame({"X": _text_column(["p", None])}))
    b = pd.DataFrame({"X": pd.Series([1.5, "q"], dtype=object)})  # not text: left as it is
    joined = concat_compact([a, b])
    assert joined["X"].tolist() == ["p", None, 1.5, "q"]


def test_the_codes_are_small_and_the_strings_held_once() -> None:
    frame = pd.DataFrame({"LBTESTCD": _text_column(["ALB", "BILI", "INR"] * 10_000)})
    small = compact_frame(frame)
    assert small["LBTESTCD"].cat.codes.dtype == np.int8
    assert len(small["LBTESTCD"].cat.categories) == 3
    assert small["LBTESTCD"].cat.codes.nbytes == len(frame)  # one byte a record, not an 8-byte pointer
    assert len(pickle.dumps(small)) < 0.6 * len(pickle.dumps(frame))  # what a block worker sends back


def test_the_store_reads_back_each_dataset_with_its_attrs_and_counts_without_reading() -> None:
    big = pd.DataFrame({"USUBJID": _text_column([f"S-{i % 7}" for i in range(SMALL_CELLS // 2 + 1)]),
                        "AVAL": np.ones(SMALL_CELLS // 2 + 1)})
    big.attrs["lineage"] = "kept"
    small = pd.DataFrame({"DOMAIN": _text_column(["TA", None])})
    store = CompactDatasets({"ADLB": compact_frame(big), "TA": compact_frame(small)})
    assert list(store) == ["ADLB", "TA"] and len(store) == 2
    _same(store["ADLB"], big)
    assert store["ADLB"].attrs == {"lineage": "kept"}
    assert isinstance(store.stored("ADLB")["USUBJID"].dtype, pd.CategoricalDtype)
    # a small dataset is held as built: every read is the same frame, nothing rebuilt
    assert store.stored("TA")["DOMAIN"].dtype == object and store["TA"] is store["TA"]
    _same(store["TA"], small)
    assert record_counts(store) == {"ADLB": len(big), "TA": 2}
    assert dataset_cells(store, "ADLB") == big.size


def test_asking_whether_the_store_has_a_dataset_rebuilds_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    store = CompactDatasets({"ADLB": compact_frame(pd.DataFrame({"X": _text_column(["a"] * SMALL_CELLS)}))})
    rebuilt: list[str] = []
    monkeypatch.setattr(CompactDatasets, "__getitem__", lambda self, name: rebuilt.append(name))
    assert "ADLB" in store and "LB" not in store and None not in store
    assert rebuilt == []


def test_compact_column_leaves_integers_alone() -> None:
    numbers = pd.Series([1, 2])
    assert compact_column(numbers) is numbers


@pytest.mark.parametrize("values", [[], [None, None]])
def test_empty_and_all_missing_columns(values: list[None]) -> None:
    frame = pd.DataFrame({"X": _text_column(values)})
    _same(expand_frame(compact_frame(frame)), frame)
    _same(expand_frame(concat_compact([compact_frame(frame), compact_frame(frame)])),
          pd.concat([frame, frame], ignore_index=True))


def test_reading_some_columns_rebuilds_only_those() -> None:
    big = pd.DataFrame({"PARAMCD": _text_column(["ALB"] * SMALL_CELLS), "AVAL": np.ones(SMALL_CELLS),
                        "PARAM": _text_column(["Albumin (g/L)"] * SMALL_CELLS)})
    store = CompactDatasets({"ADLB": compact_frame(big)})
    part = read_columns(store, "ADLB", ["PARAM", "AVAL", "NOT THERE"])
    _same(part, big[["AVAL", "PARAM"]])
    assert dataset_columns(store, "ADLB") == ["PARAMCD", "AVAL", "PARAM"]


def test_reading_some_records_keeps_them_by_codes_as_by_values() -> None:
    n = SMALL_CELLS // 2  # two columns: a store that holds it compacted
    rng = np.random.default_rng(5)
    codes = rng.integers(0, 4, n)
    big = pd.DataFrame({"PARAMCD": _text_column(np.array(["ALB", "TBIL", "INR", None], dtype=object)[codes].tolist()),
                        "AVAL": np.where(codes == 2, np.nan, codes * 1.5)})
    store = CompactDatasets({"ADLB": compact_frame(big)})
    assert isinstance(store.stored("ADLB")["AVAL"].dtype, pd.CategoricalDtype)

    def keep(frame: pd.DataFrame) -> pd.Series:
        return frame["PARAMCD"].isin(["ALB", "INR"]) & frame["AVAL"].notna() & (frame["PARAMCD"] != "TBIL")

    picked = read_records(store, "ADLB", ["AVAL", "PARAMCD"], keep)
    expected = big[keep(big)]
    assert len(picked) == int(((codes == 0)).sum()) > 0  # ALB only: INR has no AVAL
    _same(picked, expected)
    assert picked.index.tolist() == expected.index.tolist()


@settings(max_examples=60, deadline=None)
@given(st.lists(TEXT, min_size=0, max_size=30), st.lists(FLOATS, min_size=0, max_size=30))
def test_a_spilled_frame_maps_back_as_it_was_written(tmp_path_factory: pytest.TempPathFactory,
                                                     texts: list[str | None], numbers: list[float]) -> None:
    n = min(len(texts), len(numbers))
    frame = compact_frame(pd.DataFrame({"T": _text_column(texts[:n]), "N": pd.Series(numbers[:n], dtype="float64"),
                                        "I": np.arange(n, dtype=np.int64)}))
    frame.attrs = {"lineage": np.arange(n, dtype=np.int64) * 3}
    spilled = spill_frame(frame, tmp_path_factory.mktemp("held") / "X.held")
    assert (spilled.records, spilled.columns) == (n, ("T", "N", "I"))
    back = mapped_frame(spilled)
    _same(expand_frame(back), expand_frame(frame))
    assert back.dtypes.equals(frame.dtypes) and np.array_equal(back.attrs["lineage"], frame.attrs["lineage"])
    assert np.array_equal(back["N"].to_numpy().view(np.uint64) if back["N"].dtype == np.float64 else
                          back["N"].cat.codes.to_numpy(),
                          frame["N"].to_numpy().view(np.uint64) if frame["N"].dtype == np.float64 else
                          frame["N"].cat.codes.to_numpy())  # bit for bit


def test_a_spilled_frame_is_mapped_from_its_file_not_copied(tmp_path) -> None:
    n = 200_000
    frame = compact_frame(pd.DataFrame({"PARAMCD": _text_column(["ALB", "BILI"] * (n // 2)),
                                        "AVAL": np.arange(n, dtype=np.float64)}))
    back = mapped_frame(spill_frame(frame, tmp_path / "LB.held"))
    values, codes = back["AVAL"].to_numpy(), back["PARAMCD"].cat.codes.to_numpy()
    assert not values.flags.writeable and not codes.flags.writeable  # the file's pages, read-only
    assert values.ctypes.data % 64 == 0  # aligned in the file
    assert (tmp_path / "LB.held").stat().st_size < values.nbytes + codes.nbytes + 100_000  # written once, small header


def test_a_store_answers_counts_and_variables_of_a_spilled_dataset_without_reading_it(tmp_path, monkeypatch) -> None:
    from aclf_cdisc import compact

    frame = compact_frame(pd.DataFrame({"PARAMCD": _text_column(["ALB", None, "ALB"]), "AVAL": [1.0, 2.0, 3.0]}))
    store = CompactDatasets({"LB": spill_frame(frame, tmp_path / "LB.held")})
    assert store["LB"]["PARAMCD"].tolist() == ["ALB", None, "ALB"]  # read: mapped and rebuilt

    def unread(spilled: object) -> None:
        raise AssertionError("read")

    monkeypatch.setattr(compact, "mapped_frame", unread)
    assert (record_counts(store), dataset_cells(store, "LB"), dataset_columns(store, "LB")) == (
        {"LB": 3}, 6, ["PARAMCD", "AVAL"])
    assert "LB" in store and list(store) == ["LB"]
