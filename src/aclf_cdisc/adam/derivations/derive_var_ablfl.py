"""derive_var_ablfl: the baseline record flag of a BDS dataset."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ._common import (
    RowFilter,
    as_date,
    as_tuple,
    assert_columns,
    assert_frame,
    assert_new_vars,
    filter_mask,
    flag_records,
    key_columns,
    pick_extreme,
)


def derive_var_ablfl(
    dataset: pd.DataFrame,
    *,
    by_vars: Sequence[str] = ("STUDYID", "USUBJID", "PARAMCD"),
    reference_date: str = "TRTSDT",
    date: str = "ADT",
    order: Sequence[str] = ("ADT",),
    new_var: str = "ABLFL",
    source_var: str = "AVAL",
    filter: RowFilter = None,
    dataset_name: str = "dataset",
) -> pd.DataFrame:
    """Flag the baseline record: the last non-missing value on or before the reference date.

    Permitted values: ABLFL is "Y" or missing. ``order`` lists the columns that sort candidates
    (ascending; the last one is baseline); put a tie-break such as "LBSEQ" after "ADT" when
    a subject may have two results of a parameter on one day.

    Details (first match decides, per record):
      1. Record fails ``filter``, has a missing ``source_var``, a missing ``date`` or a missing
         reference date (untreated subject): not a candidate.
      2. ``date`` after the reference date: not a candidate. A result on the day of first
         infusion (study day 1) is a candidate: such labs are drawn before the infusion.
      3. Among the candidates of a by group the last by ``order`` is flagged "Y".
      4. Ties: two candidates equal on every ``order`` column raise DerivationError (rule
         adam.baseline-ambiguous) naming the by group; the program never picks between duplicate
         results silently.

    Returns: a copy of ``dataset`` with ``new_var`` added.

    Example::

        >>> adlb = pd.DataFrame({"STUDYID": "S", "USUBJID": "01", "PARAMCD": "TBIL", "AVAL": [9.1, 8.7, 7.5],
        ...                      "ADT": pd.to_datetime(["2023-10-05", "2023-10-10", "2023-10-17"]),
        ...                      "TRTSDT": pd.to_datetime("2023-10-10")})
        >>> derive_var_ablfl(adlb)["ABLFL"].tolist()  # the latest result with ADT <= TRTSDT
        [None, 'Y', None]
    """
    assert_frame(dataset, "dataset")
    by_vars = as_tuple(by_vars, "by_vars")
    order = as_tuple(order, "order")
    assert_columns(dataset, [*by_vars, reference_date, date, *order, source_var],
                   dataset_name=dataset_name, argument="by_vars/reference_date/date/order/source_var")
    assert_new_vars(dataset, [new_var], dataset_name=dataset_name)

    adt = as_date(dataset[date])
    ref = as_date(dataset[reference_date])
    candidate = (
        filter_mask(dataset, filter)
        & dataset[source_var].notna().to_numpy()
        & adt.notna().to_numpy()
        & ref.notna().to_numpy()
        & (adt <= ref).fillna(False).to_numpy()
    )
    chosen = pick_extreme(key_columns(dataset, by_vars, order).loc[candidate], by_vars, order, "last",
                          dataset_name=dataset_name, rule="adam.baseline-ambiguous", what="baseline")
    out = dataset.copy(deep=False)
    out[new_var] = flag_records(dataset.index, chosen)
    return out
