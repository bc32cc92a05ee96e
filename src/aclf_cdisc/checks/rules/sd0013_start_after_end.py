"""SD0013: --STDTC is not after --ENDTC, compared only to the precision both values have.

``2023-09`` vs ``2023-09-15`` compares year and month only, so it passes; ``2023-10`` vs
``2023-09-15`` fails. Pairs are any ``xxSTDTC``/``xxENDTC`` in one dataset (so RFSTDTC/RFENDTC
too). Invalid ISO 8601 text is SD0003's and intervals are skipped.
"""

import re

import numpy as np
import pandas as pd

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import datasets_of, text_or_none
from aclf_cdisc.checks.rules._iso8601 import common_prefix, parse_datetime, surely_valid
from aclf_cdisc.compact import coded
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec

# a right-truncated date/time to the second: its digits, read as one number, order as the moments do
_WHOLE = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2}(T[0-9]{2}(:[0-9]{2}(:[0-9]{2})?)?)?)?)?")
_DIGITS = 14  # YYYYMMDDhhmmss


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    issues = []
    for name, frame in datasets_of(datasets, spec, "SDTM", reads=lambda c: c.endswith(("STDTC", "ENDTC"))):
        for start in (c for c in frame.columns if isinstance(c, str) and c.endswith("STDTC")):
            end = start[: -len("STDTC")] + "ENDTC"
            if end not in frame.columns:
                continue
            after = np.flatnonzero(starts_after_ends(frame[start], frame[end]))
            starts, ends = frame[start].to_numpy(dtype=object)[after], frame[end].to_numpy(dtype=object)[after]
            for pos, a, b in zip(after.tolist(), starts, ends, strict=True):
                issues.append(rule.issue(f"{start} is after {end}", dataset=name, row=pos + 1, column=start,
                                         value=text_or_none(a), expected=f"on or before {end}={text_or_none(b)}"))
    return issues


def starts_after_ends(starts: pd.Series, ends: pd.Series) -> np.ndarray:
    """True where a start is after its end on the components both have (:func:`start_after_end`).

    Each distinct text is read once. A pair of whole date/times (to the second, no unknown
    component, real moments: most of a study's) is compared as numbers cut to the shorter's
    precision, for every record at once; any other pair goes to :func:`start_after_end`.

    >>> starts_after_ends(pd.Series(["2023-10", "2023-09", "2024-01-02T10:00", None, "2023---01"]),
    ...                   pd.Series(["2023-09-15", "2023-09-15", "2024-01-02T09:59:59", "2023", "2022"])).tolist()
    [True, False, True, False, True]
    """
    (a_codes, a_number, a_digits, a_whole), (b_codes, b_number, b_digits, b_whole) = (
        _moments(values) for values in (starts, ends))
    whole = a_whole[a_codes] & b_whole[b_codes]
    shared = np.minimum(a_digits[a_codes], b_digits[b_codes])
    scale = np.power(np.int64(10), (_DIGITS - shared).astype(np.int64))
    after = whole & (a_number[a_codes] // scale > b_number[b_codes] // scale)
    a_text, b_text = starts.to_numpy(dtype=object), ends.to_numpy(dtype=object)
    for pos in np.flatnonzero(~whole).tolist():
        after[pos] = start_after_end(a_text[pos], b_text[pos])
    return after


def _moments(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(codes, then per distinct value and a last slot for a missing one: the number its digits
    make, how many digits it has, whether it is a whole date/time); a record's value is slot
    ``codes[i]``. Only text can be whole: values equal but not alike (1, 1.0) share a slot harmlessly."""
    codes, distinct = coded(values)
    texts = [value.strip() if isinstance(value, str) else "" for value in distinct]
    whole = np.array([_WHOLE.fullmatch(text) is not None for text in texts] + [False], dtype=bool)
    whole[:-1] &= surely_valid(texts)
    digits = [text.replace("-", "").replace("T", "").replace(":", "") if ok else ""
              for text, ok in zip(texts, whole.tolist(), strict=False)]
    number = np.array([int(d.ljust(_DIGITS, "0")) if d else 0 for d in digits] + [0], dtype=np.int64)
    count = np.array([len(d) for d in digits] + [0], dtype=np.int64)
    return codes, number, count, whole


def start_after_end(start: object, end: object) -> bool:
    """Whether ``start`` is after ``end`` on the leading components both know; False where either
    is missing or not an ISO 8601 date/time (an interval included).

    >>> start_after_end("2023-10", "2023-09-15"), start_after_end("2023-09", "2023-09-15")
    (True, False)
    """
    a_text, b_text = text_or_none(start), text_or_none(end)
    if a_text is None or b_text is None:
        return False
    a_parts, b_parts = parse_datetime(a_text), parse_datetime(b_text)
    if a_parts is None or b_parts is None:
        return False
    left, right = common_prefix(a_parts, b_parts)
    return left > right
