"""``aclf-cdisc define``: write define.xml (+ stylesheet + define.html) into a finished outputs tree.

For each standard whose dataset folder holds XPT files, the datasets are read back from the
files (so define.xml states what was actually written), the define is built from the spec,
checked (references, agreement with the files, and the CDISC Define-XML 2.1 XML Schema shipped
with the product, or the copy --schema-dir names) and written beside the datasets. All or nothing:
the defines are written into a staging copy of the tree (its files hard-linked), and that copy,
its manifest refreshed, replaces the tree only when both defines passed their checks.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from aclf_cdisc.commands.arguments import given_path
from aclf_cdisc.errors import AclfError, Issue
from aclf_cdisc.spec_search import SPECS_HELP


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "define", help="write define.xml, its stylesheet and define.html for SDTM and ADaM",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    parser.add_argument("--outputs", type=given_path, required=True, metavar="DIR",
                        help="the finished outputs tree (holds m5/datasets/<studyid>/...)")
    parser.add_argument("--specs", type=Path, default=None, metavar="DIR",
                        help=SPECS_HELP)
    parser.add_argument("--schema-dir", type=Path, default=None, metavar="DIR",
                        help="another copy of the CDISC Define-XML 2.1 schema folder (holds "
                             "cdisc-define-2.1/; default: the schema set shipped with aclf-cdisc)")
    parser.add_argument("--creation-datetime", default=None, metavar="ISO",
                        help="CreationDateTime to record (default: the XPT files' creation stamp, "
                             "which comes from the study build configuration)")
    parser.set_defaults(run=run, published="outputs")


class DefinesRefused(Exception):
    """The defines failed their checks: the staged copy is dropped, the outputs tree is left as it was."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__(f"{len(issues)} finding(s)")
        self.issues = issues


def refuse_missing_outputs(outputs: Path) -> None:
    """Raise a one-line error unless ``outputs`` is an existing folder (define updates a finished tree)."""
    if not outputs.is_dir():
        what = "is a file" if outputs.exists() else "does not exist"
        raise AclfError(Issue(rule="define.outputs-not-found", file=str(outputs),
                              message=f"--outputs {outputs} {what}; define rewrites the defines of a finished "
                                      "outputs tree: give the folder a build wrote",
                              expected="the folder holding m5/datasets/<studyid>/..."))


def run(args: argparse.Namespace) -> int:
    from aclf_cdisc.define.outputs import build_for_outputs
    from aclf_cdisc.package.atomic import staged_output
    from aclf_cdisc.package.manifest import refresh_manifest
    from aclf_cdisc.spec import load_spec

    spec = load_spec(args.specs)
    refuse_missing_outputs(args.outputs)
    try:
        # the defines are written into a copy of the tree and swapped in with it only once they
        # passed their checks, the manifest refreshed: the tree holds the old defines or the new ones
        with staged_output(args.outputs, option="--outputs", update=True) as staging:
            issues = build_for_outputs(staging, spec, schema_dir=args.schema_dir,
                                       creation_datetime=args.creation_datetime)
            if any(i.severity == "error" for i in issues):
                raise DefinesRefused(issues)
            refresh_manifest(staging)  # the package manifest lists the rewritten defines
    except DefinesRefused as refused:
        issues = refused.issues
    for issue in issues:
        print(issue.render())
    errors = sum(1 for i in issues if i.severity == "error")
    warnings = sum(1 for i in issues if i.severity == "warning")
    left = f"; --outputs {args.outputs} left as it was" if errors else ""
    print(f"define: {errors} error(s), {warnings} warning(s){left}")
    return 1 if errors else 0
