"""derive_vars_dy: analysis study days (ADY, ASTDY, AENDY ...) relative to a reference date."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ._common import as_date, as_tuple, assert_columns, assert_frame, assert_new_vars


def _dy_name(source: str) -> str:
    if not source.endswith("DT"):
        raise ValueError(f"cannot name the study day of {source}: pass source_vars as {{new: source}}")
    return source[:-2] + "DY"


def derive_vars_dy(
    dataset: pd.DataFrame,
    reference_date: str = "TRTSDT",
    source_vars: Sequence[str] | Mapping[str, str] = ("ADT",),
    *,
    dataset_name: str = "dataset",
) -> pd.DataFrame:
    """Add a study day for each date in ``source_vars``.

    Permitted values:
      reference_date: a date column, TRTSDT by default (day 1 is the first infusion, study.md
        "Visits").
      source_vars: date columns whose names end in DT (ADT -> ADY, ASTDT -> ASTDY, AENDT ->
        AENDY), or a mapping {new variable: date column}.

    Details (first match decides):
      1. Date or reference date missing: study day missing.
      2. Date on or after the reference date: date - reference + 1 (the reference date is day 1).
      3. Date before the reference date: date - reference (the day before is day -1; there is
         no day 0, ADaMIG/SDTMIG --DY convention).

    Returns: a copy of ``dataset`` with the study day variables added (nullable Int64).

    Example::

        >>> adlb = pd.DataFrame({"ADT": pd.to_datetime(["2023-10-09", "2023-10-10", "2023-10-17"]),
        ...                      "TRTSDT": pd.to_datetime(["2023-10-10"] * 3)})
        >>> derive_vars_dy(adlb)["ADY"].tolist()
        [-1, 1, 8]
    """
    assert_frame(dataset, "dataset")
    if isinstance(source_vars, Mapping):
        pairs = dict(source_vars)
    else:
        pairs = {_dy_name(s): s for s in as_tuple(source_vars, "source_vars")}
    assert_columns(dataset, [reference_date], dataset_name=dataset_name, argument="reference_date")
    assert_columns(dataset, pairs.values(), dataset_name=dataset_name, argument="source_vars")
    assert_new_vars(dataset, pairs.keys(), dataset_name=dataset_name)

    ref = as_date(dataset[reference_date])
    out = dataset.copy(deep=False)
    for new_var, source in pairs.items():
        diff = (as_date(dataset[source]) - ref).dt.days
        days = np.where(diff >= 0, diff + 1, diff)
        out[new_var] = pd.array(np.where(diff.isna(), np.nan, days), dtype="Int64")
    return out
