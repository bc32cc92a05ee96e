"""derive_vars_base_chg_pchg: BASE, CHG and PCHG from the baseline-flagged record."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from aclf_cdisc.errors import DerivationError, Issue

from ._common import as_tuple, assert_columns, assert_frame, assert_new_vars, record_key


def derive_vars_base_chg_pchg(
    dataset: pd.DataFrame,
    *,
    by_vars: Sequence[str] = ("STUDYID", "USUBJID", "PARAMCD"),
    source_var: str = "AVAL",
    flag_var: str = "ABLFL",
    new_vars: Sequence[str] = ("BASE", "CHG", "PCHG"),
    dataset_name: str = "dataset",
) -> pd.DataFrame:
    """Add BASE (the flagged baseline value), CHG = AVAL - BASE and PCHG = 100 x CHG / BASE.

    Permitted values: ``flag_var`` holds "Y" on at most one record per by group.

    Details (first match decides):
      1. Two or more "Y" records in a by group: DerivationError (rule adam.baseline-duplicate).
      2. No baseline in the by group: BASE, CHG, PCHG missing on all its records.
      3. BASE is copied to every record of the by group (baseline record included).
      4. CHG = AVAL - BASE where both exist (0 on the baseline record itself, as admiral does).
      5. PCHG = 100 x CHG / BASE; missing when BASE is 0 (percentage change from zero is
         undefined) or either value is missing. No rounding.

    Returns: a copy of ``dataset`` with BASE, CHG, PCHG (names from ``new_vars``) added.

    Example::

        >>> adlb = pd.DataFrame({"STUDYID": "S", "USUBJID": "01", "PARAMCD": "ALB", "AVAL": [20.0, 15.0],
        ...                      "ABLFL": ["Y", None]})
        >>> derive_vars_base_chg_pchg(adlb)[["BASE", "CHG", "PCHG"]].values.tolist()
        [[20.0, 0.0, 0.0], [20.0, -5.0, -25.0]]
    """
    assert_frame(dataset, "dataset")
    by_vars = as_tuple(by_vars, "by_vars")
    new_vars = as_tuple(new_vars, "new_vars")
    if len(new_vars) != 3:
        raise ValueError("`new_vars` must name three variables (BASE, CHG, PCHG)")
    base_var, chg_var, pchg_var = new_vars
    assert_columns(dataset, [*by_vars, source_var, flag_var], dataset_name=dataset_name,
                   argument="by_vars/source_var/flag_var")
    assert_new_vars(dataset, new_vars, dataset_name=dataset_name)

    base_rows = dataset.loc[(dataset[flag_var] == "Y").fillna(False).to_numpy(), [*by_vars, source_var]]
    dup = base_rows.duplicated(list(by_vars), keep=False)
    if dup.any():
        raise DerivationError([
            Issue(rule="adam.baseline-duplicate", dataset=dataset_name, row=record_key(row, by_vars),
                  column=flag_var, value="Y", message="more than one baseline record in a by group",
                  expected="at most one ABLFL = 'Y' per by group")
            for _, row in base_rows[dup].drop_duplicates(list(by_vars)).iterrows()
        ])
    base_col = base_rows.rename(columns={source_var: base_var})
    merged = dataset[list(by_vars)].merge(base_col, on=list(by_vars), how="left")
    base = pd.to_numeric(merged[base_var]).to_numpy(dtype=float)
    aval = pd.to_numeric(dataset[source_var]).to_numpy(dtype=float)
    chg = aval - base
    with np.errstate(divide="ignore", invalid="ignore"):
        pchg = np.where(base == 0, np.nan, 100.0 * chg / base)
    out = dataset.copy(deep=False)
    out[base_var] = base
    out[chg_var] = chg
    out[pchg_var] = pchg
    return out
