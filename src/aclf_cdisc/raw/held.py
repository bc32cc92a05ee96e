"""Raw forms held compactly, and read back exactly as read.

The reader holds each checked form's text columns compactly (:func:`aclf_cdisc.compact.compact_column`:
the distinct trimmed strings once and a small code per record; a blank cell is code -1, ``NaN``
once rebuilt), so a large export costs a byte or two a cell instead of a pointer. A reader of the
forms that needs their text gets them rebuilt, one form at a time, when it asks for it:

    whole = FormsAsRead(held_forms)     # a read-only mapping
    whole["dm"]                         # rebuilt on first access, then the same frame each time

>>> from aclf_cdisc.compact import compact_frame
>>> held = {"dm": compact_frame(pd.DataFrame({"SEX": ["M", np.nan]}, dtype=object), missing=RAW_MISSING)}
>>> whole = FormsAsRead(held)
>>> whole["dm"]["SEX"].tolist(), whole["dm"] is whole["dm"], list(whole)
(['M', nan], True, ['dm'])
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import numpy as np
import pandas as pd

from aclf_cdisc.compact import expand_frame

RAW_MISSING = np.nan  # a blank cell of a raw form, as the reader gives it


def as_read(form: pd.DataFrame) -> pd.DataFrame:
    """A raw form held compactly, rebuilt as read (text as objects, blank ``NaN``); a form not held: itself."""
    return expand_frame(form, missing=RAW_MISSING)


class FormsAsRead(Mapping[str, pd.DataFrame]):
    """Forms held compactly, each rebuilt as read (:func:`as_read`) the first time it is asked for and
    kept while this mapping lives (so ``forms[name] is forms[name]``). Forms not held are given as they are."""

    def __init__(self, forms: Mapping[str, pd.DataFrame]) -> None:
        self._held = forms
        self._read: dict[str, pd.DataFrame] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._read:
            self._read[name] = as_read(self._held[name])
        return self._read[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._held)

    def __len__(self) -> int:
        return len(self._held)
