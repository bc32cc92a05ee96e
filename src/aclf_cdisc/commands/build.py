"""``aclf-cdisc build``: the full build, raw EDC export to submission package, atomically."""

from __future__ import annotations

import argparse
from pathlib import Path

from aclf_cdisc.commands.arguments import MAX_WORKERS, given_path, is_inside, positive_int, seed, worker_count
from aclf_cdisc.spec_search import SPECS_HELP


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "build",
        help="build SDTM, ADaM, XPT files and define.xml from a raw EDC export",
        description=(
            "Raw EDC export -> SDTM -> ADaM -> checks -> XPT v5 + Define-XML 2.1 in the eCTD "
            "module 5 layout. Nothing in --out changes unless the whole build succeeds."
        ),
    )
    parser.add_argument("--raw", type=Path, default=None, metavar="DIR",
                        help="the raw export folder, one file per CRF form (default: the bundled sample)")
    parser.add_argument("--specs", type=Path, default=None, metavar="DIR",
                        help=SPECS_HELP)
    parser.add_argument("--out", type=given_path, default=Path("outputs"), metavar="DIR",
                        help="where the package goes (default: ./outputs)")
    parser.add_argument("--schema-dir", type=Path, default=None, metavar="DIR",
                        help="another copy of the CDISC Define-XML 2.1 schema folder to validate "
                             "define.xml with (default: the schema set shipped with aclf-cdisc)")
    parser.add_argument("--dataset-json", action="store_true",
                        help="also write a CDISC Dataset-JSON v1.1 copy of every dataset beside its XPT file")
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--blinded", action="store_true",
                      help="build without the IRT randomization export: treatment variables are masked")
    mode.add_argument("--dummy-randomization", type=seed, default=None, metavar="SEED",
                      help="dry run while blind: the IRT files are not read; a generated, balanced dummy "
                           "randomization (seeded) replaces them and every output says DUMMY RANDOMIZATION")
    parser.add_argument("--workers", type=worker_count, default=None, metavar="N",
                        help=f"worker processes building blocks of subjects at once, 1 to {MAX_WORKERS} (default: "
                             "$ACLF_WORKERS, else the cores available, at most 4); the output is the same for "
                             "every N")
    parser.add_argument("--block-subjects", type=positive_int, default=None, metavar="N",
                        help="the most subjects a block holds (default: $ACLF_BLOCK_SUBJECTS, else 1000); a "
                             "larger study is cut into equal blocks, a multiple of the workers; a study of at "
                             "most N subjects builds as one block; the output is the same for every N")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress line on the terminal (there is none when stderr is not a terminal)")
    parser.add_argument("--log-json", type=given_path, default=None, metavar="FILE",
                        help="write a JSON-lines log of the build steps: stage, dataset, records, seconds "
                             "(outside --out, which the build replaces whole)")
    parser.set_defaults(run=run, usage_error=parser.error, published="out")


def run(args: argparse.Namespace) -> int:
    import sys

    from aclf_cdisc.package.build import BuildOptions, build_package, summarise
    from aclf_cdisc.progress import BuildProgress
    from aclf_cdisc.spec.loader import locate_spec_root

    if args.log_json is not None and is_inside(args.log_json, args.out):
        args.usage_error(f"argument --log-json: {args.log_json} is inside --out {args.out}, which the build "
                         "replaces whole (or leaves as it was); write the log outside it")
    spec_root, found_by = locate_spec_root(args.specs)
    print(f"aclf-cdisc build: specs from {found_by}: {spec_root}", file=sys.stderr)
    with BuildProgress(quiet=args.quiet, log_json=args.log_json) as progress:
        result = build_package(
            BuildOptions(raw_dir=args.raw, spec_root=spec_root, out_dir=args.out, schema_dir=args.schema_dir,
                         blinded=args.blinded, dataset_json=args.dataset_json,
                         dummy_randomization=args.dummy_randomization, progress=progress,
                         block_subjects=args.block_subjects, workers=args.workers)
        )
    print(summarise(result))
    return 0
