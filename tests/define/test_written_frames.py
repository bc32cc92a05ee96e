"""A build hands the define the frames it has just written: the define is the one the files give."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fixture_spec import CREATED, make_frames
from test_define_command import _write_outputs

from aclf_cdisc.define.outputs import build_for_outputs, define_folder, rows_as_written
from aclf_cdisc.transport import SpecialMissing, XptDataset, XptVariable


def _defines(spec, root: Path) -> dict[str, bytes]:
    return {standard: (define_folder(root, spec.study.studyid, standard) / "define.xml").read_bytes()
            for standard in ("SDTM", "ADaM")}


def _as_built(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The frames as a build holds them: text with None for missing, ADaM dates as datetime64."""
    built = {name: frame.astype({c: object for c in frame.columns if frame[c].dtype != float})
             for name, frame in frames.items()}
    sas_epoch = pd.Timestamp("1960-01-01")
    built["ADSL"] = built["ADSL"].assign(TRTSDT=sas_epoch + pd.to_timedelta(built["ADSL"]["TRTSDT"], unit="D"))
    return built


def test_the_frames_written_give_the_define_the_files_give(spec, tmp_path):
    _write_outputs(spec, tmp_path)
    from_files = build_for_outputs(tmp_path, spec, creation_datetime=CREATED)
    expected = _defines(spec, tmp_path)
    from_frames = build_for_outputs(tmp_path, spec, creation_datetime=CREATED, frames=_as_built(make_frames()))
    assert _defines(spec, tmp_path) == expected
    assert from_frames == from_files
    # a dataset the frames lack is read from its file
    frames = {k: v for k, v in _as_built(make_frames()).items() if k != "LB"}
    build_for_outputs(tmp_path, spec, creation_datetime=CREATED, frames=frames)
    assert _defines(spec, tmp_path) == expected


def _meta(*variables: XptVariable) -> XptDataset:
    return XptDataset("ADSL", "Subject-Level Analysis Dataset", variables)


def test_rows_as_written_gives_dates_as_sas_dates():
    meta = _meta(XptVariable("USUBJID", "Subject", "char", 20), XptVariable("TRTSDT", "Start", "num", 8, "DATE9."))
    frame = pd.DataFrame({"USUBJID": pd.Series(["S-1", None], dtype=object),
                          "TRTSDT": pd.to_datetime(["2024-03-01", None])})
    written = rows_as_written(frame, meta)
    assert written is not None
    assert written["USUBJID"].tolist() == ["S-1", None]
    days = (date(2024, 3, 1) - date(1960, 1, 1)).days
    assert written["TRTSDT"].iloc[0] == days and np.isnan(written["TRTSDT"].iloc[1])


@pytest.mark.parametrize("variable, values", [
    (XptVariable("AGE", "Age", "num", 4), pd.Series([54.0])),  # a short numeric cuts the fraction
    (XptVariable("AGE", "Age", "num", 8), pd.Series([SpecialMissing("A")], dtype=object)),  # read as a marker
    (XptVariable("AGE", "Age", "num", 8), pd.Series(["old"], dtype=object)),  # the writer would refuse it
    (XptVariable("SEX", "Sex", "char", 1), pd.Series([1.0])),  # text the frame does not hold as text
])
def test_rows_as_written_is_none_when_the_file_may_differ(variable, values):
    assert rows_as_written(pd.DataFrame({variable.name: values}), _meta(variable)) is None


def test_rows_as_written_is_none_for_a_variable_the_frame_lacks():
    assert rows_as_written(pd.DataFrame({"AGE": [54.0]}), _meta(XptVariable("SEX", "Sex", "char", 1))) is None


def test_a_compacted_study_gives_the_define_its_frames_give_without_being_rebuilt(tmp_path, monkeypatch):
    # the sample study as built, and the same datasets held compacted, every one of them (as a
    # large study's are): the two defines and their findings are the same, and the define reads
    # the compacted datasets' codes without ever rebuilding one
    from aclf_cdisc import compact
    from aclf_cdisc.package.build import BuildOptions, build_datasets, read_raw, write_datasets
    from aclf_cdisc.spec import load_spec

    specs = Path(__file__).resolve().parents[2] / "specs"
    spec = load_spec(specs)
    built = build_datasets(read_raw(BuildOptions(spec_root=specs), spec), spec, blinded=False, issues=[])
    whole, held = tmp_path / "whole", tmp_path / "held"
    for root in (whole, held):
        write_datasets(built, spec, root)
    found = build_for_outputs(whole, spec, creation_datetime=CREATED, frames=built)
    monkeypatch.setattr(compact, "SMALL_CELLS", 0)
    store = compact.CompactDatasets({name: compact.compact_frame(frame) for name, frame in built.items()})
    coded = compact.held_dataset(store, "ADLB")
    assert isinstance(coded["PARAMCD"].dtype, pd.CategoricalDtype) and isinstance(coded["AVISITN"].dtype,
                                                                                   pd.CategoricalDtype)

    def rebuilt(self, name):
        raise AssertionError(f"{name} rebuilt whole")

    monkeypatch.setattr(compact.CompactDatasets, "__getitem__", rebuilt)
    from aclf_cdisc.define import distinct

    by_codes: list[int] = []

    def counted(values):
        factorized = by_codes_of(values)
        by_codes.append(factorized is not None)
        return factorized

    by_codes_of = distinct._factorize_held_text
    monkeypatch.setattr(distinct, "_factorize_held_text", counted)
    assert build_for_outputs(held, spec, creation_datetime=CREATED, frames=store) == found
    assert sum(by_codes) > 100  # text columns factorized by their own codes, not rebuilt
    assert _defines(spec, held) == _defines(spec, whole)
    assert any(i.rule == "define.schema-valid" for i in found)
