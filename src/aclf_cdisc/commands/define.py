"""``aclf-cdisc define``: write define.xml (+ stylesheet + define.html) into a finished outputs tree.

For each standard whose dataset folder holds XPT files, the datasets are read back from the
files (so define.xml states what was actually written), the define is built from the spec,
checked (references, agreement with the files, and the CDISC Define-XML 2.1 XML Schema shipped
with the product, or the copy --schema-dir names) and written atomically beside the datasets.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from aclf_cdisc.spec_search import SPECS_HELP


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "define", help="write define.xml, its stylesheet and define.html for SDTM and ADaM",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    parser.add_argument("--outputs", type=Path, required=True, metavar="DIR",
                        help="the finished outputs tree (holds m5/datasets/<studyid>/...)")
    parser.add_argument("--specs", type=Path, default=None, metavar="DIR",
                        help=SPECS_HELP)
    parser.add_argument("--schema-dir", type=Path, default=None, metavar="DIR",
                        help="another copy of the CDISC Define-XML 2.1 schema folder (holds "
                             "cdisc-define-2.1/; default: the schema set shipped with aclf-cdisc)")
    parser.add_argument("--creation-datetime", default=None, metavar="ISO",
                        help="CreationDateTime to record (default: the XPT files' creation stamp, "
                             "which comes from the study build configuration)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from aclf_cdisc.define.outputs import build_for_outputs
    from aclf_cdisc.spec import load_spec

    spec = load_spec(args.specs)
    issues = build_for_outputs(args.outputs, spec, schema_dir=args.schema_dir,
                               creation_datetime=args.creation_datetime)
    for issue in issues:
        print(issue.render())
    errors = sum(1 for i in issues if i.severity == "error")
    warnings = sum(1 for i in issues if i.severity == "warning")
    if not errors:
        from aclf_cdisc.package.manifest import refresh_manifest

        refresh_manifest(args.outputs)  # the package manifest lists the rewritten defines
    print(f"define: {errors} error(s), {warnings} warning(s)")
    return 1 if errors else 0
