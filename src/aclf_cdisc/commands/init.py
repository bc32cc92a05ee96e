"""``aclf-cdisc init DIR``: a new study folder that builds at once.

It writes, into an empty or new DIR: ``specs/`` (a copy of the specs the build would use: --specs,
$ACLF_SPECS, ./specs, else the source checkout's), ``edc/`` (a small simulated export in the layout
of those specs, CSV per form or one ODM file), a ``Makefile`` whose ``build`` target runs the
build from inside the folder (the specs are found as ./specs, no option needed) and a ``README.md``
saying what to edit first. A folder that already holds anything is refused, never overwritten.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from aclf_cdisc.commands.arguments import MAX_SUBJECTS, given_path, subject_count
from aclf_cdisc.spec_search import SPECS_SEARCH

INIT_SUBJECTS = 20  # the smallest simulation that still plants every scenario of the sample
INIT_SEED = 20230930

MAKEFILE = """\
# Build the study from this folder: the specs are ./specs, the raw export ./edc.
# `make build` writes the submission package to ./outputs (replaced whole, only when the build succeeds).
ACLF_CDISC ?= aclf-cdisc

build:
\t$(ACLF_CDISC) build --raw edc --out outputs

.PHONY: build
"""

README = """\
# {studyid}: study folder

Made by `aclf-cdisc init`. `make build` (or `aclf-cdisc build --raw edc --out outputs`, run in
this folder) builds the SDTM and ADaM datasets, XPT files and define.xml into `outputs/`; the
command finds `specs/` here by itself and says so.

- `specs/` is the study's specification, copied from {source}. It is the single source of truth:
  every dataset, variable, codelist, method and analysis convention is read from it.
- `edc/` is a simulated raw export of {subjects} randomized subjects (seed {seed}){what}. It is
  there so the folder builds at once; replace it with your EDC's export.

## What to edit first
1. `specs/study.yaml`: the study identifiers (`studyid`, `title`, `protocol`, `sponsor`), arms,
   visits, trial summary (TS) and the conventions (windows, cut-offs, fixed timestamps).
2. `specs/raw/<form>.yaml`: one file per CRF form of your EDC (columns, types, allowed values; for
   an ODM export, the `odm:` keys say which FormOID, ItemGroupOID and ItemOIDs a form uses).
3. `edc/`: your EDC's export, one file per form (`<form>.csv`, `.sas7bdat`, `.xpt`) or its one
   CDISC ODM 1.3 `.xml` file.
4. `specs/sdtm/*.yaml` and `specs/adam/*.yaml`: the datasets, variables and their mappings from
   the raw forms (`map: form.COLUMN`).

Then `make build`; every finding names the raw file, row, column and value it is about.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "init", help="write a new study folder (specs, a small simulated export, Makefile, README)",
        description=("Write a ready study folder into DIR (which must be empty or new): a copy of "
                     "the specs, a simulated raw export of a few subjects, a Makefile whose build "
                     "target builds it and a README saying what to edit first. It builds at once."),
    )
    parser.add_argument("dir", type=given_path, metavar="DIR", help="the new study folder (empty or not yet there)")
    parser.add_argument("--specs", type=Path, default=None, metavar="DIR",
                        help=f"the specs to copy (default: found as the build finds them: {SPECS_SEARCH})")
    parser.add_argument("--subjects", type=subject_count, default=INIT_SUBJECTS, metavar="N",
                        help=f"randomized subjects in the simulated export, 1 to {MAX_SUBJECTS:,} "
                             f"(default {INIT_SUBJECTS})")
    parser.add_argument("--format", choices=("csv", "odm"), default="csv",
                        help="the simulated export: one CSV per form (default) or one CDISC ODM 1.3.2 file")
    parser.set_defaults(run=run, published="dir")


def refuse_non_empty(folder: Path) -> None:
    """Raise a one-line error unless ``folder`` is absent or an empty folder."""
    from aclf_cdisc.errors import AclfError, Issue

    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        what = "is a file" if not folder.is_dir() else "is not empty"
        raise AclfError(Issue(rule="init.folder-not-empty", file=str(folder),
                              message=f"{folder} {what}; init writes a new study only into an empty or new folder",
                              expected="an empty or new folder"))


def copy_specs(source: Path, target: Path) -> None:
    """The spec tree (YAML files and their folders), without caches or hidden files."""
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(".*", "__pycache__", "*.pyc"))


def run(args: argparse.Namespace) -> int:
    from aclf_cdisc.package.atomic import parents_made_for, staged_output
    from aclf_cdisc.simulate import simulate_export, write_export
    from aclf_cdisc.simulate.odm import write_odm
    from aclf_cdisc.spec.loader import load_spec, locate_spec_root

    folder: Path = args.dir
    refuse_non_empty(folder)
    source, found_by = locate_spec_root(args.specs)
    spec = load_spec(source)  # a broken spec is refused before anything is written
    frames = simulate_export(args.subjects, INIT_SEED)
    # assembled in a staging folder beside DIR and swapped in whole: a full disk or an error
    # midway leaves DIR as it was (absent, or empty)
    with parents_made_for(folder), staged_output(folder, option="DIR", what="the study folder") as staging:
        copy_specs(source, staging / "specs")
        if args.format == "odm":
            write_odm(frames, staging / "edc" / "odm.xml", spec)
            what = ", as one CDISC ODM 1.3.2 file (`edc/odm.xml`)"
        else:
            write_export(frames, staging / "edc", spec)
            what = ", one CSV file per form"
        (staging / "Makefile").write_text(MAKEFILE, encoding="utf-8")
        (staging / "README.md").write_text(README.format(studyid=spec.study.studyid, source=source.resolve(),
                                                         subjects=args.subjects, seed=INIT_SEED, what=what),
                                           encoding="utf-8")
    print(f"aclf-cdisc init: wrote {folder} (specs from {found_by}: {source.resolve()}, {args.subjects} simulated "
          "subjects); "
          f"to build: cd {folder} && make build")
    return 0
