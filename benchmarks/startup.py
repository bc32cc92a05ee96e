"""Whole-process figures: command start-up, spec loading, the bundled build, and XPT memory.

Run as ``python benchmarks/run.py --startup`` (part of ``tox -e bench``). Every figure is taken
from a fresh child process, as a user meets it: wall time including interpreter start, and
peak resident memory read from the operating system (``VmHWM`` in ``/proc/self/status`` after
resetting it through ``/proc/self/clear_refs``), never estimated. Figures only: nothing here
passes or fails; each is printed next to its target.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


def _env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT / "src"), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


def wall(args: list[str], repeat: int = 5, **env: str) -> float:
    """Median wall seconds of ``python -m aclf_cdisc ARGS`` in a fresh process."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run([PYTHON, "-m", "aclf_cdisc", *args], env=_env(**env), check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


_LOAD_SPEC = """
import json, time
t = time.perf_counter()
from aclf_cdisc.spec import load_spec
load_spec()
print(json.dumps(time.perf_counter() - t))
"""

_XPT_MEMORY = """
import json, os, sys
sys.path.insert(0, {bench!r})
from run import lb_frame
from aclf_cdisc.transport.xpt import read_xpt, write_xpt

def peak_above(action):
    with open("/proc/self/clear_refs", "w") as handle:   # reset VmHWM to the current RSS
        handle.write("5")
    def rss(key):
        for line in open("/proc/self/status"):
            if line.startswith(key):
                return int(line.split()[1]) * 1024
    before = rss("VmRSS:")
    result = action()
    return rss("VmHWM:") - before, result

path = {path!r}
if {mode!r} == "write":
    df, meta = lb_frame({rows})
    peak, _ = peak_above(lambda: write_xpt(df, meta, path))
else:
    peak, _ = peak_above(lambda: read_xpt(path))
print(json.dumps([peak, os.path.getsize(path)]))
"""


def spec_load(cache: bool) -> float:
    """Seconds to import the loader and load the study's specs, cold (no cache) or cached."""
    with tempfile.TemporaryDirectory() as folder:
        env = _env(ACLF_CACHE_DIR=folder if cache else "off")
        if cache:  # fill the cache first
            subprocess.run([PYTHON, "-c", _LOAD_SPEC], env=env, check=True, capture_output=True, cwd=ROOT)
        runs = [json.loads(subprocess.run([PYTHON, "-c", _LOAD_SPEC], env=env, check=True, cwd=ROOT,
                                          capture_output=True, text=True).stdout) for _ in range(3)]
    return statistics.median(runs)


def xpt_memory(rows: int) -> tuple[float, float]:
    """Peak RSS above the starting point, as a multiple of the file size: (write, read)."""
    with tempfile.TemporaryDirectory() as folder:
        path = str(Path(folder) / "lb.xpt")
        ratios = []
        for mode in ("write", "read"):
            code = _XPT_MEMORY.format(bench=str(ROOT / "benchmarks"), path=path, mode=mode, rows=rows)
            out = subprocess.run([PYTHON, "-c", code], env=_env(), check=True, capture_output=True, text=True)
            peak, size = json.loads(out.stdout)
            ratios.append(peak / size)
    return ratios[0], ratios[1]


Figure = tuple[str, float, str, str]  # label, value, unit, target


def measure(rows: int = 1_000_000, builds: int = 3) -> dict[str, Figure]:
    """Every figure of this module, keyed by a short name; the bundled build is the median of ``builds``."""
    with tempfile.TemporaryDirectory() as out:
        build = wall(["build", "--out", str(Path(out) / "outputs")], repeat=builds)
    write_ratio, read_ratio = xpt_memory(rows)
    return {
        "version": ("aclf-cdisc --version", wall(["--version"]), "s", "<= 0.15 s"),
        "help": ("aclf-cdisc --help", wall(["--help"]), "s", "<= 0.15 s"),
        "spec cached": ("spec loading, cached", spec_load(cache=True), "s", "<= 0.15 s"),
        "spec cold": ("spec loading, cold (no cache)", spec_load(cache=False), "s", "(once per spec edit)"),
        "build": (f"bundled 150-subject build, whole process (median of {builds})", build, "s", "<= 2.5 s"),
        "xpt write memory": (f"XPT write peak RSS above input, {rows:,} rows", write_ratio, "x file", "<= 1x"),
        "xpt read memory": (f"XPT read peak RSS, {rows:,} rows", read_ratio, "x file", "<= 1.2x"),
    }


def print_figures(figures: dict[str, Figure]) -> None:
    for label, value, unit, target in figures.values():
        print(f"  {label:<56}{value:>8.2f} {unit:<7} target {target}")


def main(rows: int = 1_000_000) -> int:
    print("start-up and whole-process figures (fresh child processes, wall clock):")
    print_figures(measure(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
