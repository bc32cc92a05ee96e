"""derive_var_extreme_flag: flag the first or last record per by group (AOCCFL, AOCCSFL, AOCCPFL ...)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ._common import (
    RowFilter,
    as_tuple,
    assert_columns,
    assert_frame,
    assert_new_vars,
    filter_mask,
    flag_records,
    key_columns,
    pick_extreme,
)


def derive_var_extreme_flag(
    dataset: pd.DataFrame,
    by_vars: Sequence[str],
    order: Sequence[str],
    new_var: str,
    *,
    mode: str = "first",
    filter: RowFilter = None,
    dataset_name: str = "ADAE",
) -> pd.DataFrame:
    """Flag ("Y") the first or last record of each by group among the records passing ``filter``.

    Permitted values: ``mode`` "first" or "last"; ``order`` columns sort ascending, missing last.
    OCCDS first-occurrence flags for this study (ADaM OCCDS v1.1), all with
    ``filter="TRTEMFL == 'Y'"`` and ``order=("ASTDT", "AESEQ")``:
      AOCCFL: by_vars ("STUDYID", "USUBJID"), first TEAE of the subject;
      AOCCSFL: by_vars ("STUDYID", "USUBJID", "AEBODSYS"), first TEAE per system organ class;
      AOCCPFL: by_vars ("STUDYID", "USUBJID", "AEBODSYS", "AEDECOD"), first TEAE per preferred term.

    Details (first match decides):
      1. Records failing ``filter``: missing.
      2. Per by group, the first (or last) record by ``order`` is "Y", others missing. A missing
         order value sorts last, so a TEAE of unknown start is first only if no other is known.
      3. Two records equal on every ``order`` column where the flag must fall: DerivationError
         (rule adam.extreme-ambiguous); add a --SEQ to ``order``.

    Returns: a copy of ``dataset`` with ``new_var`` added.

    Example::

        >>> adae = pd.DataFrame({"STUDYID": "S", "USUBJID": "01", "AESEQ": [1, 2, 3],
        ...                      "TRTEMFL": ["Y", "Y", None],
        ...                      "ASTDT": pd.to_datetime(["2023-10-12", "2023-10-11", "2023-10-01"])})
        >>> derive_var_extreme_flag(adae, ("STUDYID", "USUBJID"), ("ASTDT", "AESEQ"), "AOCCFL",
        ...                         filter="TRTEMFL == 'Y'")["AOCCFL"].tolist()
        [None, 'Y', None]
    """
    assert_frame(dataset, "dataset")
    by_vars = as_tuple(by_vars, "by_vars")
    order = as_tuple(order, "order")
    if mode not in ("first", "last"):
        raise ValueError("`mode` must be 'first' or 'last'")
    if not order:
        raise ValueError("`order` must name at least one column")
    assert_columns(dataset, [*by_vars, *order], dataset_name=dataset_name, argument="by_vars/order")
    assert_new_vars(dataset, [new_var], dataset_name=dataset_name)
    candidates = key_columns(dataset, by_vars, order).loc[filter_mask(dataset, filter)]
    chosen = pick_extreme(candidates, by_vars, order, mode, dataset_name=dataset_name,
                          rule="adam.extreme-ambiguous", what=f"{mode} record for {new_var}")
    out = dataset.copy(deep=False)
    out[new_var] = flag_records(dataset.index, chosen)
    return out
