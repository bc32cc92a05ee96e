"""--SEQ: a sequence number unique per subject within a domain."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd


def derive_var_seq(
    dataset: pd.DataFrame,
    seq_var: str,
    order: Sequence[str],
    by_vars: Sequence[str] = ("STUDYID", "USUBJID"),
) -> pd.DataFrame:
    """Number records 1..n within ``by_vars`` after a stable sort on ``order``.

    The result does not depend on the input row order as long as ``order`` identifies records
    uniquely; ties keep input order (stable sort). Returns a new frame sorted the same way.
    """
    if seq_var in dataset.columns:
        raise ValueError(f"{seq_var} already exists; derive_var_seq does not overwrite")
    keys = [*by_vars, *[c for c in order if c not in by_vars]]
    out = dataset.sort_values(keys, kind="mergesort", na_position="last").reset_index(drop=True)
    out[seq_var] = (out.groupby(list(by_vars), sort=False).cumcount() + 1).astype("float64")
    return out
