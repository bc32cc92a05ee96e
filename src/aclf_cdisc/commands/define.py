"""``aclf-cdisc define``: write define.xml (+ stylesheet + define.html) into a finished outputs tree.

For each standard whose dataset folder holds XPT files, the datasets are read back from the
files (so define.xml states what was actually written), the define is built from the spec,
checked (references, agreement with the files, and the XML Schema when --schema-dir names the
CDISC Define-XML 2.1 schema folder) and written atomically beside the datasets.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Literal

from aclf_cdisc.errors import Issue

STANDARDS: tuple[Literal["SDTM", "ADaM"], ...] = ("SDTM", "ADaM")


def define_folder(outputs: Path, studyid: str, standard: str) -> Path:
    """The folder holding a standard's XPT files and its define.xml (the one place that knows it)."""
    from aclf_cdisc.package.layout import standard_dir

    return standard_dir(Path(outputs), studyid, standard)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "define", help="write define.xml, its stylesheet and define.html for SDTM and ADaM",
        description=__doc__.split("\n\n")[0] if __doc__ else None,
    )
    parser.add_argument("--outputs", type=Path, required=True, metavar="DIR",
                        help="the finished outputs tree (holds m5/datasets/<studyid>/...)")
    parser.add_argument("--specs", type=Path, default=None, metavar="DIR",
                        help="the specs folder (default: the repository's specs/)")
    parser.add_argument("--schema-dir", type=Path, default=None, metavar="DIR",
                        help="the CDISC Define-XML 2.1 schema folder (holds cdisc-define-2.1/); "
                             "without it XML Schema validation is skipped")
    parser.add_argument("--creation-datetime", default=None, metavar="ISO",
                        help="CreationDateTime to record (default: the XPT files' creation stamp, "
                             "which comes from the study build configuration)")
    parser.set_defaults(run=run)


def _creation_datetime(explicit: str | None, metas: list[Any]) -> str:
    if explicit:
        return str(explicit)
    stamps = sorted(m.created for m in metas if getattr(m, "created", None) is not None)
    if stamps:
        return stamps[-1].replace(microsecond=0, tzinfo=None).isoformat()
    raise ValueError("no CreationDateTime: pass --creation-datetime")


def build_for_outputs(outputs: Path, spec: Any, *, schema_dir: Path | None = None,
                      creation_datetime: str | None = None) -> list[Issue]:
    """Build, check and write both defines under ``outputs``; return every finding."""
    from aclf_cdisc.define import (
        DEFINE_NAME,
        build_define,
        check_define,
        check_define_against_data,
        validate_define_schema,
        write_define,
    )
    from aclf_cdisc.transport import read_xpt

    issues: list[Issue] = []
    found_any = False
    for standard in STANDARDS:
        folder = define_folder(outputs, spec.study.studyid, standard)
        wanted = {d.name for d in spec.by_standard(standard)}
        files = sorted(p for p in folder.glob("*.xpt")) if folder.is_dir() else []
        datasets: dict[str, tuple[Any, Any]] = {}
        for path in files:
            frame, meta = read_xpt(path)
            name = str(meta.name).upper()
            if name not in wanted:
                issues.append(Issue("define.dataset-not-in-spec", f"{path.name} holds {name}, which the "
                                    f"{standard} spec does not define", file=str(path), dataset=name))
                continue
            datasets[name] = (frame, meta)
        if not datasets:
            issues.append(Issue("define.no-datasets", f"no {standard} XPT files in {folder}; "
                                f"no {standard} define.xml written", severity="warning", file=str(folder)))
            continue
        found_any = True
        stamp = _creation_datetime(creation_datetime, [m for _, m in datasets.values()])
        build_issues: list[Issue] = []
        tree = build_define(spec, standard, datasets, creation_datetime=stamp, issues=build_issues)
        target = folder / DEFINE_NAME
        write_define(tree, folder)
        found = [*build_issues, *check_define(tree), *check_define_against_data(tree, datasets, spec=spec),
                 *validate_define_schema(target, schema_dir)]
        issues.extend(_with_file(i, target) for i in found)
    if not found_any:
        issues.append(Issue("define.no-datasets", f"no XPT files under {outputs}", file=str(outputs)))
    return issues


def _with_file(issue: Issue, path: Path) -> Issue:
    if issue.file and issue.file != "define.xml":
        return issue
    from dataclasses import replace

    return replace(issue, file=str(path))


def run(args: argparse.Namespace) -> int:
    from aclf_cdisc.spec import load_spec

    spec = load_spec(args.specs)
    issues = build_for_outputs(args.outputs, spec, schema_dir=args.schema_dir,
                               creation_datetime=args.creation_datetime)
    for issue in issues:
        print(issue.render())
    errors = sum(1 for i in issues if i.severity == "error")
    warnings = sum(1 for i in issues if i.severity == "warning")
    print(f"define: {errors} error(s), {warnings} warning(s)")
    return 1 if errors else 0
