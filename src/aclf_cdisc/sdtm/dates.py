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
    codes, distinct = pd.factorize(date.astype("string"), use_na_sentinel=True)
    stripped = [str(text).strip() for text in distinct]
    parsed, errors = _parse_distinct(stripped)
    iso = pd.Series(np.array([*parsed, None], dtype=object)[codes], index=date.index, dtype=object)
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
        clock = time.astype("string").str.strip()
        clock = clock.mask(clock == "", pd.NA)
        bad_time = clock.notna() & ~clock.fillna("").str.match(TIME_PATTERN.pattern)
        for idx in clock.index[bad_time]:
            issues.append(
                Issue(
                    rule="sdtm.time-invalid",
                    message="raw time is not HH:MM",
                    file=file,
                    dataset=dataset,
                    row=int(row_of[idx]),
                    column=variable,
                    value=str(clock[idx]),
                    expected="HH:MM (24-hour clock)",
                )
            )
        complete = pd.Series(np.array([v is not None and len(v) == 10 for v in parsed] + [False], dtype=bool)[codes],
                             index=date.index)
        attach = complete & clock.notna() & ~bad_time
        iso = iso.where(~attach, iso.astype(str) + "T" + clock.astype(str))
    return iso.where(iso.notna(), None).astype(object), issues


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
