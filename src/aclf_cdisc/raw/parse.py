"""Parsers for raw EDC text: dates with UN/UNK parts, HH:MM times, and "<x" style results.

    parse_raw_date("05 MAR 2024")  -> "2024-03-05"
    parse_raw_date("UN JAN 2024")  -> "2024-01"
    parse_raw_date("UN UNK 2024")  -> "2024"
    parse_result("<44")            -> Result(value=44.0, comparator="<")

Each raises :class:`ValueError` (with the reason) on text it cannot read exactly; callers turn that
into an Issue naming file, row and column.
"""

from __future__ import annotations

import calendar
import functools
import math
import re
from dataclasses import dataclass

MONTHS: dict[str, int] = {m.upper(): i for i, m in enumerate(calendar.month_abbr) if m}
UNKNOWN = frozenset({"UN", "UNK"})
_DATE = re.compile(r"^\s*(\S+)\s+(\S+)\s+(\S+)\s*$")
_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_INTEGER = re.compile(r"^[+-]?\d+$")
_RESULT = re.compile(r"^\s*(<=|>=|<|>)?\s*([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?)\s*$")


@functools.lru_cache(maxsize=1 << 16)
def parse_raw_date(text: str) -> str:
    """``DD MON YYYY`` (day may be UN/UNK; month may be UN/UNK only when the day is) -> ISO 8601 (partial).

    A pure function of its text, memoised: the layout check, the plausibility checks and the SDTM
    mapping read the same dates, and each distinct text is parsed once per process.
    """
    if not isinstance(text, str):
        raise ValueError(f"not a date text: {text!r}")
    m = _DATE.match(text)
    if not m:
        raise ValueError(f"{text!r} is not DD MON YYYY")
    day, mon, year = (p.upper() for p in m.groups())
    if not re.fullmatch(r"\d{4}", year) or year == "0000":
        raise ValueError(f"{text!r}: year {year!r} is not a 4-digit year")
    if mon in UNKNOWN:
        if day not in UNKNOWN:
            raise ValueError(f"{text!r}: a known day needs a known month")
        return year
    if mon not in MONTHS:
        raise ValueError(f"{text!r}: month {mon!r} is not JAN..DEC or UNK")
    month = MONTHS[mon]
    if day in UNKNOWN:
        return f"{year}-{month:02d}"
    if not re.fullmatch(r"\d{1,2}", day):
        raise ValueError(f"{text!r}: day {day!r} is not a number or UN")
    last = calendar.monthrange(int(year), month)[1]
    if not 1 <= int(day) <= last:
        raise ValueError(f"{text!r}: {mon} {year} has no day {int(day)}")
    return f"{year}-{month:02d}-{int(day):02d}"


def parse_raw_time(text: str) -> str:
    """``HH:MM`` (24-hour) -> ``HH:MM``."""
    m = _TIME.match(text) if isinstance(text, str) else None
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ValueError(f"{text!r} is not a time HH:MM")
    return f"{int(m.group(1)):02d}:{m.group(2)}"


def is_finite_text(text: str) -> bool:
    """True when the number written in ``text`` (already known to be one) is finite as a double:
    ``1e400``, or an integer of 309 digits, is a number on paper but infinity once read, which no
    derivation or transport file can hold.

    >>> is_finite_text("1.5e308"), is_finite_text("1e400"), is_finite_text("-" + "9" * 400)
    (True, False, False)
    """
    return math.isfinite(float(text))


def is_number(text: str) -> bool:
    """A decimal number (sign, digits, point, exponent) whose value is finite.

    >>> is_number(" 12.5 "), is_number("1e-3"), is_number("1e400"), is_number("inf"), is_number("12,5")
    (True, True, False, False, False)
    """
    return isinstance(text, str) and bool(_NUMBER.match(text.strip())) and is_finite_text(text)


def is_integer(text: str) -> bool:
    """A whole number whose value is finite as a double.

    >>> is_integer("-42"), is_integer("4.0"), is_integer("9" * 400)
    (True, False, False)
    """
    return isinstance(text, str) and bool(_INTEGER.match(text.strip())) and is_finite_text(text)


@dataclass(frozen=True)
class Result:
    """A lab result read from text: the number and, for "<x"/">x" results, the comparator."""

    value: float
    comparator: str | None = None  # "<", "<=", ">", ">=" or None for a plain number

    @property
    def censored(self) -> bool:
        return self.comparator is not None


def parse_result(text: str) -> Result:
    """``"12.5"`` -> Result(12.5); ``"<44"`` -> Result(44.0, "<"); ``"> 10"`` -> Result(10.0, ">")."""
    m = _RESULT.match(text) if isinstance(text, str) else None
    if not m:
        raise ValueError(f"{text!r} is not a number or a <x / >x result")
    return Result(value=float(m.group(2)), comparator=m.group(1))  # may be infinite: 1e400 (is_finite_text)
