"""Types of the command line's numeric options: a value out of range is a usage error (exit 2),
refused by argparse with the option's name, before anything is read or written.

The bounds a user can hit are named in :mod:`aclf_cdisc.limits` and documented with the options that use them.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from aclf_cdisc.limits import MAX_SUBJECTS, MAX_WORKERS


def whole_number(text: str, *, least: int, most: int | None = None) -> int:
    """``text`` as a whole number in ``least..most`` (argparse type: anything else is exit 2).

    >>> whole_number("7", least=0)
    7
    >>> whole_number("-1", least=0)
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected a whole number >= 0, got '-1'
    >>> whole_number("1e12", least=1, most=10)
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected a whole number from 1 to 10, got '1e12'
    """
    expected = f"a whole number >= {least}" if most is None else f"a whole number from {least} to {most:,}"
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
    if number < least or (most is not None and number > most):
        raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
    return number


def positive_int(text: str) -> int:
    """A whole number >= 1.

    >>> positive_int("2")
    2
    """
    return whole_number(text, least=1)


def row_count(text: str) -> int:
    """Rows to print: a whole number >= 0 (a negative count would silently print none).

    >>> row_count("0")
    0
    """
    return whole_number(text, least=0)


def seed(text: str) -> int:
    """A random seed: a whole number >= 0 (what numpy's generators accept).

    >>> seed("20230930")
    20230930
    """
    return whole_number(text, least=0)


def subject_count(text: str) -> int:
    """The randomized subjects of a simulated export: 1 to :data:`MAX_SUBJECTS`.

    >>> subject_count("150")
    150
    """
    return whole_number(text, least=1, most=MAX_SUBJECTS)


def worker_count(text: str) -> int:
    """The worker processes of a build: 1 to :data:`MAX_WORKERS`.

    >>> worker_count("4")
    4
    """
    return whole_number(text, least=1, most=MAX_WORKERS)


def given_path(text: str) -> Path:
    """A path the user typed; an empty one is refused (it would silently mean the current folder).

    >>> given_path("out")
    PosixPath('out')
    >>> given_path("")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: expected a path, got an empty one (write . for the current folder)
    """
    if not text:
        raise argparse.ArgumentTypeError("expected a path, got an empty one (write . for the current folder)")
    return Path(text)


def is_inside(path: Path, folder: Path) -> bool:
    """True when ``path`` is ``folder`` or lies under it, symbolic links followed.

    >>> is_inside(Path("out/build.jsonl"), Path("out")), is_inside(Path("out.jsonl"), Path("out"))
    (True, False)
    """
    real, within = Path(os.path.realpath(path)), Path(os.path.realpath(folder))
    return real == within or within in real.parents
