"""Full-build throughput: simulated exports of several sizes through every stage of the build.

Run as ``python benchmarks/pipeline.py [--sizes 150,2000,20000,100000]`` or
``python benchmarks/run.py --pipeline [...]``. For each size a raw export is simulated (seed 7;
kept in ``--work`` when given, so later runs reuse it), then the build runs in a fresh child
process, stage by stage, exactly as ``aclf_cdisc.package.build.build_package`` calls them:

    start      interpreter start and imports: the child's wall time outside every stage below
    specs      load_spec (with the spec cache as a user has it)
    read raw   read_raw
    SDTM       build_datasets minus the ADaM part
    ADaM       aclf_cdisc.adam.pipeline.build_adam (wrapped, to split build_datasets)
    checks     check_datasets
    write XPT  write_datasets
    define     aclf_cdisc.define.outputs.build_for_outputs
    documents  aclf_cdisc.documents.write.write_documents (aCRF, reviewer's guides, programs)
    report     write_report (the validation report, with the datasets)
    analysis   write_analysis_files (the analysis page, its tables and figures)

Printed per size: seconds per stage, total (the child's wall time), peak resident memory of the
child process as the operating system counts it (``VmHWM``), raw records per second, and
per-subject cost of each stage relative to 2,000 subjects (or the smallest size without 2,000;
1.00 = linear scaling).

The stages above run one after the other in one process, whole-frame, so each can be timed. The
real build overlaps them: subject blocks and the checks on the workers, the analysis page on a
worker of its own. So each size is also built by the command a user runs (``aclf-cdisc build
--raw ... --quiet``, default workers and block size): its wall time, and the peak memory of its
whole process tree, sampled every 0.2 s as the sum of each process's PSS (proportional set size:
a page shared by forked processes is split between them, not counted in each).

Figures only: timings depend on the machine, so nothing here passes or fails.
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

DEFAULT_SIZES = (150, 2_000)  # 20,000 and 100,000: opt-in (--sizes), they take minutes
SEED = 7
STAGES = ("start", "specs", "read raw", "SDTM", "ADaM", "checks", "write XPT", "define", "documents", "report",
          "analysis")


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
    from aclf_cdisc.documents.write import write_documents
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

    spec = timed("specs", load_spec)
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
    timed("documents", lambda: write_documents(out_dir, spec, both, issues, None))
    timed("report", lambda: package.write_report(issues, reports_dir(out_dir), title="benchmark", spec=spec,
                                                 datasets=both))
    timed("analysis", lambda: package.write_analysis_files(both, spec, reports_dir(out_dir)))
    peak = peak_rss()
    return {"seconds": seconds, "peak_bytes": peak, "raw_records": records,
            "output_records": sum(len(f) for f in both.values()), "errors": len(errors)}


def peak_rss() -> int:
    """Peak resident bytes of this process from the OS: ``VmHWM`` where /proc has it (Linux's
    ``ru_maxrss`` keeps the parent's peak across exec, so a child started by a big process would
    report that), else ``ru_maxrss``."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)


def child(raw_dir: Path) -> int:
    """Entry point of the child process: build once, print the figures as one JSON line."""
    with tempfile.TemporaryDirectory(prefix="aclf-bench-out-") as out:
        figures = run_build(raw_dir, Path(out))
    print(json.dumps(figures))
    return 0


def measure(raw_dir: Path) -> dict[str, Any]:
    """Run the build in a fresh interpreter, so each size's peak memory is its own; the child's
    wall time outside its stages is the ``start`` stage (interpreter start, imports, clean-up)."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, __file__, "--child", str(raw_dir)], check=True,
                          capture_output=True, text=True, env={**os.environ})
    wall = time.perf_counter() - start
    figures = dict(json.loads(done.stdout.strip().splitlines()[-1]))
    figures["seconds"]["start"] = max(wall - sum(figures["seconds"].values()), 0.0)
    return figures


def tree_pss(pid: int) -> int:
    """Bytes of memory of process ``pid`` and its descendants: the sum of their PSS (Linux
    ``/proc/<pid>/smaps_rollup``); 0 where /proc does not tell."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as children:
                    todo.extend(int(c) for c in children.read().split())
            with open(f"/proc/{current}/smaps_rollup", encoding="ascii") as rollup:
                total += next((int(line.split()[1]) * 1024 for line in rollup if line.startswith("Pss:")), 0)
        except (OSError, ValueError):  # ended meanwhile, or not Linux
            continue
    return total


def measure_command(raw_dir: Path) -> dict[str, float]:
    """The build a user runs, on ``raw_dir``: wall seconds and peak memory of its process tree."""
    with tempfile.TemporaryDirectory(prefix="aclf-bench-cli-") as out:
        start = time.perf_counter()
        build = subprocess.Popen([sys.executable, "-m", "aclf_cdisc", "build", "--raw", str(raw_dir), "--out",
                                  str(Path(out) / "outputs"), "--quiet"], stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, text=True, env={**os.environ})
        peak = 0
        while build.poll() is None:
            peak = max(peak, tree_pss(build.pid))
            time.sleep(0.2)
        wall = time.perf_counter() - start
        errors = build.stderr.read() if build.stderr else ""
    if build.returncode not in (0, 1):  # 1: the data broke a rule (reported), still a full run
        raise RuntimeError(f"aclf-cdisc build exited {build.returncode}: {errors[-2000:]}")
    return {"wall": wall, "peak_bytes": float(peak), "exit": float(build.returncode)}


def per_subject_base(sizes: list[int]) -> int:
    """The size the per-subject costs are relative to: 2,000 subjects when measured, else the smallest."""
    return 2_000 if 2_000 in sizes else sizes[0]


def per_subject_ratios(results: dict[int, dict[str, Any]], size: int, base: int) -> dict[str, float]:
    """Seconds per subject of each stage (and ``total``) at ``size`` over the same at ``base``."""
    ratios = {}
    for stage in (*STAGES, "total"):
        now, before = (_stage_seconds(results[n], stage) / n for n in (size, base))
        if before > 0:
            ratios[stage] = now / before
    return ratios


def _stage_seconds(figures: dict[str, Any], stage: str) -> float:
    seconds = figures["seconds"]
    return float(sum(seconds.values()) if stage == "total" else seconds.get(stage, 0.0))


def report(sizes: list[int], results: dict[int, dict[str, Any]]) -> None:
    base = per_subject_base(sizes)
    header = f"{'subjects':>9}{'raw recs':>11}" + "".join(f"{s:>10}" for s in STAGES)
    print(header + f"{'total':>9}{'peak MB':>9}{'recs/s':>10}{'per-subj x':>11}")
    for size in sizes:
        figures = results[size]
        seconds = figures["seconds"]
        total = sum(seconds.values())
        records = figures["raw_records"]
        ratio = per_subject_ratios(results, size, base)["total"]
        print(f"{size:>9,}{records:>11,}" + "".join(f"{seconds.get(s, 0.0):>10.2f}" for s in STAGES)
              + f"{total:>9.2f}{figures['peak_bytes'] / 1e6:>9,.0f}{records / total:>10,.0f}{ratio:>11.2f}")
    if len(sizes) > 1:
        print(f"\nper-subject cost of each stage relative to {base:,} subjects (1.00 = linear; target <= 1.0):")
        print(f"{'subjects':>9}" + "".join(f"{s:>10}" for s in (*STAGES, "total")))
        for size in sizes:
            if size == base:
                continue
            ratios = per_subject_ratios(results, size, base)
            print(f"{size:>9,}" + "".join(f"{ratios[s]:>10.2f}" if s in ratios else f"{'-':>10}"
                                          for s in (*STAGES, "total")))
    print("\nthe build as a user runs it (aclf-cdisc build, default workers and blocks; memory: peak PSS of the "
          "process tree):")
    print(f"{'subjects':>9}{'wall s':>10}{'peak MB':>10}{'s/1,000 subjects':>18}")
    for size in sizes:
        command = results[size].get("command")
        if command:
            print(f"{size:>9,}{command['wall']:>10.1f}{command['peak_bytes'] / 1e6:>10,.0f}"
                  f"{command['wall'] / size * 1000:>18.2f}")
    errors = {size: results[size]["errors"] for size in sizes if results[size]["errors"]}
    if errors:
        print(f"\nnote: builds with rule errors (a real build would stop there): {errors}")


def main(argv: list[str] | None = None) -> int:
    run(argv)
    return 0


def run(argv: list[str] | None = None) -> dict[int, dict[str, Any]]:
    """Parse the arguments, measure every size, print the tables; the figures by size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES),
                        help="comma-separated randomized-subject counts (default %(default)s)")
    parser.add_argument("--work", type=Path, default=None,
                        help="folder for the simulated exports (kept and reused; default: a temporary folder)")
    parser.add_argument("--child", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        child(args.child)
        return {}
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
            results[size]["command"] = measure_command(folder)
        print()
        report(sizes, results)
    return results


if __name__ == "__main__":
    sys.exit(main())
