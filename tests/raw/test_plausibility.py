"""Clinically impossible raw data: one broken copy of the sample per class, through the build.

Each test changes one cell of the sample export and asserts the one Issue the build reports: rule,
severity, raw file, 1-based record, column and value (severities as conventions.checks decides).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from aclf_cdisc.cli import main
from aclf_cdisc.errors import AclfError, InputError, Issue, SpecError
from aclf_cdisc.package.build import BuildOptions, build_package
from aclf_cdisc.package.layout import reports_dir
from aclf_cdisc.raw.plausibility import date_bounds, eligible_age_range
from aclf_cdisc.spec import load_spec


def build_errors(raw: Path, out: Path) -> list[Issue]:
    with pytest.raises(AclfError) as caught:
        build_package(BuildOptions(raw_dir=raw, out_dir=out))
    assert isinstance(caught.value, InputError)
    return list(caught.value.issues)


def only(issues: list[Issue], rule: str) -> Issue:
    found = [i for i in issues if i.rule == rule]
    assert len(found) == 1, [i.render() for i in issues]
    return found[0]


def first(records: list[dict[str, str]], **where: str) -> int:
    """1-based record number of the first record matching ``where``."""
    return next(i for i, r in enumerate(records, start=1) if all(r[k] == v for k, v in where.items()))


def test_dose_after_death(broken_export, sample_records, tmp_path):
    death = sample_records("dd")[0]  # 101-0004 died 20 OCT 2023
    assert (death["SUBJID"], death["DTHDAT"]) == ("101-0004", "20 OCT 2023")
    row = first(sample_records("ex"), SUBJID="101-0004", EXYN="Y")
    raw = broken_export([("ex", row, "EXDAT", "22 OCT 2023")])
    issue = only(build_errors(raw, tmp_path / "out"), "raw.dose-after-death")
    assert (issue.severity, issue.file, issue.row, issue.column, issue.value) == (
        "error", "ex.csv", row, "EXDAT", "22 OCT 2023")
    assert "20 OCT 2023" in (issue.expected or "")


def test_dose_on_the_day_of_death_passes(broken_export, sample_records, tmp_path):
    # no death time is collected: a dose on the day of death is possible
    row = first(sample_records("ex"), SUBJID="101-0004", EXYN="Y")
    raw = broken_export([("ex", row, "EXDAT", "20 OCT 2023")])
    from aclf_cdisc.raw import read_export

    export = read_export(raw, load_spec(None))
    assert not [i for i in export.issues if i.rule == "raw.dose-after-death"]


def test_birth_after_consent(broken_export, sample_records, tmp_path):
    subjid = sample_records("dm")[0]["SUBJID"]
    consent = sample_records("ic")[first(sample_records("ic"), SUBJID=subjid) - 1]["DSSTDAT"]
    born = f"UN UNK {int(consent[-4:]) + 1}"  # earliest possible day: 1 January of the next year
    raw = broken_export([("dm", 1, "BRTHDAT", born)])
    issue = only(build_errors(raw, tmp_path / "out"), "raw.birth-after-consent")
    assert (issue.severity, issue.file, issue.row, issue.column, issue.value) == (
        "error", "dm.csv", 1, "BRTHDAT", born)
    assert consent in (issue.expected or "")


def test_birth_month_of_consent_passes(broken_export, sample_records):
    from aclf_cdisc.raw import read_export

    subjid = sample_records("dm")[0]["SUBJID"]
    consent = sample_records("ic")[first(sample_records("ic"), SUBJID=subjid) - 1]["DSSTDAT"]
    raw = broken_export([("dm", 1, "BRTHDAT", "UN " + consent[3:])])  # may be the 1st of that month
    assert not [i for i in read_export(raw, load_spec(None)).issues if i.rule == "raw.birth-after-consent"]


def test_age_of_an_eligible_subject_outside_the_planned_range(broken_export, sample_records, tmp_path):
    assert eligible_age_range(load_spec(None).study) == (18.0, 70.0)  # TS AGEMIN P18Y, AGEMAX P70Y
    row = first(sample_records("ie"), IEYN="Y")
    subjid = sample_records("ie")[row - 1]["SUBJID"]
    dm_row = first(sample_records("dm"), SUBJID=subjid)
    raw = broken_export([("dm", dm_row, "AGE", "71")])
    issue = only(build_errors(raw, tmp_path / "out"), "raw.age-not-eligible")
    assert (issue.severity, issue.file, issue.row, issue.column, issue.value) == (
        "error", "dm.csv", dm_row, "AGE", "71")


def test_age_of_a_screen_failure_outside_the_range_passes(broken_export, sample_records):
    from aclf_cdisc.raw import read_export

    subjid = sample_records("ie")[first(sample_records("ie"), IEYN="N") - 1]["SUBJID"]
    raw = broken_export([("dm", first(sample_records("dm"), SUBJID=subjid), "AGE", "75")])
    assert not [i for i in read_export(raw, load_spec(None)).issues if i.rule.startswith("raw.age")]


def test_age_no_human_has(broken_export, sample_records, tmp_path):
    subjid = sample_records("ie")[first(sample_records("ie"), IEYN="N") - 1]["SUBJID"]
    row = first(sample_records("dm"), SUBJID=subjid)
    raw = broken_export([("dm", row, "AGE", "412")])
    issue = only(build_errors(raw, tmp_path / "out"), "raw.age-not-human")
    assert (issue.severity, issue.file, issue.row, issue.column, issue.value) == (
        "error", "dm.csv", row, "AGE", "412")


def test_kit_assigned_twice_with_different_content(broken_export, sample_records, tmp_path):
    kits = sample_records("irt_kits")
    other = first(kits, SUBJID=next(k["SUBJID"] for k in kits if k["SUBJID"] != kits[0]["SUBJID"]))
    raw = broken_export([("irt_kits", other, "KITNO", kits[0]["KITNO"])])
    found = [i for i in build_errors(raw, tmp_path / "out") if i.rule == "raw.kit-reassigned"]
    assert [(i.severity, i.file, i.row, i.column, i.value) for i in found] == [
        ("error", "irt_kits.csv", 1, "KITNO", kits[0]["KITNO"]),
        ("error", "irt_kits.csv", other, "KITNO", kits[0]["KITNO"])]


def test_kit_of_a_subject_in_no_other_form(broken_export, sample_records, tmp_path):
    raw = broken_export([("irt_kits", 3, "SUBJID", "101-9999")])
    issue = only(build_errors(raw, tmp_path / "out"), "raw.kit-subject-unknown")
    assert (issue.severity, issue.file, issue.row, issue.column, issue.value) == (
        "error", "irt_kits.csv", 3, "KITNO", sample_records("irt_kits")[2]["KITNO"])
    assert "101-9999" in issue.message


def test_form_with_the_same_column_twice(broken_export, tmp_path):
    raw = broken_export([])
    path = raw / "lb.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",LBORRES"] + [line + ",1" for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    issue = only(build_errors(raw, tmp_path / "out"), "raw.column-duplicated")
    assert (issue.severity, issue.file, issue.row, issue.column, issue.value) == (
        "error", "lb.csv", None, "LBORRES", "LBORRES")
    assert "positions 8 and 14" in issue.message


def test_a_header_cell_too_long_to_be_a_column_name(broken_export, tmp_path):
    raw = broken_export([])
    path = raw / "ae.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + "," + "X" * 200_000] + [line + "," for line in lines[1:]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    issue = only(build_errors(raw, tmp_path / "out"), "raw.header-unreadable")
    assert (issue.severity, issue.file, issue.dataset, issue.row) == ("error", "ae.csv", "ae", None)


def test_lab_date_far_in_the_future(broken_export, tmp_path):
    raw = broken_export([("lb", 5, "LBDAT", "05 MAR 2031")])
    issue = only(build_errors(raw, tmp_path / "out"), "raw.date-future")
    assert (issue.severity, issue.file, issue.row, issue.column, issue.value) == (
        "error", "lb.csv", 5, "LBDAT", "05 MAR 2031")
    assert "2025-12-31" in (issue.expected or "")


def test_text_with_a_nul_byte(broken_export, sample_records, tmp_path):
    value = "Multiple organ\x00failure"
    raw = broken_export([("ae", 1, "AETERM", value)])
    issue = only(build_errors(raw, tmp_path / "out"), "raw.text-nul")
    assert (issue.severity, issue.file, issue.row, issue.column, issue.value) == (
        "error", "ae.csv", 1, "AETERM", value)


def test_text_with_a_line_break_is_a_warning_and_builds(broken_export, tmp_path):
    value = "Multiple organ\nfailure"
    raw = broken_export([("ae", 1, "AETERM", value)])
    out = tmp_path / "out"
    assert main(["build", "--raw", str(raw), "--out", str(out)]) == 0
    report = json.loads((reports_dir(out) / "validation.json").read_text(encoding="utf-8"))
    found = [i for i in report["issues"] if i["rule"] == "raw.text-line-break"]
    assert [(i["severity"], i["file"], i["row"], i["column"], i["value"]) for i in found] == [
        ("warning", "ae.csv", 1, "AETERM", value)]


def test_an_error_exits_1_with_the_located_message(broken_export, tmp_path, capsys):
    raw = broken_export([("lb", 5, "LBDAT", "05 MAR 2031")])
    assert main(["build", "--raw", str(raw), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "raw.date-future" in err and "file=lb.csv" in err and "row=5" in err and "column=LBDAT" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_date_bounds_spread_partial_dates():
    low, high = date_bounds(pd.Series(["UN UNK 2024", "UN FEB 2023", "29 FEB 2024", None]))
    assert [str(d.date()) for d in low[:3]] == ["2024-01-01", "2023-02-01", "2024-02-29"]
    assert [str(d.date()) for d in high[:3]] == ["2024-12-31", "2023-02-28", "2024-02-29"]
    assert pd.isna(low[3]) and pd.isna(high[3])


def _specs_with(tmp_path: Path, old: str, new: str) -> Path:
    import shutil

    specs = tmp_path / "specs"
    shutil.copytree(Path(load_spec(None).root or ""), specs)
    study = specs / "study.yaml"
    text = study.read_text(encoding="utf-8")
    assert old in text
    study.write_text(text.replace(old, new), encoding="utf-8")
    return specs


def test_a_check_severity_outside_error_and_warning_is_a_spec_error(tmp_path):
    specs = _specs_with(tmp_path, "text-line-break: {severity: warning}", "text-line-break: {severity: fatal}")
    with pytest.raises(SpecError):
        load_spec(specs)


def test_a_check_naming_an_undeclared_raw_column_is_a_spec_error(tmp_path):
    from aclf_cdisc.raw import read_export
    from aclf_cdisc.sample import edc_dir

    specs = _specs_with(tmp_path, "birth: dm.BRTHDAT", "birth: dm.BIRTHDAY")
    with pytest.raises(SpecError) as caught:
        read_export(edc_dir(), load_spec(specs))
    assert [(i.rule, i.value) for i in caught.value.issues] == [("spec.check-source-unknown", "dm.BIRTHDAY")]
