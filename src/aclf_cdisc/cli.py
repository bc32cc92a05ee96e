"""The ``aclf-cdisc`` command line.

Each subcommand lives in its own module under :mod:`aclf_cdisc.commands` with two functions,
``register(subparsers)`` and ``run(args) -> int``. Exit codes are a contract scripts rely on:

    0  success (warnings may have been printed)
    1  the input, spec or data broke a rule; the report names file, row, column and value
    2  the command line itself was wrong (unknown option, missing argument)
    3  an unexpected internal failure (a bug: please report it with the traceback)
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from collections.abc import Sequence

from aclf_cdisc import __version__
from aclf_cdisc.errors import AclfError

EXIT_OK, EXIT_DATA, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

# Subcommands in the order of the data flow; each names a module in aclf_cdisc.commands.
COMMANDS: tuple[str, ...] = ("simulate", "spec", "build", "define", "xpt", "package", "validate")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aclf-cdisc",
        description=(
            "Spec-driven CDISC SDTM/ADaM datasets, Define-XML 2.1 and the eCTD module 5 package "
            "for NCT05985863 (hUC-MSC in acute-on-chronic liver failure). "
            "Raw EDC export in, submission package out."
        ),
        epilog=(
            "exit codes: 0 success; 1 a rule was broken (the report says where); "
            "2 bad command line; 3 internal error"
        ),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        module = importlib.import_module(f"aclf_cdisc.commands.{name}")
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except AclfError as exc:
        print(f"aclf-cdisc {args.command}: {exc}", file=sys.stderr)
        return EXIT_DATA
    except KeyboardInterrupt:
        return 130
    except Exception:
        traceback.print_exc()
        print(f"aclf-cdisc {args.command}: internal error (exit {EXIT_INTERNAL})", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
