"""Build progress: a live line only on a terminal, a JSON-lines log with the times the hook measured."""

from __future__ import annotations

import errno
import io
import json
from pathlib import Path

import pytest

from aclf_cdisc.progress import BuildProgress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _clock(times: list[float]):
    ticks = iter(times)
    return lambda: next(ticks)


def test_01_the_log_has_one_object_per_step_with_the_seconds_between_steps(tmp_path: Path) -> None:
    stream = io.StringIO()  # not a terminal: nothing is shown
    log = tmp_path / "build.jsonl"
    with BuildProgress(log_json=log, stream=stream, clock=_clock([10.0, 10.5, 12.25, 12.3])) as hook:
        hook("raw", None, 21650)
        hook("xpt", "AE", 412)
        hook("define")
    assert stream.getvalue() == ""
    assert [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()] == [
        {"stage": "raw", "dataset": None, "records": 21650, "seconds": 0.5},
        {"stage": "xpt", "dataset": "AE", "records": 412, "seconds": 1.75},
        {"stage": "define", "dataset": None, "records": None, "seconds": 0.05}]


def test_02_a_terminal_sees_the_progress_unless_quiet() -> None:
    shown, quiet = Terminal(), Terminal()
    with BuildProgress(stream=shown) as hook:
        hook("xpt", "AE", 412)
    with BuildProgress(stream=quiet, quiet=True) as hook:
        hook("xpt", "AE", 412)
    assert shown.getvalue() != "" and quiet.getvalue() == ""


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_a_log_on_a_full_disk_is_an_error_that_names_the_log() -> None:
    # /dev/full refuses every write with ENOSPC, as a full disk does
    with pytest.raises(OSError) as caught, BuildProgress(log_json=Path("/dev/full"), stream=io.StringIO(),
                                                         clock=_clock([0.0, 1.0])) as hook:
        hook("raw", None, 10)
    assert caught.value.errno == errno.ENOSPC and caught.value.filename == "/dev/full"


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
def test_the_build_command_names_a_full_log_in_one_line(capsys, tmp_path: Path) -> None:
    from aclf_cdisc.cli import main

    out = tmp_path / "outputs"
    code = main(["build", "--log-json", "/dev/full", "--out", str(out), "--quiet"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert err[-1] == "aclf-cdisc build: [error] os.OSError: /dev/full: No space left on device"
    assert list(tmp_path.iterdir()) == []  # no package, no staging or working folder
