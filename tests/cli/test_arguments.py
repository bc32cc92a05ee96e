"""Numeric options out of range are usage errors (exit 2) naming the option, refused before anything
is read or written: a negative seed, a study too large to simulate, no subjects."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aclf_cdisc.commands.arguments import MAX_SUBJECTS, seed, subject_count, whole_number

from .helpers import run_cli


@pytest.mark.parametrize(("args", "message"), [
    (["simulate", "--seed", "-1"], "argument --seed: expected a whole number >= 0, got '-1'"),
    (["simulate", "--subjects", str(10**12)],
     f"argument --subjects: expected a whole number from 1 to 100,000, got '{10**12}'"),
    (["simulate", "--subjects", "0"], "argument --subjects: expected a whole number from 1 to 100,000, got '0'"),
    (["init", "--subjects", "-3"], "argument --subjects: expected a whole number from 1 to 100,000, got '-3'"),
    (["build", "--dummy-randomization", "-5"],
     "argument --dummy-randomization: expected a whole number >= 0, got '-5'"),
])
def test_01_an_out_of_range_number_is_a_usage_error(tmp_path: Path, args: list[str], message: str) -> None:
    out = tmp_path / "out"
    where = [str(out)] if args[0] == "init" else ["--out", str(out)]
    result = run_cli(*args, *where)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == f"aclf-cdisc {args[0]}: error: {message}"
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_02_the_largest_study_and_seed_zero_are_accepted() -> None:
    assert subject_count(str(MAX_SUBJECTS)) == MAX_SUBJECTS
    assert seed("0") == 0


@given(st.integers(min_value=-10**30, max_value=10**30), st.integers(-5, 5), st.integers(0, 10))
def test_03_a_whole_number_is_taken_exactly_when_it_is_in_range(number: int, least: int, span: int) -> None:
    most = least + span
    try:
        taken = whole_number(str(number), least=least, most=most)
    except argparse.ArgumentTypeError as exc:
        assert not least <= number <= most
        assert str(exc) == f"expected a whole number from {least} to {most:,}, got {str(number)!r}"
    else:
        assert taken == number and least <= number <= most


@given(st.text(max_size=20))
def test_04_any_text_is_a_number_or_a_usage_error(text: str) -> None:
    try:
        taken = seed(text)
    except argparse.ArgumentTypeError as exc:
        assert str(exc).startswith("expected a whole number >= 0, got ")
    else:
        assert taken >= 0


@pytest.mark.parametrize("args", [["build", "--out", ""], ["simulate", "--out", ""], ["init", ""],
                                  ["define", "--outputs", ""], ["build", "--log-json", ""]])
def test_05_an_empty_path_is_a_usage_error_not_the_current_folder(tmp_path: Path, args: list[str]) -> None:
    result = run_cli(*args, cwd=tmp_path)
    option = {"init": "DIR", "define": "--outputs"}.get(args[0], args[-2])
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f"aclf-cdisc {args[0]}: error: argument {option}: expected a path, got an empty one (write . for the "
        "current folder)")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_06_more_workers_than_the_cap_is_a_usage_error() -> None:
    result = run_cli("build", "--workers", "65")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        "aclf-cdisc build: error: argument --workers: expected a whole number from 1 to 64, got '65'")


@pytest.mark.parametrize("inside", ["build.jsonl", "logs/build.jsonl", ""])
def test_07_a_log_inside_out_is_refused_before_anything_is_written(tmp_path: Path, inside: str) -> None:
    out = tmp_path / "out"
    log = out / inside if inside else out
    result = run_cli("build", "--out", out, "--log-json", log)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == (
        f"aclf-cdisc build: error: argument --log-json: {log} is inside --out {out}, which the build replaces "
        "whole (or leaves as it was); write the log outside it")
    assert sorted(p.name for p in tmp_path.iterdir()) == []
