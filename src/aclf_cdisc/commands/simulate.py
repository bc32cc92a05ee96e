"""``aclf-cdisc simulate``: write a realistic raw EDC export (one file per form) for tests and demos."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from aclf_cdisc.commands.arguments import MAX_SUBJECTS, given_path, seed, subject_count
from aclf_cdisc.simulate import DEFAULT_SEED, DEFAULT_SUBJECTS

ODM_NAME = "odm.xml"  # the file name of an ODM export written by --format odm


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "simulate", help="write a simulated raw EDC export (CSV per form)",
        description=("Simulate the raw EDC export of NCT05985863: N randomized patients plus screen "
                     "failures, deterministic for a seed. The forms and columns follow specs/raw."),
    )
    parser.add_argument("--subjects", type=subject_count, default=DEFAULT_SUBJECTS, metavar="N",
                        help=f"randomized patients, 1 to {MAX_SUBJECTS:,} (default {DEFAULT_SUBJECTS})")
    parser.add_argument("--seed", type=seed, default=DEFAULT_SEED, metavar="S",
                        help=f"random seed, a whole number >= 0 (default {DEFAULT_SEED})")
    parser.add_argument("--out", type=given_path, required=True,
                        help="output folder (created if needed; replaced whole once every file is written, "
                             "keeping the files of it that are not forms)")
    parser.add_argument("--format", choices=("csv", "odm"), default="csv",
                        help="csv: one file per form (the reader also accepts .xpt and .sas7bdat); "
                             f"odm: one CDISC ODM 1.3.2 file, {ODM_NAME}, with its MetaDataVersion")
    parser.add_argument("--specs", type=Path, default=None, metavar="DIR",
                        help="the specs folder whose raw layouts and ODM conventions --format odm follows "
                             "(default: as the build finds it)")
    parser.add_argument("--blinded", action="store_true",
                        help="leave out the IRT files (irt_rand, irt_kits), as the blinded team receives it")
    parser.set_defaults(run=run, published="out")


def run(args: argparse.Namespace) -> int:
    from aclf_cdisc.package.atomic import parents_made_for, staged_output
    from aclf_cdisc.simulate import simulate_export, write_export

    start = time.perf_counter()
    spec = None
    if args.format == "odm":  # a broken spec is refused before anything is written
        from aclf_cdisc.spec.loader import load_spec, locate_spec_root

        spec = load_spec(locate_spec_root(args.specs)[0])
    frames = simulate_export(args.subjects, args.seed)
    if args.blinded:
        frames = {k: v for k, v in frames.items() if not k.startswith("irt_")}
    # written into a staging folder beside --out and swapped in whole, as a build publishes its
    # package: a full disk or an error midway leaves --out as it was
    with parents_made_for(args.out), staged_output(args.out, what="the export") as staging:
        if spec is not None:
            from aclf_cdisc.simulate.odm import write_odm

            paths = [write_odm(frames, staging / ODM_NAME, spec)]
        else:
            paths = write_export(frames, staging)
    rows = sum(len(f) for f in frames.values())
    print(f"wrote {len(frames)} forms ({len(paths)} file(s)), {rows} records, to {args.out} "
          f"({args.subjects} randomized, seed {args.seed}, {time.perf_counter() - start:.1f}s)")
    return 0
