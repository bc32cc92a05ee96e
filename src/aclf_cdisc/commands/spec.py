"""``aclf-cdisc spec check|export|import``: validate the spec files (and optionally their codelists against a
CT release); write them as a spec workbook; write them from a workbook or a previous study's define."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from aclf_cdisc.errors import Issue, SpecError
from aclf_cdisc.spec_search import SPECS_HELP

EXIT_OK, EXIT_DATA = 0, 1


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("spec", help="work with the spec files (specs/)",
                                   description="Work with the study and dataset spec files.")
    actions = parser.add_subparsers(dest="spec_command", metavar="ACTION", required=True)
    check = actions.add_parser(
        "check", help="validate every spec file; exit 1 when any rule is broken",
        description=("Validate the spec files against their JSON Schemas and each other (OIDs resolve, keys "
                     "name variables, Derived origins have methods, map sources name raw form columns). "
                     "With --ct, also check CDISC codelists and terms against a Controlled Terminology file."),
    )
    check.add_argument("--specs", type=Path, default=None, metavar="DIR",
                       help=SPECS_HELP)
    check.add_argument("--ct", type=Path, default=None, metavar="FILE",
                       help="an NCI EVS CDISC terminology export (.txt, or .tar.xz/.zip holding one)")
    check.set_defaults(run=run)

    export = actions.add_parser(
        "export", help="write the specs as a Pinnacle 21 style spec workbook (.xlsx)",
        description=("Write every spec file as a workbook in the Pinnacle 21 spec layout (Study, Datasets, "
                     "Variables, ValueLevel, WhereClauses, Codelists, Dictionaries, Methods, Comments, Documents) "
                     "plus extension sheets and columns for what P21 has no place for, so import gives the "
                     "same specs back. Identical specs give an identical file."),
    )
    export.add_argument("--xlsx", type=Path, required=True, metavar="FILE", help="the workbook to write")
    export.add_argument("--specs", type=Path, default=None, metavar="DIR", help=SPECS_HELP)
    export.set_defaults(run=run_export, published="xlsx")

    imp = actions.add_parser(
        "import", help="write spec YAML from a spec workbook or an existing Define-XML",
        description=("Write the spec files into a new (or empty) folder, all or nothing: from a spec workbook "
                     "(--xlsx), or as a starting point from a previous study's Define-XML 2.0/2.1 (--define)."),
    )
    source = imp.add_mutually_exclusive_group(required=True)
    source.add_argument("--xlsx", type=Path, metavar="FILE", help="a spec workbook (as spec export writes it)")
    source.add_argument("--define", type=Path, metavar="FILE", help="a Define-XML 2.0 or 2.1 file")
    imp.add_argument("--to", type=Path, required=True, metavar="DIR", help="the spec folder to create")
    imp.set_defaults(run=run_import, published="to")


def run(args: argparse.Namespace) -> int:
    # imported here, not at the top: building the command line must not load the schema machinery
    from aclf_cdisc.spec.ct import check_codelists, read_ct
    from aclf_cdisc.spec.loader import check_spec, default_spec_root
    from aclf_cdisc.spec.yamlio import read_yaml

    root = args.specs if args.specs is not None else default_spec_root()
    spec, issues = check_spec(root)
    if args.ct is not None and spec is not None:
        ct = read_ct(args.ct)
        codelist_file = root / "codelists.yaml"
        doc = read_yaml(codelist_file, f"{root.name}/codelists.yaml")
        issues = [*issues, *check_codelists(spec.codelists.values(), ct, doc=doc)]
    return report(root, spec is not None, issues, ct=args.ct)


def run_export(args: argparse.Namespace) -> int:
    from aclf_cdisc.spec.loader import default_spec_root
    from aclf_cdisc.spec.workbook import export_workbook

    root = args.specs if args.specs is not None else default_spec_root()
    counts = export_workbook(root, args.xlsx)
    listing = ", ".join(f"{name} {n}" for name, n in counts.items())
    print(f"spec export: {root} -> {args.xlsx} (rows: {listing})")
    return EXIT_OK


def run_import(args: argparse.Namespace) -> int:
    from aclf_cdisc.spec.workbook import import_workbook, write_spec_folder

    if args.define is not None:
        from aclf_cdisc.spec.from_define import import_define

        files, issues, summary = import_define(args.define)
    else:
        files, issues = import_workbook(args.xlsx)
        summary = []
    errors = [i for i in issues if i.severity == "error"]
    for issue in issues:
        print(issue.render(), file=sys.stderr if issue.severity == "error" else sys.stdout)
    source = args.define if args.define is not None else args.xlsx
    if errors:
        print(f"spec import: {source}: {len(errors)} error(s); nothing written to {args.to}", file=sys.stderr)
        return EXIT_DATA
    written = write_spec_folder(files, args.to)
    for line in summary:
        print(line)
    print(f"spec import: {source} -> {args.to} ({len(written)} files)")
    return EXIT_OK


def report(root: Path, loaded: bool, issues: list[Issue], *, ct: Path | None = None) -> int:
    errors = [i for i in issues if i.severity == "error"]
    warnings = [i for i in issues if i.severity == "warning"]
    for issue in issues:
        print(issue.render(), file=sys.stderr if issue.severity == "error" else sys.stdout)
    if errors:
        print(f"spec check: {root}: {len(errors)} error(s), {len(warnings)} warning(s)", file=sys.stderr)
        return EXIT_DATA
    summary = f"spec check: {root}: OK"
    if loaded:
        summary += f" ({len(warnings)} warning(s))"
    if ct is not None:
        summary += f"; codelists checked against {ct.name}"
    print(summary)
    return EXIT_OK


__all__ = ["SpecError", "register", "run"]
