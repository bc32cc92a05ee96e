"""Helpers to drive the real command line (``python -m aclf_cdisc``) in a subprocess, as a user would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SRC = REPO_ROOT / "src"
SPECS = REPO_ROOT / "specs"
HANG_GUARD = 600  # seconds a signalled CLI may take to end before the test gives up


def cli_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ACLF_TEST_")}
    env.pop("ACLF_SPECS", None)
    env.update({"PYTHONPATH": str(SRC), "PYTHONHASHSEED": "0"})
    env.update(extra)
    return env


def run_cli(*args: str | Path, cwd: Path | None = None, umask: int | None = None,
            **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aclf_cdisc", *map(str, args)], cwd=cwd or REPO_ROOT,
                          env=cli_env(**extra), capture_output=True, text=True, check=False,
                          preexec_fn=None if umask is None else (lambda: os.umask(umask) and None))


def _default_signals() -> None:
    """Give the child default SIGINT/SIGTERM dispositions: a test run started in the background
    (``pytest &``) has SIGINT ignored, which the child would inherit and rightly respect."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def start_paused(point: str, marker: Path, *args: str | Path, **extra: str) -> subprocess.Popen[str]:
    """Start the CLI held at a named point (aclf_cdisc.faults); return once it is there."""
    proc = subprocess.Popen([sys.executable, "-m", "aclf_cdisc", *map(str, args)], cwd=REPO_ROOT,
                            env=cli_env(ACLF_TEST_PAUSE_AT=f"{point}:{marker}", **extra),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=_default_signals)
    while not marker.exists():  # waits on an event, not a duration
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"the CLI ended (exit {proc.returncode}) before reaching {point}:\n{out}\n{err}")
        time.sleep(0.05)
    return proc


def stop(proc: subprocess.Popen[str], signum: int) -> tuple[int, str]:
    """Send ``signum`` to a paused CLI; return its exit status (negative: killed) and stderr."""
    os.kill(proc.pid, signum)
    try:
        _, err = proc.communicate(timeout=HANG_GUARD)
    except subprocess.TimeoutExpired:  # a guard against hanging the suite, not a timing assertion
        proc.kill()
        _, err = proc.communicate()
        pytest.fail(f"the CLI did not end after signal {signum}:\n{err}")
    return proc.returncode, err


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` (relative path -> bytes); folders appear as an empty value."""
    return {str(p.relative_to(root)) + ("/" if p.is_dir() else ""): (b"" if p.is_dir() else p.read_bytes())
            for p in sorted(root.rglob("*"))}


def debris(out: Path) -> list[str]:
    """Anything a build left beside or inside ``out`` that is not the package."""
    beside = [p.name for p in out.parent.glob(f".{out.name}.aclf-*")]
    inside = [p.name for p in out.glob(".*")] if out.is_dir() else []
    return sorted(beside + inside)


def previous_package(out: Path) -> dict[str, bytes]:
    """A small stand-in for the previous package (the tests compare it byte for byte)."""
    for rel, text in {"m5/datasets/aclf-msc-302/tabulations/sdtm/dm.xpt": "previous dm",
                      "reports/validation.csv": "rule,severity\n", "README.txt": "kept"}.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_text(text)
    return tree(out)


def one_error_line(stderr: str) -> str:
    """The single [error] line of a failed run (the specs line may precede it), no traceback."""
    assert "Traceback" not in stderr
    lines = [line for line in stderr.splitlines() if "specs from" not in line]
    assert len(lines) == 1, stderr
    assert "[error]" in lines[0]
    return lines[0]


def mount(points: list[Path], *args: str) -> None:
    """``mount args...`` or skip the test when this machine does not allow it."""
    if os.geteuid() != 0:
        pytest.skip("mounting a file system needs root")
    result = subprocess.run(["mount", *args], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        pytest.skip(f"cannot mount here ({result.stderr.strip()})")
    points.append(Path(args[-1]))
