"""SDTM findings cite the raw file each record was read from: ``<form>.csv`` and its 1-based record
for a CSV export, the ODM ``.xml`` file and the line of the record's ItemGroupData for the same
study exported as ODM (``simulate --format odm``), never a fixed ``<form>.csv``."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from lxml import etree

from aclf_cdisc.errors import DerivationError, Issue
from aclf_cdisc.raw.odm import ODM_NS
from aclf_cdisc.raw.reader import read_export
from aclf_cdisc.sdtm.domains.ae import build_ae
from aclf_cdisc.sdtm.domains.dm import build_dm
from aclf_cdisc.sdtm.domains.ds import build_ds_suppds
from aclf_cdisc.sdtm.domains.se import build_se
from aclf_cdisc.simulate import DEFAULT_SEED, simulate_export, write_export
from aclf_cdisc.simulate.odm import write_odm

STUDYID = "ACLF-MSC-302"
DIED = "102-0005"  # dies on 29 NOV 2024 in simulate_export(20, DEFAULT_SEED): death form and end of study agree
ONGOING = "101-0009"  # one AE, ended 28 OCT 2023
RERANDOMIZED = "101-0002"  # hUC-MSC at both randomizations


@pytest.fixture(scope="module")
def exports(tmp_path_factory, spec) -> dict[str, Path]:
    """The same 20-subject study as CSV files and as one ODM file, each with the same two planted values."""
    frames = simulate_export(20, DEFAULT_SEED)
    eos, ae = frames["eos"].copy(), frames["ae"].copy()
    assert eos.loc[eos["SUBJID"] == DIED, ["DSDECOD", "DSSTDAT"]].values.tolist() == [["Death", "29 NOV 2024"]]
    assert ae.loc[ae["SUBJID"] == ONGOING, ["AEONGO", "AEENDAT"]].values.tolist() == [["N", "28 OCT 2023"]]
    eos.loc[eos["SUBJID"] == DIED, "DSSTDAT"] = "27 NOV 2024"  # differs from the death form's 29 NOV 2024
    ae.loc[ae["SUBJID"] == ONGOING, "AEONGO"] = "Y"  # ongoing, yet it has an end date
    frames = {**frames, "eos": eos, "ae": ae}
    return _write(frames, tmp_path_factory.mktemp("sources"), spec)


@pytest.fixture(scope="module")
def arm_exports(tmp_path_factory, spec) -> dict[str, Path]:
    """The same study with placebo at stage 1 for a subject re-randomized at stage 2: no arm has that pair."""
    frames = simulate_export(20, DEFAULT_SEED)
    rand = frames["irt_rand"].copy()
    mine = rand["SUBJID"] == RERANDOMIZED
    assert rand.loc[mine, ["RANDSTG", "TRTGRP"]].values.tolist() == [["1", "hUC-MSC"], ["2", "hUC-MSC"]]
    rand.loc[mine & (rand["RANDSTG"] == "1"), "TRTGRP"] = "Placebo"
    return _write({**frames, "irt_rand": rand}, tmp_path_factory.mktemp("arms"), spec)


def _write(frames: dict, root: Path, spec) -> dict[str, Path]:
    write_export(frames, root / "csv", spec)
    write_odm(frames, root / "odm" / "odm.xml", spec)
    return {"csv": root / "csv", "odm": root / "odm"}


def _csv_records(path: Path, subjid: str) -> list[int]:
    """1-based record numbers (header not counted) of the subject's records in a CSV file."""
    with path.open(newline="", encoding="utf-8") as handle:
        return [n for n, row in enumerate(csv.DictReader(handle), start=1) if row["SUBJID"] == subjid]


def _odm_lines(path: Path, subjid: str, group: str) -> list[int]:
    """Lines of the subject's ItemGroupData ``group`` in the ODM file (read with a full XML parse)."""
    tree = etree.parse(str(path))
    found = tree.xpath(f"//o:SubjectData[@SubjectKey='{subjid}']//o:ItemGroupData[@ItemGroupOID='{group}']",
                       namespaces={"o": ODM_NS})
    return [int(e.sourceline) for e in found]


def _where(kind: str, exports: dict[str, Path], form: str, subjid: str, nth: int = 0) -> tuple[str, int]:
    """The raw file and the place (CSV record, ODM line) of the subject's ``nth`` record of ``form``."""
    if kind == "csv":
        return f"{form}.csv", _csv_records(exports["csv"] / f"{form}.csv", subjid)[nth]
    return "odm.xml", _odm_lines(exports["odm"] / "odm.xml", subjid, f"IG.{form.upper()}")[nth]


def _build(kind: str, exports: dict[str, Path], spec) -> tuple[object, object, object]:
    raw = read_export(exports[kind], spec)
    dm = build_dm(raw, spec)
    return raw, dm, build_se(raw, spec, dm=dm)


@pytest.mark.parametrize("kind", ["csv", "odm"])
def test_a_death_date_error_cites_the_end_of_study_record(kind, exports, spec) -> None:
    raw, dm, se = _build(kind, exports, spec)
    file, row = _where(kind, exports, "eos", DIED)
    with pytest.raises(DerivationError) as caught:
        build_ds_suppds(raw, spec, dm=dm, se=se)
    assert [i.render() for i in caught.value.issues] == [
        f"[error] sdtm.ds-death-date: end-of-study DEATH date of {STUDYID}-{DIED} differs from the death form "
        f"date (file={file}, dataset=DS, row={row}, column=DSSTDTC); value='2024-11-27'; "
        "expected DM.DTHDTC 2024-11-29"]


@pytest.mark.parametrize("kind", ["csv", "odm"])
def test_an_ae_warning_cites_the_ae_record(kind, exports, spec) -> None:
    raw, dm, se = _build(kind, exports, spec)
    file, row = _where(kind, exports, "ae", ONGOING)
    warnings: list[Issue] = []
    build_ae(raw, spec, dm=dm, se=se, issues=warnings)
    assert [i.render() for i in warnings if i.rule == "sdtm.ae-ongoing-with-end"] == [
        f"[warning] sdtm.ae-ongoing-with-end: AE is marked ongoing but has an end date (file={file}, dataset=AE, "
        f"row={row}, column=AEENDTC); value='2023-10-28'; expected no end date when AEONGO = Y"]


def test_the_odm_lines_are_not_the_csv_records(exports) -> None:
    """The two exports cite different places for the same record (so the tests above tell them apart)."""
    assert _where("csv", exports, "eos", DIED)[1] != _where("odm", exports, "eos", DIED)[1]
    assert _where("csv", exports, "ae", ONGOING)[1] != _where("odm", exports, "ae", ONGOING)[1]


@pytest.mark.parametrize("kind", ["csv", "odm"])
def test_an_unknown_arm_cites_the_stage_2_randomization_record(kind, arm_exports, spec) -> None:
    raw = read_export(arm_exports[kind], spec)
    file, row = _where(kind, arm_exports, "irt_rand", RERANDOMIZED, nth=1)
    with pytest.raises(DerivationError) as caught:
        build_dm(raw, spec)
    assert [i.render() for i in caught.value.issues] == [
        f"[error] sdtm.arm-unknown: randomization groups match no arm ({STUDYID}-{RERANDOMIZED}) (file={file}, "
        f"dataset=DM, row={row}, column=TRTGRP); value='Placebo / hUC-MSC'; expected a stage pair of the study's arms"]
