"""Controlled-terminology recoding that reports every raw value it cannot map."""

from __future__ import annotations

import numpy as np
import pandas as pd

from aclf_cdisc.errors import Issue
from aclf_cdisc.sdtm.text import text_codes
from aclf_cdisc.spec.model import Codelist


def _normalise(value: str) -> str:
    return " ".join(str(value).split()).casefold()


def codelist_lookup(codelist: Codelist) -> dict[str, str]:
    """Map every accepted spelling (submission value, decode, synonyms; case/space-folded) to its term."""
    lookup: dict[str, str] = {}
    for term in codelist.terms:
        for spelling in (term.submission_value, term.decode, *term.synonyms):
            if spelling is not None and str(spelling).strip():
                lookup.setdefault(_normalise(spelling), term.submission_value)
    return lookup


def recode_ct(
    values: pd.Series,
    codelist: Codelist,
    *,
    dataset: str,
    variable: str,
    file: str | None = None,
    rows: pd.Series | None = None,
) -> tuple[pd.Series, list[Issue]]:
    """Recode raw values to the codelist's submission values.

    Matching is case-insensitive after folding white space, against the submission value, the
    decode and the term's synonyms. Missing values stay missing. Every distinct raw value that
    matches no term yields one error Issue listing the rows it occurs in (``rows`` gives the
    1-based source rows; without it the Issue names no row rather than a frame position).
    """
    lookup = codelist_lookup(codelist)
    codes, distinct = text_codes(values)
    # each distinct text is looked up once: missing or blank stays missing (NA), an unmapped one is NaN
    present = [bool(text.strip()) for text in distinct]
    terms = [lookup.get(_normalise(text), np.nan) if kept else pd.NA
             for text, kept in zip(distinct, present, strict=True)]
    result = pd.Series(np.array([*terms, pd.NA], dtype=object)[codes], index=values.index, dtype=object, copy=False)
    issues: list[Issue] = []
    unmapped = np.array([kept and pd.isna(term) for term, kept in zip(terms, present, strict=True)] + [False],
                        dtype=bool)[codes]
    if unmapped.any():
        source_rows = (rows if rows is not None else pd.Series(None, index=values.index))[unmapped]
        raw_unmapped = values[unmapped]
        for raw_value in sorted(raw_unmapped.astype(str).unique()):
            where = source_rows[raw_unmapped.astype(str) == raw_value].dropna().astype(int).tolist()
            issues.append(
                Issue(
                    rule="sdtm.ct-unmapped",
                    message=f"raw value {raw_value!r} maps to no term of codelist {codelist.oid} "
                    f"({codelist.name})" + (f"; rows {where[:20]}" if where else ""),
                    file=file,
                    dataset=dataset,
                    row=where[0] if where else None,
                    column=variable,
                    value=raw_value,
                    expected=f"one of {list(codelist.values)[:30]} or a declared synonym",
                )
            )
    return result, issues
