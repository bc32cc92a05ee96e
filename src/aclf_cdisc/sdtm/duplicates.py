"""Duplicate records: refused, dropped with a warning, or reported as a key conflict.

* :func:`one_per_subject`: a one-record-per-subject form holding two records for a subject is an
  error (no silent pick).
* :func:`drop_duplicate_records`: records equal in every mapped variable are one observation
  entered twice; the later copies are dropped, each with a warning naming the row it repeats.
* :func:`key_conflicts`: two different records left under one set of dataset keys are errors.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from aclf_cdisc.errors import InputError, Issue
from aclf_cdisc.raw.reader import FILE_COL, ROW_COL
from aclf_cdisc.sdtm.assemble import frame_file

_MISSING = "\x00"  # stands for a missing value in the duplicate key (missing equals missing)


def one_per_subject(frame: pd.DataFrame, form: str) -> pd.DataFrame:
    """Refuse a one-record-per-subject form holding two records for a subject (no silent pick)."""
    dupes = frame[frame.duplicated("USUBJID", keep=False)]
    if not dupes.empty:
        raise InputError([
            Issue(rule="sdtm.duplicate-subject-record", message=f"{form} holds more than one record for the subject",
                  file=frame_file(frame, form), row=int(r), column="SUBJID", value=s, expected="one record per subject")
            for s, r in zip(dupes["SUBJID"], dupes["_row"], strict=True)
        ])
    return frame


def drop_duplicate_records(frame: pd.DataFrame, columns: Sequence[str], *, dataset: str, file: str,
                           issues: list[Issue]) -> pd.DataFrame:
    """Drop records equal to an earlier record in every one of ``columns``; one warning per drop.

    ``columns`` are the mapped (recoded, trimmed) values, so a re-entry typed in another case is
    caught too. The first record is kept; each warning names the lowest source row of its group.
    Vectorised: one hash per record finds the few records that may have a copy, and only those
    are compared value by value.
    """
    key = frame[list(columns)].astype("string").fillna(_MISSING)
    maybe = pd.util.hash_pandas_object(key, index=False).duplicated(keep=False).to_numpy()
    if not maybe.any():
        return frame
    candidates = key[maybe].reset_index(drop=True)
    repeats = candidates.duplicated(keep="first").to_numpy()
    if not repeats.any():
        return frame
    rows = frame[ROW_COL].to_numpy()[maybe]
    files = (frame[FILE_COL].to_numpy()[maybe] if FILE_COL in frame.columns
             else np.full(len(rows), file, dtype=object))  # the record's own file (an ODM export's .xml)
    first_row = pd.Series(rows).groupby([candidates[c] for c in columns], dropna=False, sort=False).transform("min")
    for row, first, source in zip(rows[repeats], first_row.to_numpy()[repeats], files[repeats], strict=True):
        issues.append(Issue(rule="sdtm.duplicate-record", severity="warning",
                            message=f"record repeats row {int(first)} in every mapped variable; dropped",
                            file=str(source), dataset=dataset, row=int(row), value=f"duplicate of row {int(first)}",
                            expected="each observation entered once"))
    dropped = np.zeros(len(frame), dtype=bool)
    dropped[np.flatnonzero(maybe)[repeats]] = True
    return frame.loc[~dropped].reset_index(drop=True)


def key_conflicts(frame: pd.DataFrame, keys: Sequence[str], *, dataset: str, file: str) -> list[Issue]:
    """Error Issues for records sharing the dataset keys (after exact duplicates were dropped)."""
    clash = frame.duplicated(list(keys), keep=False)
    return [
        Issue(rule="sdtm.duplicate-key", message=f"two different records share the {dataset} keys",
              file=file, dataset=dataset, row=int(row), column=",".join(keys),
              value=" | ".join(str(frame.at[i, k]) for k in keys), expected="one record per key")
        for i, row in zip(frame.index[clash], frame.loc[clash, ROW_COL], strict=True)
    ]
