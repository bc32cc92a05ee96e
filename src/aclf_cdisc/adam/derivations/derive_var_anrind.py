"""derive_var_anrind: analysis reference range indicator (LOW / NORMAL / HIGH)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._common import assert_columns, assert_frame, assert_new_vars


def derive_var_anrind(
    dataset: pd.DataFrame,
    *,
    new_var: str = "ANRIND",
    source_var: str = "AVAL",
    low_var: str = "ANRLO",
    high_var: str = "ANRHI",
    dataset_name: str = "dataset",
) -> pd.DataFrame:
    """Add ANRIND comparing AVAL with the analysis reference range.

    Permitted values: ANRIND is "LOW", "NORMAL", "HIGH" or missing (CDISC CT NRIND subset).

    Details (first match decides):
      1. AVAL missing, or both ANRLO and ANRHI missing: missing.
      2. AVAL < ANRLO: "LOW".
      3. AVAL > ANRHI: "HIGH".
      4. Otherwise "NORMAL": the limits themselves are normal (ANRLO <= AVAL <= ANRHI), and a
         one-sided range is checked on its known side only.

    Returns: a copy of ``dataset`` with ``new_var`` added.

    Example::

        >>> derive_var_anrind(pd.DataFrame({"AVAL": [3.4, 4.0, 21.0], "ANRLO": [3.5] * 3,
        ...                                 "ANRHI": [20.5] * 3}))["ANRIND"].tolist()
        ['LOW', 'NORMAL', 'HIGH']
    """
    assert_frame(dataset, "dataset")
    assert_columns(dataset, [source_var, low_var, high_var], dataset_name=dataset_name,
                   argument="source_var/low_var/high_var")
    assert_new_vars(dataset, [new_var], dataset_name=dataset_name)
    aval = pd.to_numeric(dataset[source_var]).to_numpy(dtype=float)
    lo = pd.to_numeric(dataset[low_var]).to_numpy(dtype=float)
    hi = pd.to_numeric(dataset[high_var]).to_numpy(dtype=float)
    missing = np.isnan(aval) | (np.isnan(lo) & np.isnan(hi))
    result = np.full(len(dataset), "NORMAL", dtype=object)
    with np.errstate(invalid="ignore"):
        result[aval > hi] = "HIGH"
        result[aval < lo] = "LOW"
    result[missing] = None
    out = dataset.copy(deep=False)
    out[new_var] = pd.Series(result, index=dataset.index, dtype=object)
    return out
