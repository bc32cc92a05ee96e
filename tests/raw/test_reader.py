"""Reading a raw export: the sample reads clean; each broken case gives one located Issue."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from aclf_cdisc.errors import InputError
from aclf_cdisc.raw import FILE_COL, ROW_COL, read_export
from aclf_cdisc.raw.layout import load_raw_forms
from aclf_cdisc.sample import edc_dir


@pytest.fixture(scope="module")
def forms():
    return load_raw_forms()


@pytest.fixture
def export_dir(tmp_path: Path) -> Path:
    out = tmp_path / "edc"
    shutil.copytree(edc_dir(), out)
    return out


def _edit(folder: Path, form: str, fn) -> None:
    path = folder / f"{form}.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df = fn(df)
    path.write_text(df.to_csv(index=False, lineterminator="\n"), encoding="utf-8")


def _one_issue(folder: Path, forms) -> object:
    with pytest.raises(InputError) as info:
        read_export(folder, forms)
    assert len(info.value.issues) == 1, [i.render() for i in info.value.issues]
    return info.value.issues[0]


def test_01_sample_reads_clean_and_unblinded(forms) -> None:
    export = read_export(edc_dir(), forms)
    assert not export.blinded and not export.issues
    assert set(export.forms) == set(forms)
    ae = export.forms["ae"]
    assert list(ae.columns[-2:]) == [FILE_COL, ROW_COL]
    assert ae[ROW_COL].tolist() == list(range(1, len(ae) + 1)) and (ae[FILE_COL] == "ae.csv").all()
    # trimmed, blanks missing, case as typed
    assert not ae.AETERM.str.endswith(" ").any()
    assert ae.AEGRPID.isna().any()


def test_02_missing_irt_files_mean_blinded(export_dir: Path, forms) -> None:
    (export_dir / "irt_rand.csv").unlink()
    (export_dir / "irt_kits.csv").unlink()
    export = read_export(export_dir, forms)
    assert export.blinded and "irt_rand" not in export.forms


def test_03_one_irt_file_missing_is_an_error(export_dir: Path, forms) -> None:
    (export_dir / "irt_kits.csv").unlink()
    issue = _one_issue(export_dir, forms)
    assert (issue.rule, issue.dataset) == ("raw.form-missing", "irt_kits")


def test_04_missing_required_column(export_dir: Path, forms) -> None:
    _edit(export_dir, "dm", lambda d: d.drop(columns=["SEX"]))
    issue = _one_issue(export_dir, forms)
    assert (issue.rule, issue.file, issue.column) == ("raw.column-missing", "dm.csv", "SEX")


def test_05_bad_date(export_dir: Path, forms) -> None:
    def bad(d):
        d.loc[4, "AESTDAT"] = "31 FEB 2024"
        return d
    _edit(export_dir, "ae", bad)
    issue = _one_issue(export_dir, forms)
    assert (issue.rule, issue.file, issue.row, issue.column, issue.value) == (
        "raw.date-invalid", "ae.csv", 5, "AESTDAT", "31 FEB 2024")


def test_06_value_not_allowed(export_dir: Path, forms) -> None:
    def bad(d):
        d.loc[9, "ASCITES"] = "Massive"
        return d
    _edit(export_dir, "cla", bad)
    issue = _one_issue(export_dir, forms)
    assert (issue.rule, issue.file, issue.row, issue.column, issue.value) == (
        "raw.value-not-allowed", "cla.csv", 10, "ASCITES", "Massive")
    assert "Moderate-Severe" in issue.expected


def test_07_unparseable_number(export_dir: Path, forms) -> None:
    def bad(d):
        d.loc[0, "EXVOL"] = "100 mL"
        return d
    _edit(export_dir, "ex", bad)
    issue = _one_issue(export_dir, forms)
    assert (issue.rule, issue.file, issue.row, issue.column, issue.value) == (
        "raw.number-invalid", "ex.csv", 1, "EXVOL", "100 mL")


def test_08_required_value_missing(export_dir: Path, forms) -> None:
    def bad(d):
        d.loc[2, "DSSTDAT"] = "   "
        return d
    _edit(export_dir, "eos", bad)
    issue = _one_issue(export_dir, forms)
    assert (issue.rule, issue.row, issue.column) == ("raw.value-missing", 3, "DSSTDAT")


def test_09_unexpected_column_is_a_warning(export_dir: Path, forms) -> None:
    _edit(export_dir, "dd", lambda d: d.assign(COMMENT="x"))
    export = read_export(export_dir, forms)
    assert [(i.rule, i.severity, i.column) for i in export.issues] == [
        ("raw.column-unexpected", "warning", "COMMENT")]
    assert "COMMENT" not in export.forms["dd"].columns


def test_10_allowed_values_are_case_insensitive_after_trimming(export_dir: Path, forms) -> None:
    def messy(d):
        d.loc[0, "SEX"] = " mALE  "
        return d
    _edit(export_dir, "dm", messy)
    assert read_export(export_dir, forms).forms["dm"].loc[0, "SEX"] == "mALE"


def test_11_xpt_file_reads_like_csv(export_dir: Path, forms) -> None:
    pyreadstat = pytest.importorskip("pyreadstat")
    dm = pd.read_csv(export_dir / "dm.csv", dtype=str, keep_default_na=False)
    dm["AGE"] = pd.to_numeric(dm["AGE"])  # SAS numeric column
    (export_dir / "dm.csv").unlink()
    pyreadstat.write_xport(dm, str(export_dir / "dm.xpt"), table_name="DM", file_format_version=5)
    export = read_export(export_dir, forms)
    got = export.forms["dm"]
    assert export.files["dm"].name == "dm.xpt"
    assert got.AGE.iloc[0] == str(int(dm.AGE.iloc[0])) and got[FILE_COL].iloc[0] == "dm.xpt"


def test_12_all_problems_are_collected(export_dir: Path, forms) -> None:
    def bad(d):
        d.loc[0, "AESEV"] = "Extreme"
        d.loc[1, "AEPTCD"] = "abc"
        return d
    _edit(export_dir, "ae", bad)
    _edit(export_dir, "dm", lambda d: d.drop(columns=["BRTHDAT"]))
    with pytest.raises(InputError) as info:
        read_export(export_dir, forms)
    assert sorted((i.file, i.column) for i in info.value.issues) == [
        ("ae.csv", "AEPTCD"), ("ae.csv", "AESEV"), ("dm.csv", "BRTHDAT")]


def test_13_an_export_folder_that_is_missing_or_a_file_is_named_so(tmp_path: Path, forms) -> None:
    (tmp_path / "export.csv").write_text("SUBJID\n")
    for given, found in ((tmp_path / "none", "does not exist"), (tmp_path / "export.csv", "is a file, not a folder")):
        with pytest.raises(InputError) as info:
            read_export(given, forms)
        assert [(i.rule, i.message, i.file) for i in info.value.issues] == [
            ("raw.folder-not-found", f"export folder {given} {found}", str(given))]
