"""The ``aclf-cdisc`` command line.

Each subcommand lives in its own module under :mod:`aclf_cdisc.commands` with two functions,
``register(subparsers)`` and ``run(args) -> int``. Exit codes are a contract scripts rely on:

    0  success (warnings may have been printed)
    1  the input, spec, data or output folder broke a rule; one line names file, row, column,
       value (or the path) and the cause
    2  the command line itself was wrong (unknown option, missing argument)
    3  an unexpected internal failure (a bug): one line says where the full trace was written
  130  interrupted by Ctrl-C (SIGINT); 143 by SIGTERM. Nothing was published.

Nothing a user can cause prints a traceback. Heavy modules (pandas, lxml) are imported by the
subcommand that needs them, not here, so the command starts fast and an early Ctrl-C is clean.
"""

from __future__ import annotations

import argparse
import importlib
import io
import os
import signal
import sys
import tempfile
import traceback
from collections.abc import Sequence

from aclf_cdisc import __version__
from aclf_cdisc.errors import AclfError, Interrupted, Issue, cap, printable

EXIT_OK, EXIT_DATA, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

# Subcommands in the order of the data flow; each names a module in aclf_cdisc.commands.
COMMANDS: tuple[str, ...] = ("init", "simulate", "spec", "build", "define", "xpt", "package", "validate")


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


def stop_once(signum: int, _frame: object) -> None:
    """The answer to Ctrl-C and SIGTERM: the first one unwinds the command (KeyboardInterrupt or
    :class:`~aclf_cdisc.errors.Interrupted`); the clean-up it runs on its way out (workers stopped,
    the staging folder removed, the pools' threads joined as the interpreter ends) is not cut short
    by the ones after it, which would leave that folder behind or print a traceback: a Ctrl-C after
    the first stop is ignored, a SIGTERM after it ends the process at once (its default)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Interrupted(signum)


def interrupted_message(signum: int, out: object, *, published: bool, command: str = "build") -> str:
    """The one line printed on Ctrl-C / SIGTERM: what was interrupted (``command``) and what was
    published (``out``: what the command replaces whole, None when it writes nothing)."""
    name = signal.Signals(signum).name
    if published:
        return f"interrupted ({name}) just after the new package was published to {out}"
    if out is not None:
        return f"{command} interrupted ({name}); nothing was published, {out} is as it was"
    return f"interrupted ({name})"


def published_target(args: argparse.Namespace | None) -> object:
    """What the command replaces whole, a folder or a file: the option its ``published`` default
    names (--out, --outputs, --to, DIR), which an interrupt leaves as it was; None when the command
    writes nothing (or the command line was not read yet)."""
    option = getattr(args, "published", None)
    return getattr(args, option, None) if option else None


def write_crash_report(command: str) -> str:
    """Write the current exception's full trace to a file in the temp folder; return its path."""
    fd, path = tempfile.mkstemp(prefix="aclf-cdisc-crash-", suffix=".txt")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(f"{command} (aclf-cdisc {__version__}, Python {sys.version.split()[0]})\n")
        handle.write(f"argv: {sys.argv!r}\n\n")
        traceback.print_exc(file=handle)
    return path


def paths_not_utf8(args: argparse.Namespace) -> list[Issue]:
    """An issue for each path (or text) on the command line that is not UTF-8: the reports, the
    manifest and the XML files name their inputs and outputs in UTF-8, which such a path has no
    spelling in."""
    issues = []
    for name, value in sorted(vars(args).items()):
        text = str(value) if isinstance(value, (str, os.PathLike)) else None
        if text is not None and text != printable(text):
            issues.append(Issue(rule="cli.path-not-utf8", file=printable(text), column=name.replace("_", "-"),
                                message=f"the {name.replace('_', '-')} argument holds bytes that are not UTF-8 "
                                        "(shown as \\xNN): rename the file or folder, or give another path",
                                expected="a path in UTF-8"))
    return issues


def use_replacement_on_output() -> None:
    """Print what the terminal's encoding cannot show (a file name that is not UTF-8, a value in a
    strict ASCII locale) as a backslash escape instead of failing on it."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")


def main(argv: Sequence[str] | None = None) -> int:
    from aclf_cdisc.package.atomic import Published

    signal.signal(signal.SIGINT, stop_once)
    signal.signal(signal.SIGTERM, stop_once)
    use_replacement_on_output()
    command, args = "aclf-cdisc", None
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        command = f"aclf-cdisc {args.command}"
        unusable = paths_not_utf8(args)
        if unusable:
            raise AclfError(unusable)
        return int(args.run(args))
    except AclfError as exc:
        print(f"{command}: {exc}", file=sys.stderr)
        return EXIT_DATA
    except (KeyboardInterrupt, Interrupted, Published) as exc:
        published = isinstance(exc, Published)
        cause = exc.interrupt if isinstance(exc, Published) else exc
        signum = int(getattr(cause, "signum", signal.SIGINT))
        line = interrupted_message(signum, published_target(args), published=published,
                                   command=str(getattr(args, "command", "")))
        print(f"{command}: {line}", file=sys.stderr)
        return 128 + signum
    except OSError as exc:  # the file system refused: a path the user gave, a full disk
        where = f"{exc.filename}: " if exc.filename is not None else ""
        print(f"{command}: [error] os.{type(exc).__name__}: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_DATA
    except Exception as exc:
        try:
            trace = write_crash_report(command)
        except OSError:
            traceback.print_exc()
            trace = "the terminal above (the temp folder is not writable)"
        print(f"{command}: internal error, a bug in aclf-cdisc {__version__} "
              f"({type(exc).__name__}: {cap(str(exc))}); please report it with the full trace, "
              f"written to {trace} (see README, 'Reporting a problem')", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
