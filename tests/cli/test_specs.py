"""How the command finds the study's specs: --specs, $ACLF_SPECS, ./specs upwards, the checkout's.

"Installed" is tested honestly and simply: the package folder is copied alone into a temp
``site-packages`` (the layout pip gives: no ``src/``, no ``pyproject.toml``, no ``specs/`` near
it) and run from an empty folder, so nothing but --specs or $ACLF_SPECS can name the specs.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .helpers import SPECS, SRC, one_error_line, run_cli


@pytest.fixture
def installed(tmp_path: Path) -> tuple[Path, Path]:
    """(site-packages holding only aclf_cdisc, an empty working folder)."""
    site = tmp_path / "site-packages"
    shutil.copytree(SRC / "aclf_cdisc", site / "aclf_cdisc", ignore=shutil.ignore_patterns("__pycache__"))
    work = tmp_path / "work"
    work.mkdir()
    return site, work


@pytest.mark.parametrize("command", [["build"], ["define"], ["spec", "check"]])
def test_01_every_command_that_reads_specs_shows_both_ways_in_help(command: list[str]) -> None:
    result = run_cli(*command, "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "--specs DIR the specs folder, holding study.yaml (also $ACLF_SPECS)" in text
    assert ("Found by: --specs DIR, else $ACLF_SPECS, else ./specs in the current folder or a parent, "
            "else the specs/ of the source checkout the program runs from") in text


@pytest.mark.parametrize("command", [["build", "--out", "out"], ["spec", "check"]])
def test_02_installed_without_specs_says_how_to_point_at_them(installed: tuple[Path, Path],
                                                              command: list[str]) -> None:
    site, work = installed
    result = run_cli(*command, cwd=work, PYTHONPATH=str(site))
    assert result.returncode == 1
    line = one_error_line(result.stderr)
    assert line == (f"aclf-cdisc {command[0]}: [error] spec.root-not-found: no specs found (no --specs, $ACLF_SPECS "
                    f"unset, no specs/study.yaml in {work.resolve()} or a parent). The study's specs do not ship "
                    f"with the program: pass --specs DIR or set ACLF_SPECS=DIR, DIR being the folder that holds "
                    f"study.yaml (specs/ of the aclf-cdisc repository) (file={work.resolve()})")
    assert sorted(p.name for p in work.iterdir()) == []


def _specs_line(result_stderr: str) -> str:
    return result_stderr.splitlines()[0]


def test_03_installed_finds_specs_by_option_then_variable(installed: tuple[Path, Path], tmp_path: Path) -> None:
    site, work = installed
    a_file = tmp_path / "a-file"
    a_file.write_text("")  # --out a file: the build stops right after saying which specs it uses
    by_option = run_cli("build", "--specs", SPECS, "--out", a_file, cwd=work, PYTHONPATH=str(site),
                        ACLF_SPECS="/nowhere")
    assert _specs_line(by_option.stderr) == f"aclf-cdisc build: specs from --specs: {SPECS}"
    by_variable = run_cli("build", "--out", a_file, cwd=work, PYTHONPATH=str(site), ACLF_SPECS=str(SPECS))
    assert _specs_line(by_variable.stderr) == f"aclf-cdisc build: specs from $ACLF_SPECS: {SPECS}"
    checked = run_cli("spec", "check", cwd=work, PYTHONPATH=str(site), ACLF_SPECS=str(SPECS))
    assert checked.returncode == 0, checked.stderr


def test_04_specs_in_a_parent_folder_win_over_the_checkout(tmp_path: Path) -> None:
    shutil.copytree(SPECS, tmp_path / "project" / "specs")
    sub = tmp_path / "project" / "data" / "today"
    sub.mkdir(parents=True)
    (tmp_path / "a-file").write_text("")
    result = run_cli("build", "--out", tmp_path / "a-file", cwd=sub)
    found = (tmp_path / "project" / "specs").resolve()
    assert _specs_line(result.stderr) == f"aclf-cdisc build: specs from ./specs: {found}"


def test_05_in_the_checkout_with_no_specs_nearby_the_checkout_s_are_used(tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    result = run_cli("build", "--out", tmp_path / "a-file", cwd=tmp_path)
    assert _specs_line(result.stderr) == f"aclf-cdisc build: specs from checkout: {SPECS}"
