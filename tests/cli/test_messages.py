"""What the command prints when things go wrong: short, located, no traceback."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from aclf_cdisc import cli
from aclf_cdisc.commands import build as build_command
from aclf_cdisc.errors import AclfError, Issue

from .helpers import SPECS, debris, one_error_line, previous_package, run_cli, tree


def test_01_a_huge_value_is_capped_and_its_length_said() -> None:
    cell = "x" * 20_000_000  # 20 MB: the rendering is bounded whatever the size
    issue = Issue(rule="raw.text", message=f"bad text {cell!r}", file="ae.csv", row=3, column="AETERM",
                  value=cell, expected=cell)
    text = issue.render()
    assert len(text) < 1_600
    assert text.startswith("[error] raw.text: bad text 'xxx")
    assert "... (20000011 characters) (file=ae.csv, row=3, column=AETERM); value='xxx" in text
    assert text.count("... (20000002 characters)") == 1  # the value's repr: 20 MB plus two quotes
    assert text.endswith("... (20000000 characters)")  # expected
    assert len(str(AclfError([issue] * 3))) < 5_000


def test_02_an_internal_error_prints_one_line_and_writes_the_trace_to_a_file(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    def broken(_args: object) -> int:
        raise ZeroDivisionError("a bug " + "y" * 10_000)

    monkeypatch.setattr(build_command, "run", broken)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    assert cli.main(["build", "--out", str(tmp_path / "out")]) == cli.EXIT_INTERNAL
    err = capsys.readouterr().err
    trace = next(tmp_path.glob("aclf-cdisc-crash-*.txt"))
    assert err == (f"aclf-cdisc build: internal error, a bug in aclf-cdisc 0.1.0 (ZeroDivisionError: a bug "
                   f"{'y' * 194}... (10006 characters)); please report it with the full trace, written to {trace} "
                   f"(see README, 'Reporting a problem')\n")
    text = trace.read_text()
    assert "Traceback (most recent call last)" in text and "ZeroDivisionError: a bug" in text
    assert not (tmp_path / "out").exists()


def test_03_a_failed_build_names_the_folder_the_user_gave(tmp_path: Path, small_raw: Path) -> None:
    specs = tmp_path / "specs"
    shutil.copytree(SPECS, specs)
    dm = specs / "sdtm" / "dm.yaml"
    text = dm.read_text(encoding="utf-8")
    at = text.index("length:", text.index("- name: SUBJID"))
    dm.write_text(text[:at] + "length: 3" + text[text.index("\n", at):], encoding="utf-8")  # too short
    out = tmp_path / "my-package"
    before = previous_package(out)
    result = run_cli("build", "--raw", small_raw, "--specs", specs, "--out", out)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    summary = result.stderr.splitlines()[1]
    assert summary.startswith("aclf-cdisc build: datasets broke their specs or conformance rules: ")
    assert f" error(s); {out} left as it was; full report in " in summary
    assert "outputs/" not in result.stderr
    assert "(file=dm.csv, dataset=DM, row=" in result.stderr  # the raw file and row it came from
    report = Path(summary.rsplit("full report in ", 1)[1])
    assert (report / "validation.csv").is_file()
    assert tree(out) == before
    assert debris(out) == []


def test_04_an_unreadable_raw_folder_is_one_line(tmp_path: Path) -> None:
    raw = tmp_path / "raw.csv"
    raw.write_text("a file where a folder is expected")
    result = run_cli("build", "--raw", raw, "--out", tmp_path / "out")
    assert result.returncode == 1
    assert str(raw) in one_error_line(result.stderr)


def test_05_the_interrupt_line_says_whether_the_new_package_was_published() -> None:
    import signal

    assert cli.interrupted_message(signal.SIGINT, Path("pkg"), published=False) == (
        "build interrupted (SIGINT); nothing was published, pkg is as it was")
    assert cli.interrupted_message(signal.SIGTERM, Path("pkg"), published=True) == (
        "interrupted (SIGTERM) just after the new package was published to pkg")
    assert cli.interrupted_message(signal.SIGTERM, Path("raw"), published=False, command="simulate") == (
        "simulate interrupted (SIGTERM); nothing was published, raw is as it was")
    assert cli.interrupted_message(signal.SIGINT, None, published=False, command="package") == "interrupted (SIGINT)"
