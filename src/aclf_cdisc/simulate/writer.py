"""Write a simulated (or any) raw export as one CSV per form, byte-for-byte reproducible.

Column order comes from the raw layout (``specs/raw/<form>.yaml``); rows are sorted by
STUDYID, SITEID, SUBJID with a stable sort (the within-subject order of the frame is kept);
UTF-8, ``\\n`` line endings, every value written as text, empty string for missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from aclf_cdisc.errors import InputError, Issue
from aclf_cdisc.files import replace_atomically
from aclf_cdisc.raw.layout import as_raw_forms
from aclf_cdisc.spec.model import RawForm, Spec

SUBJECT_SORT = ("STUDYID", "SITEID", "SUBJID")


def order_frame(frame: pd.DataFrame, form: RawForm) -> pd.DataFrame:
    """The frame with exactly the layout's columns, in layout order, rows sorted by subject."""
    names = [c.name for c in form.columns]
    missing = [c for c in names if c not in frame.columns]
    extra = [c for c in frame.columns if c not in names]
    issues = [Issue(rule="raw.column-missing", message=f"{form.name} has no column {c}", dataset=form.name,
                    column=c) for c in missing]
    issues += [Issue(rule="raw.column-unexpected", message=f"{form.name} has undeclared column {c}",
                     dataset=form.name, column=c) for c in extra]
    if issues:
        raise InputError(issues)
    out = frame[names].fillna("").astype(str)
    keys = [k for k in SUBJECT_SORT if k in out.columns]
    return out.sort_values(keys, kind="stable").reset_index(drop=True)


def write_whole(path: Path, data: bytes) -> None:
    """``data`` as the file ``path``, written whole or not at all (:func:`aclf_cdisc.files.replace_atomically`)."""
    replace_atomically(path, lambda handle: handle.write(data))


def write_export(frames: Mapping[str, pd.DataFrame], out_dir: Path,
                 forms: Spec | Mapping[str, RawForm] | None = None) -> list[Path]:
    """Write ``<form>.csv`` for each frame into ``out_dir``; return the paths written (sorted)."""
    layouts = as_raw_forms(forms)
    unknown = sorted(set(frames) - set(layouts))
    if unknown:
        raise InputError([Issue(rule="raw.form-unknown", message=f"no raw layout for form {f}", dataset=f)
                          for f in unknown])
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in sorted(frames):
        frame = order_frame(frames[name], layouts[name])
        path = out / f"{name}.csv"
        data = frame.to_csv(index=False, lineterminator="\n").encode("utf-8")
        write_whole(path, data)
        written.append(path)
    return written
