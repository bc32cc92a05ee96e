"""Ctrl-C, SIGTERM and SIGKILL at named steps of a real build (``python -m aclf_cdisc`` in a subprocess).

The CLI is held at a step by the test seam in aclf_cdisc.faults (it writes a marker file and
waits), then the test sends a real signal. After every signal --out holds exactly the previous
package or exactly the new one; after SIGKILL the next build's start (check_output_target)
finishes a half swap and sweeps what the killed build left.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from aclf_cdisc.package.atomic import check_output_target

from .helpers import HANG_GUARD, cli_env, debris, previous_package, start_paused, stop, tree


def test_01_ctrl_c_while_importing(tmp_path: Path) -> None:
    proc = start_paused("import", tmp_path / "marker", "build", "--out", tmp_path / "out")
    code, err = stop(proc, signal.SIGINT)
    assert code == 130
    assert err.splitlines() == ["aclf-cdisc: interrupted (SIGINT) while starting; nothing was done"]
    assert not (tmp_path / "out").exists()


def test_02_sigterm_while_importing(tmp_path: Path) -> None:
    proc = start_paused("import", tmp_path / "marker", "build", "--out", tmp_path / "out")
    code, err = stop(proc, signal.SIGTERM)
    assert code == 143
    assert err.splitlines() == ["aclf-cdisc: interrupted (SIGTERM) while starting; nothing was done"]


@pytest.mark.parametrize(("point", "signum"), [("staging", signal.SIGTERM), ("publish-ready", signal.SIGINT)])
def test_03_interrupt_while_building_publishes_nothing(tmp_path: Path, small_raw: Path, point: str,
                                                       signum: signal.Signals) -> None:
    out = tmp_path / "out"
    before = previous_package(out)
    proc = start_paused(point, tmp_path / "marker", "build", "--raw", small_raw, "--out", out)
    code, err = stop(proc, signum)
    assert code == 128 + signum
    lines = [line for line in err.splitlines() if "specs from" not in line]
    assert lines == [f"aclf-cdisc build: build interrupted ({signum.name}); nothing was published, {out} is as it was"]
    assert tree(out) == before
    assert debris(out) == []


# (point, fallback): the kill lands before the swap, between the renames of the fallback, or after it
KILLS = [("publish-ready", False), ("publish-swapped", False),
         ("publish-aside", True), ("publish-swapped", True)]


@pytest.mark.parametrize(("point", "fallback"), KILLS)
def test_04_sigkill_at_each_step_leaves_old_or_new(tmp_path: Path, small_raw: Path, new_package: dict[str, bytes],
                                                   point: str, fallback: bool) -> None:
    out = tmp_path / "out"
    before = previous_package(out)
    extra = {"ACLF_TEST_NO_EXCHANGE": "1"} if fallback else {}
    proc = start_paused(point, tmp_path / "marker", "build", "--raw", small_raw, "--out", out, **extra)
    code, _ = stop(proc, signal.SIGKILL)
    assert code == -signal.SIGKILL
    new = {**new_package, "README.txt": b"kept"}  # entries the build does not make are carried over
    if point == "publish-aside":
        # the one window of the fallback: --out is renamed aside, the new package not yet in place
        assert not out.exists()
        # the aside folder, the staging folder and the build's working folder
        assert sorted(name.split("-")[1] for name in debris(out)) == ["blocks", "old", "staging"]
    elif point == "publish-swapped":
        assert tree(out) == new
    else:
        assert tree(out) == before
    check_output_target(out)  # what the next build does first
    assert tree(out) == (new if point == "publish-swapped" else before)
    assert debris(out) == []


def test_05_ctrl_c_pressed_again_and_again_leaves_nothing_and_prints_one_line(tmp_path: Path, small_raw: Path) -> None:
    # the ones after the first land in the clean-up (staging folder removed, workers stopped, the
    # pools' threads joined at exit), which they cut short before: a folder left, or a traceback
    out = tmp_path / "out"
    proc = start_paused("staging", tmp_path / "marker", "build", "--raw", small_raw, "--out", out)
    for _ in range(5):
        os.kill(proc.pid, signal.SIGINT)
        time.sleep(0.01)
    code, err = stop(proc, signal.SIGINT)
    lines = [line for line in err.splitlines() if "specs from" not in line]
    assert (code, lines) == (130, [f"aclf-cdisc build: build interrupted (SIGINT); nothing was published, "
                                   f"{out} is as it was"])
    assert debris(out) == []


CLEAN_UP_UNDER_FIRE = """
import os, signal, time
from aclf_cdisc import cli

signal.signal(signal.SIGINT, cli.stop_once)
try:
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(60)
except KeyboardInterrupt:
    for _ in range(3):  # pressed again while the command cleans up
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.01)
    print("cleaned up")
print(signal.getsignal(signal.SIGINT) is signal.SIG_IGN, signal.getsignal(signal.SIGTERM) is signal.SIG_DFL)
"""


def test_06_after_the_first_stop_ctrl_c_is_ignored_and_sigterm_ends_the_process():
    done = subprocess.run([sys.executable, "-c", CLEAN_UP_UNDER_FIRE], capture_output=True, text=True,
                          timeout=HANG_GUARD, env=cli_env())
    assert (done.returncode, done.stdout, done.stderr) == (0, "cleaned up\nTrue True\n", "")


def _old_reports(out: Path) -> dict[str, bytes]:
    """A --out holding the reports of an earlier validate run, and a file of the user's."""
    out.mkdir(parents=True)
    for name in ("validation.csv", "validation.json", "validation.html", "validation.xlsx", "notes.txt"):
        (out / name).write_text(f"earlier {name}")
    return tree(out)


@pytest.mark.parametrize(("point", "signum"), [("staging", signal.SIGTERM), ("publish-ready", signal.SIGINT)])
def test_09_interrupted_validate_leaves_the_earlier_reports_whole(tmp_path: Path, reference_build: Path, point: str,
                                                                  signum: signal.Signals) -> None:
    """validate wrote its four reports one by one into --out: stopped midway, --out held this run's
    CSV beside the last run's workbook while the message said it was as it was. The reports are
    now published whole, as a build publishes its package."""
    out = tmp_path / "reports"
    before = _old_reports(out)
    proc = start_paused(point, tmp_path / "marker", "validate", reference_build / "m5", "--out", out)
    code, err = stop(proc, signum)
    assert code == 128 + signum
    assert err.splitlines() == [f"aclf-cdisc validate: validate interrupted ({signum.name}); nothing was published, "
                                f"{out} is as it was"]
    assert tree(out) == before
    assert debris(out) == []


def test_10_validate_publishes_its_reports_and_keeps_the_users_files(tmp_path: Path, reference_build: Path) -> None:
    out = tmp_path / "reports"
    _old_reports(out)
    result = subprocess.run([sys.executable, "-m", "aclf_cdisc", "validate", str(reference_build / "m5"), "--out",
                             str(out)], env=cli_env(), capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt", "validation.csv", "validation.html",
                                                     "validation.json", "validation.xlsx"]
    assert (out / "notes.txt").read_text() == "earlier notes.txt"
    assert all(not (out / name).read_bytes().startswith(b"earlier") for name in
               ("validation.csv", "validation.html", "validation.json", "validation.xlsx"))
    assert f"Reports in {out}: validation.csv, validation.json, validation.html, validation.xlsx" in result.stdout
    assert debris(out) == []


@pytest.mark.parametrize(("args", "named"), [
    (("simulate", "--subjects", "2", "--out", "{folder}"), "{folder}"),
    (("init", "{folder}", "--subjects", "2"), "{folder}"),
    (("define", "--outputs", "{package}"), "{package}"),
])
def test_11_the_interrupt_line_names_the_command_and_what_it_left_as_it_was(
        tmp_path: Path, reference_build: Path, args: tuple[str, ...], named: str) -> None:
    """simulate said "build interrupted" and init and define named nothing, though each publishes
    its folder whole; each now says which command stopped and which folder is as it was."""
    package = tmp_path / "package"
    shutil.copytree(reference_build, package)
    places = {"folder": tmp_path / "new", "package": package}
    before = tree(package)
    proc = start_paused("staging", tmp_path / "marker", *(a.format(**places) for a in args))
    code, err = stop(proc, signal.SIGINT)
    assert code == 130
    lines = [line for line in err.splitlines() if "specs from" not in line]
    assert lines == [f"aclf-cdisc {args[0]}: {args[0]} interrupted (SIGINT); nothing was published, "
                     f"{named.format(**places)} is as it was"]
    assert not (tmp_path / "new").exists() and tree(package) == before
    assert debris(tmp_path / "new") == [] and debris(package) == []
