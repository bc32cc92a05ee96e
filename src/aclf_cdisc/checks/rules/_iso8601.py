"""ISO 8601 date/time text as SDTMIG v3.4 section 4.4 allows it in --DTC variables.

Accepted: right-truncated dates/times (``2023``, ``2023-09``, ``2023-09-30T10``, ``...T10:15:30.5``),
an optional UTC offset (``Z``, ``+01:00``), unknown middle components written as a hyphen
(``2023---30``, ``--09-30``, ``2023-09-30T-:15``), and intervals ``start/end`` whose sides are
date/times or one of them a duration (``P3D``). Complete components must name a real calendar day.
"""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Sequence

import numpy as np
import pandas as pd

_DATE = re.compile(r"^(\d{4}|-)(?:-(\d{2}|-)(?:-(\d{2}|-))?)?$")
_TIME = re.compile(r"^(\d{2}|-)(?::(\d{2}|-)(?::(\d{2}(?:\.\d+)?))?)?(Z|[+-]\d{2}(?::?\d{2})?)?$")
_DURATION = re.compile(r"^-?P(?=\d|T\d)(\d+(\.\d+)?Y)?(\d+(\.\d+)?M)?(\d+(\.\d+)?W)?(\d+(\.\d+)?D)?"
                       r"(T(?=\d)(\d+(\.\d+)?H)?(\d+(\.\d+)?M)?(\d+(\.\d+)?S)?)?$")

# year, month, day, hour, minute, second; None = not given (truncated), -1 = unknown ("-")
Components = tuple[int | float | None, ...]
UNKNOWN = -1


@functools.lru_cache(maxsize=1 << 16)
def parse_datetime(text: str) -> Components | None:
    """The six components of one ISO 8601 date/time, or None when the text is not one.

    Pure, and datasets repeat their dates across records and rules: each text is parsed once.
    """
    date_text, _, time_text = text.partition("T")
    date = _DATE.match(date_text)
    if date is None:
        return None
    parts: list[int | float | None] = [_component(g) for g in date.groups()]
    if "T" in text:
        if parts[2] is None:  # a time needs the day component (known or "-")
            return None
        time = _TIME.match(time_text)
        if time is None:
            return None
        hour, minute, second = time.group(1), time.group(2), time.group(3)
        parts += [_component(hour), _component(minute), float(second) if second is not None else None]
    else:
        parts += [None, None, None]
    given = [p for p in parts if p is not None]
    if not given or given[-1] == UNKNOWN or all(p == UNKNOWN for p in given):
        return None  # trailing unknowns must be truncated, not written as "-"
    return tuple(parts) if _in_range(parts) else None


def is_valid(text: str) -> bool:
    """An ISO 8601 date/time or interval as SDTM allows in --DTC."""
    sides = text.split("/")
    if len(sides) == 1:
        return parse_datetime(text) is not None
    if len(sides) != 2:
        return False
    start, end = sides
    if _DURATION.match(start):
        return parse_datetime(end) is not None
    if _DURATION.match(end):
        return parse_datetime(start) is not None
    return parse_datetime(start) is not None and parse_datetime(end) is not None


# a right-truncated date/time of ASCII digits, no unknown component, UTC offset or interval
_PLAIN = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2}(T[0-9]{2}(:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,9})?)?)?)?)?)?")


def surely_valid(texts: Sequence[str]) -> np.ndarray:
    """True where a text is a plain date/time (:data:`_PLAIN`: most of a study's values) that names a
    real moment, the moments read together by pandas; False where that is not known, and
    :func:`is_valid` must decide (any other form, or a moment pandas cannot hold). A True is never
    wrong: pandas refuses what :func:`is_valid` refuses of these forms (month 13, 30 February,
    hour 24, second 60).

    >>> surely_valid(["2024-02-29T23:59", "2023-02-29", "2024-13", "2024-01-15T24:00", "2024---15"]).tolist()
    [True, False, False, False, False]
    """
    plain = np.fromiter((_PLAIN.fullmatch(text) is not None for text in texts), dtype=bool, count=len(texts))
    sure = np.zeros(len(texts), dtype=bool)
    if plain.any():
        picked = pd.Series([text for text, ok in zip(texts, plain.tolist(), strict=True) if ok], dtype=object)
        sure[plain] = pd.to_datetime(picked, format="ISO8601", errors="coerce").notna().to_numpy()
    return sure


def _component(text: str | None) -> int | None:
    if text is None:
        return None
    return UNKNOWN if text == "-" else int(text)


def _in_range(parts: list[int | float | None]) -> bool:
    known = {i: p for i, p in enumerate(parts) if p is not None and p != UNKNOWN}
    limits = {1: (1, 12), 2: (1, 31), 3: (0, 23), 4: (0, 59), 5: (0, 59.999999999)}
    for index, (low, high) in limits.items():
        if index in known and not low <= known[index] <= high:
            return False
    if 2 in known and 1 in known:
        leap_year = int(known.get(0, 2000))  # unknown year: allow Feb 29
        if known[2] > calendar.monthrange(leap_year, int(known[1]))[1]:
            return False
    return True


def common_prefix(a: Components, b: Components) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """The leading components known in both, so dates compare only to their shared precision."""
    left: list[float] = []
    right: list[float] = []
    for x, y in zip(a, b, strict=True):
        if x is None or y is None or x == UNKNOWN or y == UNKNOWN:
            break
        left.append(float(x))
        right.append(float(y))
    return tuple(left), tuple(right)
