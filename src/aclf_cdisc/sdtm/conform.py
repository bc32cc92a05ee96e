"""Make a built frame exactly what its spec says: variables, order, types, sort order."""

from __future__ import annotations

import pandas as pd

from aclf_cdisc.errors import DerivationError, Issue
from aclf_cdisc.sdtm.lineage import FILE_COL, ROW_COL, make_lineage, with_lineage
from aclf_cdisc.sdtm.text import per_distinct_text
from aclf_cdisc.spec.model import Dataset, Variable


def _as_text(values: pd.Series) -> pd.Series:
    """Object column of str, with None (never pd.NA or NaN) for missing and empty values."""
    return per_distinct_text(values, str.rstrip, None)


def _conformed(column: pd.Series, variable: Variable) -> pd.Series:
    """``column`` as ``variable``'s type: float64 for numeric variables, text (:func:`_as_text`) for
    character ones; in-memory dates (ADaM) stay dates, the transport layer writes SAS dates."""
    if pd.api.types.is_datetime64_any_dtype(column):
        return column
    if variable.is_numeric:
        return pd.to_numeric(column, errors="raise").astype("float64")
    return _as_text(column)


def conform_to_spec(frame: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """Select and order the spec's variables, cast them, and sort by the spec's sort order.

    Character variables become object columns with None for missing (no NaN, no trailing
    spaces); numeric ones float64 (SAS numerics). A spec variable missing from the frame is a
    DerivationError (a bug in the domain module or an incomplete spec), never a silent blank.

    When ``frame`` carries the raw ``__file``/``__row`` of its records, they follow the sort into
    the result's ``attrs`` (:mod:`aclf_cdisc.sdtm.lineage`), never into its columns.
    """
    missing = [v.name for v in dataset.variables if v.name not in frame.columns]
    if missing:
        raise DerivationError(
            [
                Issue(
                    rule="sdtm.variable-not-derived",
                    message=f"spec variable {name} was not produced by the {dataset.name} builder",
                    dataset=dataset.name,
                    column=name,
                )
                for name in missing
            ]
        )
    columns = {variable.name: _conformed(frame[variable.name], variable) for variable in dataset.variables}
    carries = FILE_COL in frame.columns and ROW_COL in frame.columns
    if carries:  # the raw record of each row follows the sort, then leaves the columns for attrs
        columns[FILE_COL], columns[ROW_COL] = frame[FILE_COL], frame[ROW_COL]
    out = pd.DataFrame(columns, index=frame.index)
    sort_keys = [k for k in dataset.sort_order if k in out.columns]
    if sort_keys:
        out = out.sort_values(sort_keys, kind="mergesort", na_position="first")
    out = out.reset_index(drop=True)
    if not carries:
        return out
    guard = [*dataset.keys, *(v.name for v in dataset.variables if v.name.endswith("SEQ"))]
    lineage = make_lineage(out, [k for k in dict.fromkeys(guard) if k in out.columns])
    return with_lineage(out.drop(columns=[FILE_COL, ROW_COL]), lineage)
