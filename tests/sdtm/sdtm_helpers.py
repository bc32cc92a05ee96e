"""Helpers the SDTM tests share: the sample CSVs as exported, subject records, edited raw forms."""

from __future__ import annotations

import csv
import hashlib
import pickle
from collections.abc import Callable
from typing import Any

import pandas as pd

from aclf_cdisc.sample import edc_dir

STUDYID = "ACLF-MSC-302"


def raw_csv(form: str) -> list[dict[str, str]]:
    """Every row of a sample CSV, exactly as exported."""
    with (edc_dir() / f"{form}.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def raw_rows(form: str, subjid: str) -> list[dict[str, str]]:
    """The subject's rows of a sample CSV, exactly as exported."""
    return [row for row in raw_csv(form) if row["SUBJID"].strip() == subjid]


def usubjid(subjid: str) -> str:
    """The USUBJID of a sample subject (the EDC SUBJID already starts with the site)."""
    return f"{STUDYID}-{subjid}"


def rows_of(frame: pd.DataFrame, subjid: str) -> list[dict]:
    """The subject's records of a built dataset, missing values as None."""
    part = frame[frame["USUBJID"] == usubjid(subjid)]
    return [{k: (None if pd.isna(v) else v) for k, v in r.items()} for r in part.to_dict("records")]


def with_form(raw: Any, form: str, edit: Callable[[pd.DataFrame], pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The raw forms with ``form`` replaced by ``edit`` of a copy of it (the export itself is left alone)."""
    forms = dict(raw.forms)
    forms[form] = edit(forms[form].copy())
    return forms


def without_irt(raw: Any) -> dict[str, pd.DataFrame]:
    """The raw forms of a blinded export: no IRT files."""
    return {k: v for k, v in raw.forms.items() if not k.startswith("irt_")}


def fingerprint(value: Any) -> str:
    """A digest of a value's full content, to prove a shared fixture was not changed in place."""
    return hashlib.sha256(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()
