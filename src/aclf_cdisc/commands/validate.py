"""``aclf-cdisc validate``: conformance-check any folder of SDTM/ADaM datasets (XPT v5 or Dataset-JSON).

Reads every ``*.xpt`` / ``*.json`` dataset under PATH (a .json file that is not Dataset-JSON, such as a
package's manifest.json, is skipped and noted in the report), takes variable metadata from the files, core
and labels from the shipped SDTMIG 3.4 / ADaMIG 1.3 metadata and codelists from the CT file given
(NCI EVS text export, as downloaded), runs the rule catalogue under a checklist and writes the
report (validation.xlsx, .html, .json, .csv) to --out. Exit 0 when no finding is an error, 1 otherwise.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from aclf_cdisc.checks.ig import STANDARDS


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "validate", help="check a folder of XPT / Dataset-JSON datasets against the rule catalogue",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    parser.add_argument("path", type=Path, metavar="PATH", help="a folder (searched recursively) or one file")
    parser.add_argument("--define", type=Path, default=None, metavar="FILE",
                        help="define.xml to compare with the data (default: a define.xml under PATH)")
    parser.add_argument("--ct", type=Path, default=None, metavar="FILE",
                        help="CDISC CT in the NCI EVS text export format (.txt, or the .tar.xz/.zip holding it); "
                             "without it the codelist rules have nothing to check")
    parser.add_argument("--standard", choices=STANDARDS, default=None,
                        help="treat every dataset as this standard (default: AD* datasets ADaM, others SDTM)")
    parser.add_argument("--checklist", default="final", metavar="draft|final|FILE",
                        help="severities: final (errors fail), draft (errors warn; FDA gates still fail) "
                             "or a YAML checklist file")
    parser.add_argument("--out", type=Path, default=Path("validation"), metavar="DIR",
                        help="where the reports go (default: ./validation)")
    parser.set_defaults(run=run, published="out")


def run(args: argparse.Namespace) -> int:
    from aclf_cdisc.checks.validate_folder import validate_folder

    outcome = validate_folder(args.path, define=args.define, ct=args.ct, standard=args.standard,
                              checklist=args.checklist, out=args.out)
    print(outcome.summary, end="")
    return 1 if outcome.validation.errors else 0
