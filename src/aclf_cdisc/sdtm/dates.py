"""Raw EDC date/time text to ISO 8601, partial dates truncated (never padded).

``05 MAR 2024`` + ``14:30`` -> ``2024-03-05T14:30``; ``UN MAR 2024`` -> ``2024-03``;
``UN UNK 2024`` -> ``2024``. A time is only attached to a complete date (ISO 8601 allows no
time after a partial date without the missing parts). Each distinct raw value is parsed once,
so the cost grows with the number of distinct dates, not records.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from aclf_cdisc.errors import InputError, Issue
from aclf_cdisc.raw.parse import parse_raw_date
from aclf_cdisc.sdtm.text import text_codes

TIME_PATTERN = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _parse_distinct(distinct: list[str]) -> tuple[list[str | None], dict[str, str]]:
    """Each distinct stripped date text parsed: (ISO value or None per text, reason per unreadable text)."""
    parsed: list[str | None] = []
    errors: dict[str, str] = {}
    for text in distinct:
        try:
            parsed.append(parse_raw_date(text) if text else None)
        except ValueError as exc:
            parsed.append(None)
            errors[text] = str(exc)
    return parsed, errors


def raw_to_iso8601(
    date: pd.Series,
    time: pd.Series | None = None,
    *,
    dataset: str,
    variable: str,
    file: str | None = None,
    rows: pd.Series | None = None,
) -> tuple[pd.Series, list[Issue]]:
    """Convert raw date (and time) text to ISO 8601; one Issue per unparseable cell."""
    codes, distinct = text_codes(date)
    stripped = [text.strip() for text in distinct]
    parsed, errors = _parse_distinct(stripped)
    iso = np.array([*parsed, None], dtype=object)[codes]
    issues: list[Issue] = []
    row_of = rows if rows is not None else pd.Series(range(1, len(date) + 1), index=date.index)
    unreadable = np.array([text in errors for text in stripped] + [False], dtype=bool)[codes]
    for idx, text in zip(date.index[unreadable], np.array([*stripped, ""], dtype=object)[codes][unreadable],
                         strict=True):
        issues.append(
            Issue(
                rule="sdtm.date-invalid",
                message=f"raw date cannot be read: {errors[text]}",
                file=file,
                dataset=dataset,
                row=int(row_of[idx]),
                column=variable,
                value=text,
                expected="DD MON YYYY with UN/UNK for unknown parts",
            )
        )
    if time is not None:
        clock, bad_time = _clock_times(time)
        for idx, text in zip(date.index[bad_time], clock[bad_time], strict=True):
            issues.append(
                Issue(
                    rule="sdtm.time-invalid",
                    message="raw time is not HH:MM",
                    file=file,
                    dataset=dataset,
                    row=int(row_of[idx]),
                    column=variable,
                    value=text,
                    expected="HH:MM (24-hour clock)",
                )
            )
        complete = np.array([v is not None and len(v) == 10 for v in parsed] + [False], dtype=bool)[codes]
        attach = np.flatnonzero(complete & pd.notna(clock) & ~bad_time)
        iso[attach] = [f"{day}T{hhmm}" for day, hhmm in zip(iso[attach], clock[attach], strict=True)]
    return pd.Series(iso, index=date.index, dtype=object), issues


def _clock_times(time: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """(clock, bad): each raw time stripped (None when missing or blank), and whether it is not
    HH:MM. Each distinct text is stripped and checked once."""
    codes, distinct = text_codes(time)
    stripped = [text.strip() or None for text in distinct]
    bad = [text is not None and not TIME_PATTERN.match(text) for text in stripped]
    return np.array([*stripped, None], dtype=object)[codes], np.array([*bad, False], dtype=bool)[codes]


def to_iso8601(values: pd.Series, time: pd.Series | None = None, *, dataset: str, variable: str, file: str,
               rows: pd.Series | None = None, issues: list[Issue] | None = None) -> pd.Series:
    """:func:`raw_to_iso8601`, its Issues appended to ``issues``, or raised (errors) when that is None."""
    result, found = raw_to_iso8601(values, time, dataset=dataset, variable=variable, file=file, rows=rows)
    if issues is None:
        if any(i.severity == "error" for i in found):
            raise InputError(found)
    else:
        issues.extend(found)
    return result
