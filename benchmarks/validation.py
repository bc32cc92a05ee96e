"""Validation wall time: ``aclf-cdisc validate`` on the CDISC pilot SDTM and on this study's SDTM + ADaM.

Run as ``python benchmarks/run.py --validation`` (also part of ``tox -e bench``). Each figure is the
median of three runs of the whole command minus the terminal: read every dataset, read the CT file,
assemble the metadata, run the rule catalogue, write the four reports. Target: under 2 s each on a
2-core machine (the CDISC CORE engine 0.17.1 takes 83 s on this study's SDTM). Needs the CDISC
pilot and CT in $ACLF_SHARED (../shared); prints figures only, nothing passes or fails.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from aclf_cdisc.checks.validate_folder import validate_folder

TARGET_SECONDS = 2.0
CT_FILE = "sdtm-terminology-2025-03-28.tar.xz"


def shared_dir() -> Path:
    return Path(os.environ.get("ACLF_SHARED", Path(__file__).resolve().parents[2] / "shared"))


def timed_validation(folder: Path, ct: Path, work: Path, runs: int = 3) -> tuple[float, int, int, int]:
    """Median seconds, datasets, records, findings."""
    times = []
    for i in range(runs):
        start = time.perf_counter()
        outcome = validate_folder(folder, ct=ct, out=work / f"report-{i}")
        times.append(time.perf_counter() - start)
    records = sum(len(frame) for frame in outcome.delivery.datasets.values())
    return statistics.median(times), len(outcome.delivery.datasets), records, len(outcome.validation.issues)


def study_tree(work: Path) -> Path:
    from aclf_cdisc.package.build import BuildOptions, build_package

    out = work / "outputs"
    build_package(BuildOptions(out_dir=out))
    return out / "m5"


def main(argv: list[str] | None = None) -> int:
    shared = shared_dir()
    ct = shared / "ct" / CT_FILE
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        cases = [("CDISC pilot SDTM", shared / "anchors" / "cdiscpilot01" / "sdtm"),
                 ("this study SDTM + ADaM", study_tree(work))]
        print(f"{'validation (median of 3)':28}{'datasets':>10}{'records':>10}{'findings':>10}{'seconds':>10}"
              f"{'target':>9}")
        for label, path in cases:
            seconds, datasets, records, findings = timed_validation(path, ct, work)
            print(f"{label:28}{datasets:>10}{records:>10,}{findings:>10,}{seconds:>10.2f}{'< 2.0':>9}",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
