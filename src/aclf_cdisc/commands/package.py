"""``aclf-cdisc package verify DIR``: re-check a copied package against its manifest.

Reads ``DIR/manifest.json`` (written by every build) and compares every file under the folders it
covers: missing, changed (size or SHA-256) and extra files are each named, and so is any line of
``checksums.md5`` that disagrees. Exit 0 when the package is intact, 1 otherwise.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "package", help="check a built (or copied) package against its manifest",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    verify = actions.add_parser("verify", help="re-check every file against manifest.json (exit 0 intact, 1 not)")
    verify.add_argument("dir", type=Path, metavar="DIR", help="the package folder (holds manifest.json)")
    verify.set_defaults(run=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    from aclf_cdisc.package.manifest import read_manifest, verify_package

    issues = verify_package(args.dir)
    for issue in issues:
        print(issue.render())
    document, _ = read_manifest(args.dir)
    count = len(document["files"]) if document else 0
    if issues:
        print(f"package verify: {len(issues)} problem(s) against {count} file(s) in the manifest")
        return 1
    print(f"package verify: {count} file(s) match the manifest")
    return 0
