"""The benchmarks: every figure of the project's performance targets, each next to its target.

``tox -e bench`` (``python benchmarks/run.py``) runs four parts and then prints the targets table:

xpt         our XPT writer/reader against pyreadstat on a 1,000,000 x 20 LB-shaped frame (``--rows``):
            speed, and memory as tracemalloc sees it (numpy's and Python's allocations)
startup     benchmarks/startup.py: ``--version``/``--help``, spec loading cold and cached, the bundled
            150-subject build as a whole process, XPT peak memory from the operating system
pipeline    benchmarks/pipeline.py: simulated exports built stage by stage in a fresh process per
            size, with peak RSS; 150 and 2,000 subjects by default (``--sizes``), ``--large`` adds
            20,000 subjects and ``--huge`` 100,000 (minutes each; ``--work DIR`` keeps the exports)
validation  benchmarks/validation.py: ``aclf-cdisc validate`` wall times

``--xpt``, ``--startup``, ``--pipeline``, ``--validation`` run only the parts named (the targets
table needs all four). The default run takes a few minutes on two cores. Prints figures only:
timings depend on the machine, so nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyreadstat

from aclf_cdisc.transport.meta import XptDataset, XptVariable
from aclf_cdisc.transport.xpt import read_xpt, write_xpt

PARTS = ("xpt", "startup", "pipeline", "validation")
DEFAULT_SIZES = (150, 2_000)
LARGE, HUGE = 20_000, 100_000  # opt-in sizes: --large, --huge
CHAR_WIDTHS = (12, 2, 11, 8, 40, 20, 8, 8, 20, 8, 20, 19)  # 12 columns, widths 8-40 bytes
CHAR_NAMES = ("STUDYID", "DOMAIN", "USUBJID", "LBTESTCD", "LBTEST", "LBCAT", "LBORRES", "LBORRESU",
              "LBSTRESC", "LBSTRESU", "VISIT", "LBDTC")
NUM_NAMES = ("LBSEQ", "LBSTRESN", "LBSTNRLO", "LBSTNRHI", "VISITNUM", "VISITDY", "LBDY", "LBORNRLO")


def _pool(rng: np.random.Generator, size: int, width: int, prefix: str) -> np.ndarray:
    """``size`` distinct strings of varying length up to ``width`` bytes."""
    values = [f"{prefix}{i:05d}"[:width] for i in range(size)]
    values = [v + "X" * int(rng.integers(0, max(1, width - len(v) + 1))) for v in values]
    return np.array([v[:width] for v in values], dtype=object)


def lb_frame(rows: int, seed: int = 20240501) -> tuple[pd.DataFrame, XptDataset]:
    """A deterministic LB-shaped frame (object columns, as pyreadstat wants) and its metadata."""
    rng = np.random.default_rng(seed)
    columns: dict[str, Any] = {}
    variables = []
    cardinality = (1, 1, 5000, 40, 40, 5, 2000, 20, 2000, 20, 15, 200_000)
    for name, width, card in zip(CHAR_NAMES, CHAR_WIDTHS, cardinality, strict=True):
        pool = _pool(rng, card, width, name[:3])
        values = pool[rng.integers(0, card, rows)]
        values[rng.random(rows) < 0.03] = ""
        columns[name] = pd.Series(values, dtype=object)
        variables.append(XptVariable(name=name, label=f"{name} label", type="char", length=width))
    for name in NUM_NAMES:
        values = np.round(rng.normal(50, 20, rows), 3)
        values[rng.random(rows) < 0.05] = np.nan
        columns[name] = values
        variables.append(XptVariable(name=name, label=f"{name} label", type="num", length=8))
    return pd.DataFrame(columns), XptDataset(name="LB", label="Laboratory Test Results",
                                             variables=tuple(variables))


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def traced_peak(action: Callable[[], Any]) -> int:
    """Peak bytes allocated (numpy + Python) while ``action`` runs, above what existed before."""
    tracemalloc.start()
    tracemalloc.reset_peak()
    base = tracemalloc.get_traced_memory()[0]
    action()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak - base


def xpt_figures(rows: int) -> dict[str, float]:
    """Write and read a ``rows`` x 20 frame with ours and pyreadstat; print the table, return the ratios."""
    df, meta = lb_frame(rows)
    frame_mb = df.memory_usage(deep=True).sum() / 1e6
    print(f"XPT: {len(df):,} rows x {df.shape[1]} columns, {frame_mb:,.0f} MB in memory", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        ours, theirs = Path(folder, "ours.xpt"), Path(folder, "theirs.xpt")
        t_write, _ = timed(lambda: write_xpt(df, meta, ours))
        size = os.path.getsize(ours)
        t_write_p, _ = timed(lambda: pyreadstat.write_xport(df, str(theirs), file_format_version=5,
                                                            table_name="LB"))
        t_read, (back, _) = timed(lambda: read_xpt(ours))
        t_read_p, _ = timed(lambda: pyreadstat.read_xport(str(ours)))
        del back
        write_peak = traced_peak(lambda: write_xpt(df, meta, ours))
        read_peak = traced_peak(lambda: read_xpt(ours))
    mb = size / 1e6
    print(f"output file: {mb:,.1f} MB")
    print(f"{'':24}{'seconds':>10}{'rows/s':>14}{'MB/s':>10}")
    for label, seconds in (("write (aclf)", t_write), ("write (pyreadstat v5)", t_write_p),
                           ("read (aclf)", t_read), ("read (pyreadstat)", t_read_p)):
        print(f"{label:24}{seconds:10.2f}{rows / seconds:14,.0f}{mb / seconds:10.1f}")
    print(f"write speed-up vs pyreadstat: {t_write_p / t_write:.1f}x (target >= 5x)")
    print(f"read speed-up vs pyreadstat:  {t_read_p / t_read:.1f}x (target >= 2x)")
    print(f"writer peak memory above input (tracemalloc): {write_peak / 1e6:,.1f} MB = {write_peak / size:.3f} x "
          f"file size (target <= 1x)")
    print(f"reader peak memory (tracemalloc): {read_peak / 1e6:,.1f} MB = {read_peak / size:.2f} x file size "
          f"(target <= 1.2x)", flush=True)
    return {"write speed-up": t_write_p / t_write, "read speed-up": t_read_p / t_read}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows of the XPT frame (default %(default)s)")
    parser.add_argument("--sizes", default=",".join(str(n) for n in DEFAULT_SIZES),
                        help="subject counts of the pipeline benchmark (default %(default)s)")
    parser.add_argument("--large", action="store_true", help=f"also build {LARGE:,} subjects (minutes)")
    parser.add_argument("--huge", action="store_true", help=f"also build {HUGE:,} subjects (many minutes, GBs)")
    parser.add_argument("--work", type=Path, default=None,
                        help="folder that keeps the simulated exports between runs (default: temporary)")
    for part in PARTS:
        parser.add_argument(f"--{part}", action="store_true", help=f"run only the {part} part (may be combined)")
    args = parser.parse_args(argv)
    chosen = [part for part in PARTS if getattr(args, part)] or list(PARTS)
    sizes = sorted({int(n) for n in str(args.sizes).split(",") if n.strip()}
                   | ({LARGE} if args.large else set()) | ({HUGE} if args.huge else set()))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import pipeline
    import startup
    import validation

    xpt: dict[str, float] = {}
    start_up: dict[str, startup.Figure] = {}
    builds: dict[int, dict[str, Any]] = {}
    if "xpt" in chosen:
        xpt = xpt_figures(args.rows)
    if "startup" in chosen:
        print("\nstart-up and whole-process figures (fresh child processes, wall clock):", flush=True)
        start_up = startup.measure(args.rows)
        startup.print_figures(start_up)
    if "pipeline" in chosen:
        print("\nfull build by stage (fresh child process per size; peak RSS from the OS):", flush=True)
        builds = pipeline.run(["--sizes", ",".join(map(str, sizes))]
                              + (["--work", str(args.work)] if args.work else []))
    if "validation" in chosen:
        print()
        validation.main()
    if len(chosen) == len(PARTS):
        print_targets(xpt, start_up, builds)
    return 0


def print_targets(xpt: dict[str, float], start_up: dict[str, Any], builds: dict[int, dict[str, Any]]) -> None:
    """Every figure of the performance targets (README, Performance) next to its target."""
    import pipeline

    def build(size: int, flag: str) -> tuple[str, str]:
        if size not in builds:
            return f"not run (add {flag})", f"not run (add {flag})"
        figures = builds[size]
        command = figures.get("command")
        if command is None:
            return (f"{sum(figures['seconds'].values()):.1f} s", f"{figures['peak_bytes'] / 1e9:.2f} GB")
        # the build a user runs (workers, blocks), and the stages one by one in one process
        return (f"{command['wall']:.1f} s (one process, stage by stage: {sum(figures['seconds'].values()):.0f} s)",
                f"{command['peak_bytes'] / 1e9:.2f} GB (one process: {figures['peak_bytes'] / 1e9:.2f} GB)")

    large_time, large_peak = build(LARGE, "--large")
    huge_time, huge_peak = build(HUGE, "--huge")
    if LARGE in builds and 2_000 in builds:
        ratios = pipeline.per_subject_ratios(builds, LARGE, 2_000)
        worst = max((stage for stage in ratios if stage != "total"), key=lambda stage: ratios[stage])
        per_subject = f"{ratios['total']:.2f} (worst stage {worst} {ratios[worst]:.2f})"
    else:
        per_subject = "not run (add --large)"

    def figure(name: str) -> str:
        if name not in start_up:
            return "not run"
        _label, value, unit, _target = start_up[name]
        return f"{value:.2f} {unit}"

    rows = [
        ("bundled 150-subject build, whole process", figure("build"), "<= 2.5 s"),
        ("aclf-cdisc --version", figure("version"), "<= 0.15 s"),
        ("aclf-cdisc --help", figure("help"), "<= 0.15 s"),
        ("spec loading, cached", figure("spec cached"), "<= 0.15 s"),
        ("spec loading, cold", figure("spec cold"), "-"),
        (f"{LARGE:,} subjects, whole build", large_time, "<= 60 s"),
        (f"peak memory at {LARGE:,} subjects", large_peak, "<= 1.5 GB"),
        (f"{HUGE:,} subjects, whole build", huge_time, "<= 360 s"),
        (f"peak memory at {HUGE:,} subjects", huge_peak, "<= 4 GB"),
        (f"time per subject, {LARGE:,} vs 2,000", per_subject, "<= 1.0 every stage"),
        ("XPT write vs pyreadstat, 1 M x 20",
         f"{xpt['write speed-up']:.1f}x faster" if xpt else "not run", ">= 5x"),
        ("XPT read peak memory (RSS)", figure("xpt read memory"), "<= 1.2x file"),
    ]
    print("\nperformance targets:")
    for label, value, target in rows:
        print(f"  {label:<44}{value:>36}   target {target}")


if __name__ == "__main__":
    sys.exit(main())
