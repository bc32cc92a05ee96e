"""``aclf-cdisc simulate``: write a realistic raw EDC export (one file per form) for tests and demos."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from aclf_cdisc.simulate import DEFAULT_SEED, DEFAULT_SUBJECTS


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "simulate", help="write a simulated raw EDC export (CSV per form)",
        description=("Simulate the raw EDC export of NCT05985863: N randomized patients plus screen "
                     "failures, deterministic for a seed. The forms and columns follow specs/raw."),
    )
    parser.add_argument("--subjects", type=int, default=DEFAULT_SUBJECTS,
                        help=f"randomized patients (default {DEFAULT_SUBJECTS})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument("--out", type=Path, required=True, help="output folder (created if needed)")
    parser.add_argument("--format", choices=("csv",), default="csv",
                        help="file format (csv; the reader also accepts .xpt and .sas7bdat)")
    parser.add_argument("--blinded", action="store_true",
                        help="leave out the IRT files (irt_rand, irt_kits), as the blinded team receives it")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from aclf_cdisc.simulate import simulate_export, write_export

    if args.subjects < 1:
        raise SystemExit("aclf-cdisc simulate: --subjects must be at least 1")
    start = time.perf_counter()
    frames = simulate_export(args.subjects, args.seed)
    if args.blinded:
        frames = {k: v for k, v in frames.items() if not k.startswith("irt_")}
    paths = write_export(frames, args.out)
    rows = sum(len(f) for f in frames.values())
    print(f"wrote {len(paths)} forms, {rows} records, to {args.out} "
          f"({args.subjects} randomized, seed {args.seed}, {time.perf_counter() - start:.1f}s)")
    return 0
