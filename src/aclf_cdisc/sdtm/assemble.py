"""Raw-form access and assembly, and the subject identifier every domain shares.

A domain builder reads its raw forms through :func:`get_form` (text trimmed, ``_row`` added),
identifies subjects with :func:`compute_usubjid` and turns a form into the record-level frame
:func:`aclf_cdisc.sdtm.mapping.apply_mappings` expects (columns ``form.COLUMN``) with
:func:`prefix_columns` or, for findings and events forms checked against DM, :func:`assemble_form`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np
import pandas as pd

from aclf_cdisc.errors import InputError, Issue
from aclf_cdisc.raw.reader import FILE_COL, ROW_COL
from aclf_cdisc.sdtm.text import per_distinct_text
from aclf_cdisc.spec.model import Spec

RFSTDTC, RFXSTDTC = "_RFSTDTC", "_RFXSTDTC"  # DM reference dates carried on an assembled frame


def raw_forms(raw: Any) -> Mapping[str, pd.DataFrame]:
    """The form frames of a raw export (a mapping of form name to DataFrame, or an object with ``forms``)."""
    forms = getattr(raw, "forms", raw)
    if not isinstance(forms, Mapping):
        raise TypeError(f"raw export must be a mapping of form name to DataFrame, got {type(raw).__name__}")
    return forms


def trim_form(form: pd.DataFrame) -> pd.DataFrame:
    """A copy of a raw form frame with text trimmed (blank -> missing) and ``_row`` (1-based source record)."""
    columns: dict[str, pd.Series | np.ndarray] = {
        column: per_distinct_text(form[column], str.strip, pd.NA) if _is_raw_text(column, form[column])
        else form[column] for column in form.columns}
    if "_row" not in columns:
        columns["_row"] = form[ROW_COL] if ROW_COL in form.columns else np.arange(1, len(form) + 1)
    return pd.DataFrame(columns, index=form.index).reset_index(drop=True)


def _is_raw_text(name: str, column: pd.Series) -> bool:
    """Whether a raw form column holds text the export wrote (not the reader's ``_``/``__`` columns)."""
    return not name.startswith("_") and (column.dtype == object or pd.api.types.is_string_dtype(column))


class TrimmedForms(Mapping[str, pd.DataFrame]):
    """Every form of a raw export through :func:`trim_form`, once: :func:`get_form` copies from it.

    Build it once per build (``TrimmedForms(raw)``) and pass it where a raw export is expected;
    the frames it holds are never handed out, only shallow copies (under copy-on-write a
    caller's change to one copies the data it changes, never reaching the held frame).
    """

    def __init__(self, raw: Any) -> None:
        self._forms = {name: None if form is None else trim_form(form) for name, form in raw_forms(raw).items()}

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self._forms[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._forms)

    def __len__(self) -> int:
        return len(self._forms)


def get_form(raw: Any, name: str, *, required: bool = True) -> pd.DataFrame | None:
    """A copy of form ``name`` with text trimmed (blank -> missing) and ``_row`` (1-based source record).

    A missing required form is an :class:`InputError`; a missing optional one returns None.
    ``raw`` may be :class:`TrimmedForms` (each form trimmed once, then copied).
    """
    forms = raw_forms(raw)
    if name not in forms or forms[name] is None:
        if required:
            raise InputError(Issue(rule="sdtm.form-missing", message=f"raw form {name} is needed for SDTM",
                                   file=f"{name}.csv", expected=f"{name}.csv in the raw export"))
        return None
    if isinstance(forms, TrimmedForms):
        return forms[name].copy(deep=False)
    return trim_form(forms[name])


def frame_file(frame: pd.DataFrame | None, form: str) -> str:
    """The raw file a form's records were read from: their ``__file`` (``ae.csv``, ``ae.xpt``, an
    ODM export's ``.xml``, whose records' ``__row`` is the line of their ItemGroupData), or
    ``<form>.csv`` for records that carry none (a form built in memory).

    >>> frame_file(pd.DataFrame({"__file": ["odm.xml"], "__row": [412]}), "ex"), frame_file(None, "ex")
    ('odm.xml', 'ex.csv')
    """
    if frame is not None and FILE_COL in frame.columns:
        known = frame[FILE_COL].notna().to_numpy()
        if known.any():
            return str(frame[FILE_COL].iloc[int(known.argmax())])
    return f"{form}.csv"


def form_file(raw: Any, form: str) -> str:
    """The raw file form ``form`` of a raw export was read from (:func:`frame_file`), without copying it."""
    return frame_file(raw_forms(raw).get(form), form)


def compute_usubjid(studyid: str, siteid: pd.Series, subjid: pd.Series) -> pd.Series:
    """USUBJID = STUDYID-SITEID-subject number; the site is not repeated when SUBJID starts with it.

    >>> compute_usubjid("ACLF-MSC-302", pd.Series(["101"]), pd.Series(["101-0001"])).tolist()
    ['ACLF-MSC-302-101-0001']
    """
    site_codes, sites = pd.factorize(siteid.to_numpy(dtype=object))
    subj_codes, subjects = pd.factorize(subjid.to_numpy(dtype=object))
    text = all(isinstance(v, str) for v in sites) and all(isinstance(v, str) for v in subjects)
    if not text or siteid.empty:  # numbers (1 == 1.0) are never merged by value: record by record
        return _usubjid(studyid, siteid, subjid)
    # a subject's records share one (site, subject) pair: each distinct pair is computed once
    pairs = (site_codes.astype(np.int64) + 1) * (len(subjects) + 1) + (subj_codes + 1)  # missing: code -1
    codes = pd.factorize(pairs)[0]  # pairs numbered in order of first appearance
    first = np.unique(codes, return_index=True)[1]  # the first record of each pair, in pair order
    distinct = np.array([_text_usubjid(studyid, site, subject) for site, subject in
                         zip(siteid.to_numpy(dtype=object)[first], subjid.to_numpy(dtype=object)[first], strict=True)],
                        dtype=object)
    return pd.Series(distinct[codes], index=subjid.index, dtype=object, name=subjid.name)


def _text_usubjid(studyid: str, siteid: object, subjid: object) -> object:
    """The USUBJID of one record (:func:`compute_usubjid`) whose SITEID and SUBJID are text or missing
    (then pd.NA).

    >>> _text_usubjid("S", " 101", "101-0001 "), _text_usubjid("S", "101", "0001"), _text_usubjid("S", None, "0001")
    ('S-101-0001', 'S-101-0001', <NA>)
    """
    site = siteid.strip() if isinstance(siteid, str) else pd.NA
    subject = subjid.strip() if isinstance(subjid, str) else pd.NA
    if str(subject).startswith(f"{site}-"):  # a missing value is written <NA> in this test
        local = subject
    elif site is pd.NA or subject is pd.NA:
        local = pd.NA
    else:
        local = f"{site}-{subject}"
    return pd.NA if local is pd.NA else f"{studyid}-{local}"


def _usubjid(studyid: str, siteid: pd.Series, subjid: pd.Series) -> pd.Series:
    """:func:`compute_usubjid`, record by record, values that are not text read as their text (1.0: "1.0")."""
    sites, subjects = (column.astype("string").to_numpy(dtype=object) for column in (siteid, subjid))
    return pd.Series([_text_usubjid(studyid, site, subject) for site, subject in zip(sites, subjects, strict=True)],
                     index=subjid.index, dtype=object, name=subjid.name)


def with_usubjid(frame: pd.DataFrame, spec: Spec) -> pd.DataFrame:
    """A copy of a raw form frame with USUBJID (from SITEID and SUBJID) as its first column."""
    out = frame.copy()
    out.insert(0, "USUBJID", compute_usubjid(spec.study.studyid, out["SITEID"], out["SUBJID"]))
    return out


def prefix_columns(frame: pd.DataFrame, form: str) -> pd.DataFrame:
    """USUBJID and ``_row`` of ``frame``, then every other column renamed ``form.COLUMN`` (same order).

    The raw reader's ``__file``/``__row`` (lineage, see :mod:`aclf_cdisc.sdtm.lineage`) keep their names.
    """
    kept = ("USUBJID", "_row", FILE_COL, ROW_COL)
    columns = {c: frame[c] for c in kept if c in frame.columns}
    columns.update({f"{form}.{c}": frame[c] for c in frame.columns if c not in kept})
    return pd.DataFrame(columns, index=frame.index)


def assemble_form(raw: Any, spec: Spec, form: str, dm: pd.DataFrame, *, dataset: str,
                  issues: list[Issue]) -> pd.DataFrame:
    """Raw form ``form`` as ``form.COLUMN`` columns plus USUBJID, ``__row``/``__file`` and DM facts.

    Text is trimmed (blank -> missing). A record whose subject is not in DM is an error Issue.
    ``_RFSTDTC``/``_RFXSTDTC`` carry the subject's DM reference dates.
    """
    frame = get_form(raw, form)
    assert frame is not None
    if ROW_COL not in frame.columns:
        frame[ROW_COL] = frame["_row"]
    if FILE_COL not in frame.columns:
        frame[FILE_COL] = f"{form}.csv"
    layout = spec.raw_forms.get(form)
    columns = [c.name for c in layout.columns] if layout else [c for c in frame.columns if not c.startswith("_")]
    out = pd.DataFrame({f"{form}.{c}": frame[c] if c in frame.columns else None for c in columns})
    out.insert(0, "USUBJID", compute_usubjid(spec.study.studyid, frame["SITEID"], frame["SUBJID"]))
    out[ROW_COL] = frame[ROW_COL].to_numpy()
    out[FILE_COL] = frame[FILE_COL].to_numpy()
    facts = dm.set_index("USUBJID")
    known = out["USUBJID"].isin(facts.index)
    for file, row, subjid in zip(out.loc[~known, FILE_COL], out.loc[~known, ROW_COL],
                                 out.loc[~known, f"{form}.SUBJID"], strict=True):
        issues.append(Issue(rule="sdtm.subject-not-in-dm", message=f"{form} record of a subject DM does not hold",
                            file=file, dataset=dataset, row=int(row), column="SUBJID", value=subjid,
                            expected="a subject of the dm form"))
    out[RFSTDTC] = out["USUBJID"].map(facts["RFSTDTC"]) if "RFSTDTC" in facts else None
    out[RFXSTDTC] = out["USUBJID"].map(facts["RFXSTDTC"]) if "RFXSTDTC" in facts else None
    return out.astype(object).where(out.notna(), None)
