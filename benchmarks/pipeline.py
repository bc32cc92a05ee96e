"""Full-build throughput: simulated exports of several sizes through every stage of the build.

Run as ``python benchmarks/pipeline.py [--sizes 150,2000,20000]`` or
``python benchmarks/run.py --pipeline [...]``. For each size a raw export is simulated (seed 7;
kept in ``--work`` when given, so later runs reuse it), then the build runs in a fresh child
process, stage by stage, exactly as ``aclf_cdisc.package.build.build_package`` calls them:

    read raw   read_raw
    SDTM       build_datasets minus the ADaM part
    ADaM       aclf_cdisc.adam.pipeline.build_adam (wrapped, to split build_datasets)
    checks     check_datasets
    write XPT  write_datasets
    define     aclf_cdisc.define.outputs.build_for_outputs
    report     write_report

Printed per size: seconds per stage, total, peak resident memory of the child process, raw
records per second, and per-subject cost relative to the smallest size (1.00 = linear
scaling). Figures only: timings depend on the machine, so nothing here passes or fails.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

DEFAULT_SIZES = (150, 2_000, 20_000)
SEED = 7
STAGES = ("read raw", "SDTM", "ADaM", "checks", "write XPT", "define", "report")


def simulate(subjects: int, folder: Path) -> int:
    """Write a simulated export of ``subjects`` randomized patients into ``folder`` unless it is there."""
    marker = folder / ".benchmark"
    stamp = f"{subjects} {SEED}"
    if marker.is_file() and marker.read_text() == stamp:
        return 0
    from aclf_cdisc.simulate import simulate_export, write_export

    frames = simulate_export(subjects, SEED)
    write_export(frames, folder)
    marker.write_text(stamp)
    return sum(len(f) for f in frames.values())


def run_build(raw_dir: Path, out_dir: Path) -> dict[str, Any]:
    """One build, stage by stage (the calls of build_package); seconds per stage and peak RSS."""
    import aclf_cdisc.adam.pipeline as adam_pipeline
    from aclf_cdisc.define.outputs import build_for_outputs
    from aclf_cdisc.errors import Issue
    from aclf_cdisc.package import build as package
    from aclf_cdisc.package.layout import reports_dir
    from aclf_cdisc.spec import load_spec

    seconds: dict[str, float] = {}

    def timed(stage: str, action: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        result = action()
        seconds[stage] = seconds.get(stage, 0.0) + time.perf_counter() - start
        return result

    build_adam = adam_pipeline.build_adam

    def timed_build_adam(*args: Any, **kwargs: Any) -> Any:
        return timed("ADaM", lambda: build_adam(*args, **kwargs))

    spec = load_spec()
    options = package.BuildOptions(raw_dir=raw_dir, out_dir=out_dir)
    raw = timed("read raw", lambda: package.read_raw(options, spec))
    records = sum(len(frame) for frame in raw.forms.values())
    issues: list[Issue] = list(raw.issues)
    adam_pipeline.build_adam = timed_build_adam
    try:
        both = timed("SDTM", lambda: package.build_datasets(raw, spec, blinded=False, issues=issues))
    finally:
        adam_pipeline.build_adam = build_adam
    seconds["SDTM"] -= seconds.get("ADaM", 0.0)
    issues.extend(timed("checks", lambda: package.check_datasets(both, spec)))
    errors = [i for i in issues if i.severity == "error"]
    out_dir.mkdir(parents=True, exist_ok=True)
    timed("write XPT", lambda: package.write_datasets(both, spec, out_dir))
    issues.extend(timed("define", lambda: build_for_outputs(
        out_dir, spec, creation_datetime=package.xpt_header(spec).created.isoformat())))
    timed("report", lambda: package.write_report(issues, reports_dir(out_dir), title="benchmark", spec=spec))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return {"seconds": seconds, "peak_bytes": peak, "raw_records": records,
            "output_records": sum(len(f) for f in both.values()), "errors": len(errors)}


def child(raw_dir: Path) -> int:
    """Entry point of the child process: build once, print the figures as one JSON line."""
    with tempfile.TemporaryDirectory(prefix="aclf-bench-out-") as out:
        figures = run_build(raw_dir, Path(out))
    print(json.dumps(figures))
    return 0


def measure(raw_dir: Path) -> dict[str, Any]:
    """Run the build in a fresh interpreter, so each size's peak memory is its own."""
    done = subprocess.run([sys.executable, __file__, "--child", str(raw_dir)], check=True,
                          capture_output=True, text=True, env={**os.environ})
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def report(sizes: list[int], results: dict[int, dict[str, Any]]) -> None:
    base_size = sizes[0]
    base_total = sum(results[base_size]["seconds"].values())
    header = f"{'subjects':>9}{'raw recs':>11}" + "".join(f"{s:>10}" for s in STAGES)
    print(header + f"{'total':>9}{'peak MB':>9}{'recs/s':>10}{'per-subj x':>11}")
    for size in sizes:
        figures = results[size]
        seconds = figures["seconds"]
        total = sum(seconds.values())
        records = figures["raw_records"]
        ratio = (total / size) / (base_total / base_size)
        print(f"{size:>9,}{records:>11,}" + "".join(f"{seconds.get(s, 0.0):>10.2f}" for s in STAGES)
              + f"{total:>9.2f}{figures['peak_bytes'] / 1e6:>9,.0f}{records / total:>10,.0f}{ratio:>11.2f}")
    if len(sizes) > 1:
        print(f"\nper-subject cost of each stage relative to {base_size:,} subjects (1.00 = linear):")
        print(f"{'subjects':>9}" + "".join(f"{s:>10}" for s in STAGES))
        base = results[base_size]["seconds"]
        for size in sizes[1:]:
            seconds = results[size]["seconds"]
            cells = []
            for stage in STAGES:
                before = base.get(stage, 0.0) / base_size
                cells.append(f"{(seconds.get(stage, 0.0) / size) / before:>10.2f}" if before > 0 else f"{'-':>10}")
            print(f"{size:>9,}" + "".join(cells))
    errors = {size: results[size]["errors"] for size in sizes if results[size]["errors"]}
    if errors:
        print(f"\nnote: builds with rule errors (a real build would stop there): {errors}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES),
                        help="comma-separated randomized-subject counts (default %(default)s)")
    parser.add_argument("--work", type=Path, default=None,
                        help="folder for the simulated exports (kept and reused; default: a temporary folder)")
    parser.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        return child(args.child)
    sizes = sorted({int(s) for s in str(args.sizes).split(",") if s.strip()})
    if not sizes or sizes[0] < 1:
        parser.error("--sizes needs positive subject counts")
    with tempfile.TemporaryDirectory(prefix="aclf-bench-raw-") as scratch:
        work = args.work or Path(scratch)
        results: dict[int, dict[str, Any]] = {}
        for size in sizes:
            folder = work / f"sim{size}"
            folder.mkdir(parents=True, exist_ok=True)
            start = time.perf_counter()
            simulate(size, folder)
            print(f"{size:,} subjects: export ready in {time.perf_counter() - start:.1f}s; building ...", flush=True)
            results[size] = measure(folder)
        print()
        report(sizes, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
