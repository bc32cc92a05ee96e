"""Lineage: problems found after mapping name the raw file and record they came from.

Each build test breaks a copy of the sample export and asserts the Issue's raw file, 1-based raw
record, column and value; the raw record numbers are found by hand in the sample files.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from aclf_cdisc.errors import AclfError, DerivationError, Issue, ValidationError
from aclf_cdisc.package.build import BuildOptions, build_package, xpt_header
from aclf_cdisc.sdtm.conform import conform_to_spec
from aclf_cdisc.sdtm.lineage import LINEAGE, cite_source, lineage_of, record_positions
from aclf_cdisc.spec import load_spec
from aclf_cdisc.transport import write_xpt
from aclf_cdisc.transport.from_spec import xpt_meta_from_spec


def failing_build(raw: Path, out: Path) -> AclfError:
    with pytest.raises(AclfError) as caught:
        build_package(BuildOptions(raw_dir=raw, out_dir=out))
    return caught.value


def located(issues: tuple[Issue, ...] | list[Issue], rule: str) -> list[tuple]:
    return sorted((i.dataset, i.file, i.row, i.column, i.value) for i in issues if i.rule == rule)


def test_unknown_arm_names_the_irt_record(broken_export, sample_records, tmp_path):
    rand = sample_records("irt_rand")
    assert [(r["SUBJID"], r["RANDSTG"], r["TRTGRP"]) for r in rand[1:3]] == [
        ("101-0002", "1", "hUC-MSC"), ("101-0002", "2", "hUC-MSC")]
    # placebo at stage 1, re-randomized at stage 2: no arm has that pair
    error = failing_build(broken_export([("irt_rand", 2, "TRTGRP", "Placebo")]), tmp_path / "out")
    assert isinstance(error, DerivationError)
    assert located(error.issues, "sdtm.arm-unknown") == [("DM", "irt_rand.csv", 3, "TRTGRP", "Placebo / hUC-MSC")]


def test_stage2_randomization_before_stage1_names_the_irt_record(broken_export, sample_records, tmp_path):
    assert sample_records("irt_rand")[2]["RANDSTG"] == "2"  # record 3: 101-0002, stage 2
    error = failing_build(broken_export([("irt_rand", 3, "RANDDAT", "01 OCT 2023")]), tmp_path / "out")
    assert isinstance(error, DerivationError)
    assert located(error.issues, "adam.rand2dt-before-randdt") == [
        ("ADSL", "irt_rand.csv", 3, "RAND2DT", "2023-10-01")]
    issue = next(i for i in error.issues if i.rule == "adam.rand2dt-before-randdt")
    assert "ADSL USUBJID=ACLF-MSC-302-101-0002" in issue.message


def test_end_before_start_names_the_ae_record(broken_export, sample_records, tmp_path):
    assert sample_records("ae")[0]["AESTDAT"] == "17 OCT 2023"
    error = failing_build(broken_export([("ae", 1, "AEENDAT", "01 OCT 2023")]), tmp_path / "out")
    assert located(error.issues, "adam.ae-end-before-start") == [("AE", "ae.csv", 1, "AEENDTC", "2023-10-01")]


def test_comma_decimal_and_non_ascii_name_their_raw_records(broken_export, sample_records, tmp_path):
    assert sample_records("lb")[0]["LBTEST"] == "Total Bilirubin"
    raw = broken_export([("lb", 1, "LBORRES", "270,7"), ("ae", 2, "AETERM", "Pneumonïa")])
    error = failing_build(raw, tmp_path / "out")
    assert isinstance(error, ValidationError)
    assert located(error.issues, "schema.value_level.numeric") == [("LB", "lb.csv", 1, "LBORRES", "270,7")]
    # AE and ADAE (through AESEQ) both hold the text: both name ae.csv record 2; nothing was written
    assert located(error.issues, "xpt.char-non-ascii") == [("ADAE", "ae.csv", 2, "AETERM", "Pneumonïa"),
                                                           ("AE", "ae.csv", 2, "AETERM", "Pneumonïa")]
    assert not (tmp_path / "out").exists()


def test_death_before_randomization_names_the_doses_after_it(broken_export, sample_records, tmp_path):
    ex = sample_records("ex")
    doses = [i for i, r in enumerate(ex, start=1) if r["SUBJID"] == "101-0004" and r["EXYN"] == "Y"]
    raw = broken_export([("dd", 1, "DTHDAT", "05 OCT 2023"), ("eos", 3, "DSSTDAT", "05 OCT 2023")])
    error = failing_build(raw, tmp_path / "out")  # randomized 09 OCT 2023, infused 09 and 15 OCT
    assert located(error.issues, "raw.dose-after-death") == [
        ("ex", "ex.csv", row, "EXDAT", ex[row - 1]["EXDAT"]) for row in doses]


@pytest.fixture(scope="module")
def spec():
    return load_spec(None)


def _frame() -> pd.DataFrame:
    return pd.DataFrame({"USUBJID": ["S-2", "S-1", "S-1"], "AESEQ": [1.0, 2.0, 1.0],
                         "__file": ["ae.csv"] * 3, "__row": [7, 9, 4]})


def test_lineage_follows_the_sort_and_leaves_the_columns(spec):
    dataset = spec.dataset("AE")
    frame = _frame()
    for variable in dataset.variables:
        if variable.name not in frame.columns:
            frame[variable.name] = None
    out = conform_to_spec(frame, dataset)
    assert "__file" not in out.columns and "__row" not in out.columns
    # sorted by the spec's sort order (USUBJID first; the other keys are empty here: a stable sort)
    assert list(out["USUBJID"]) == ["S-1", "S-1", "S-2"] and list(out["AESEQ"]) == [2.0, 1.0, 1.0]
    lineage = lineage_of(out)
    assert lineage is not None and lineage.row_list() == [9, 4, 7]
    # a filtered copy inherits attrs but not the lineage
    assert out[out["USUBJID"] == "S-1"].attrs.get(LINEAGE) is lineage
    assert lineage_of(out[out["USUBJID"] == "S-1"]) is None
    issue = Issue(rule="x", message="m", dataset="AE", row="USUBJID=S-1, AESEQ=2", column="AETERM")
    cited = cite_source(issue, {"AE": out})
    assert (cited.file, cited.row, cited.dataset) == ("ae.csv", 9, "AE")
    assert "AE USUBJID=S-1, AESEQ=2" in cited.message


def test_record_positions_read_rows_and_keys():
    frame = _frame()
    assert record_positions(frame, 2) == [1]
    assert record_positions(frame, 4) == []
    assert record_positions(frame, "USUBJID=S-1, AESEQ=1.0") == [2]
    assert record_positions(frame, "USUBJID=S-1") == [1, 2]
    assert record_positions(frame, "NOPE=1") == []


def test_lineage_does_not_change_a_byte_of_the_xpt(spec, tmp_path):
    dataset = spec.dataset("AE")
    frame = _frame()
    for variable in dataset.variables:
        if variable.name not in frame.columns:
            frame[variable.name] = "X" if not variable.is_numeric else 1.0
    out = conform_to_spec(frame, dataset)
    bare = out.copy()
    bare.attrs.clear()
    assert lineage_of(out) is not None and lineage_of(bare) is None

    def written(df: pd.DataFrame, path: Path) -> bytes:
        write_xpt(df, xpt_meta_from_spec(dataset, df, xpt_header(spec)), path)
        return path.read_bytes()

    assert written(out, tmp_path / "a.xpt") == written(bare, tmp_path / "b.xpt")


def test_lineage_holds_with_missing_key_values():
    from aclf_cdisc.sdtm.lineage import make_lineage, with_lineage

    frame = pd.DataFrame({"USUBJID": ["S-1", "S-1"], "VISITNUM": [float("nan"), 2.0],
                          "__file": ["lb.csv", "lb.csv"], "__row": [3, 5]})
    out = with_lineage(frame.drop(columns=["__file", "__row"]), make_lineage(frame, ["USUBJID", "VISITNUM"]))
    assert lineage_of(out.copy()) is not None
    assert lineage_of(out.iloc[::-1].reset_index(drop=True)) is None  # re-sorted: the guard refuses it


def test_text_arrays_are_coded_only_when_decoding_gives_them_back_exactly():
    import numpy as np

    from aclf_cdisc.sdtm.lineage import _coded, _decoded, _joined

    coded = _coded(np.array(["lb.csv", None, "ae.csv", "lb.csv"], dtype=object))
    assert isinstance(coded, pd.Series) and coded.cat.codes.tolist() == [0, -1, 1, 0]
    assert coded.cat.categories.tolist() == ["lb.csv", "ae.csv"]
    assert _decoded(coded).tolist() == ["lb.csv", None, "ae.csv", "lb.csv"]
    for kept in (np.array(["a", float("nan")], dtype=object),  # NaN would come back as None
                 np.array([1.0, 2.0]), np.array(["a", 3], dtype=object)):
        assert _coded(kept) is kept
    # parts coded apart share one set of values when put together; a plain part decodes them all
    a, b = _coded(np.array(["x", "y"], dtype=object)), _coded(np.array([None, "z", "x"], dtype=object))
    joined = _joined([a, b])
    assert isinstance(joined, pd.Series) and joined.cat.categories.tolist() == ["x", "y", "z"]
    assert _decoded(joined).tolist() == ["x", "y", None, "z", "x"]
    mixed = _joined([a, np.array(["w"], dtype=object)])
    assert isinstance(mixed, np.ndarray) and mixed.tolist() == ["x", "y", "w"]


def test_a_lineage_travels_coded_and_is_rebuilt_only_when_read(tmp_path):
    import pickle

    import numpy as np

    from aclf_cdisc.compact import mapped_frame, spill_frame
    from aclf_cdisc.sdtm.lineage import Lineage

    def coded(values: object) -> bool:
        return isinstance(values, pd.Series) and isinstance(values.dtype, pd.CategoricalDtype)

    n = 10_000
    files = np.array(["lb.csv" if i % 7 else None for i in range(n)], dtype=object)
    keys = (("USUBJID", np.array([f"S-{i // 50:04d}" for i in range(n)], dtype=object)),
            ("LBSEQ", np.arange(n, dtype=np.float64)),
            ("LBDTC", np.array(["2024-01-01" if i % 3 else float("nan") for i in range(n)], dtype=object)))
    lineage = Lineage(files=files, rows=np.arange(n, dtype=np.int64), keys=keys)
    again = pickle.loads(pickle.dumps(lineage, protocol=5))
    assert coded(again._files) and coded(dict(again._keys)["USUBJID"])
    assert not coded(dict(again._keys)["LBDTC"])  # holds NaN: kept as it was
    assert not {"files", "keys"} & set(vars(again))  # nothing rebuilt yet (neither cached property read)
    assert again.file_list() == files.tolist() and again.row_list() == list(range(n))
    for (name, before), (name_again, after) in zip(keys, again.keys, strict=True):
        assert name == name_again and pd.Series(before).equals(pd.Series(after))
    # a spilled dataset maps its lineage's codes from the file and builds no text array to be read
    frame = pd.DataFrame({"USUBJID": keys[0][1], "LBSEQ": keys[1][1], "LBDTC": keys[2][1]})
    frame.attrs[LINEAGE] = lineage
    mapped = mapped_frame(spill_frame(frame, tmp_path / "LB.held"))
    held = mapped.attrs[LINEAGE]
    codes = held._files.array._ndarray  # the Categorical's own codes, as mapped
    assert not {"files", "keys"} & set(vars(held)) and not codes.flags.owndata and not codes.flags.writeable
    assert lineage_of(mapped) is held and held.file_list() == files.tolist()
