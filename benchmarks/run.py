"""XPT throughput: our writer/reader against pyreadstat on a 1,000,000 x 20 LB-shaped frame.

Run as ``python benchmarks/run.py [--rows N]`` (``tox -e bench``: the XPT figures, then the validation
wall times of benchmarks/validation.py; ``--validation`` runs only those); ``python benchmarks/run.py
--pipeline [--sizes 150,2000,20000] [--work DIR]`` runs the full-build benchmark of
benchmarks/pipeline.py instead, and ``--startup`` the whole-process figures of
benchmarks/startup.py (start-up, spec loading, the bundled build, XPT peak memory from the OS).
Prints figures only: timings depend on the machine, so nothing here passes or fails. Targets
the project holds itself to: write >= 5x and read >= 2x pyreadstat's speed, writer memory above
the input frame no larger than the output file, reader memory at most 1.2x the file (measured
here with tracemalloc, which sees numpy's and Python's allocations; pyreadstat's own C buffers
are invisible to it, so its memory is not compared; --startup reads the same from the OS).
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


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--startup" in argv:
        argv.remove("--startup")
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import startup

        return startup.main()
    if "--pipeline" in argv:
        argv.remove("--pipeline")
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import pipeline

        return pipeline.main(argv)
    if "--validation" in argv:
        return _validation()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--pipeline", action="store_true",
                        help="run the full-build benchmark (benchmarks/pipeline.py; see its --help)")
    parser.add_argument("--startup", action="store_true",
                        help="run the start-up, spec-loading and memory figures (benchmarks/startup.py)")
    args = parser.parse_args(argv)
    df, meta = lb_frame(args.rows)
    frame_mb = df.memory_usage(deep=True).sum() / 1e6
    print(f"frame: {len(df):,} rows x {df.shape[1]} columns, {frame_mb:,.0f} MB in memory", flush=True)
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
    rows = len(df)
    print(f"output file: {mb:,.1f} MB")
    print(f"{'':24}{'seconds':>10}{'rows/s':>14}{'MB/s':>10}")
    for label, seconds in (("write (aclf)", t_write), ("write (pyreadstat v5)", t_write_p),
                           ("read (aclf)", t_read), ("read (pyreadstat)", t_read_p)):
        print(f"{label:24}{seconds:10.2f}{rows / seconds:14,.0f}{mb / seconds:10.1f}")
    print(f"write speed-up vs pyreadstat: {t_write_p / t_write:.1f}x (target >= 5x)")
    print(f"read speed-up vs pyreadstat:  {t_read_p / t_read:.1f}x (target >= 2x)")
    print(f"writer peak memory above input: {write_peak / 1e6:,.1f} MB = {write_peak / size:.3f} x file size "
          f"(target <= 1x)")
    print(f"reader peak memory: {read_peak / 1e6:,.1f} MB = {read_peak / size:.2f} x file size (target <= 1.2x)")
    return _validation()


def _validation() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import validation

    return validation.main()


if __name__ == "__main__":
    sys.exit(main())
