"""derive_var_max_severity_flag: flag the first occurrence of the maximum intensity (AOCCIFL ...)."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from aclf_cdisc.errors import DerivationError, Issue

from ._common import (
    RowFilter,
    as_tuple,
    assert_columns,
    assert_frame,
    assert_new_vars,
    filter_mask,
    flag_records,
    pick_extreme,
    record_key,
    tmp_name,
)


def derive_var_max_severity_flag(
    dataset: pd.DataFrame,
    *,
    by_vars: Sequence[str] = ("STUDYID", "USUBJID"),
    new_var: str = "AOCCIFL",
    intensity: str = "ASEV",
    intensity_order: Sequence[str],
    order: Sequence[str] = ("ASTDT", "AESEQ"),
    filter: RowFilter = "TRTEMFL == 'Y'",
    dataset_name: str = "ADAE",
) -> pd.DataFrame:
    """Flag, per by group, the first record (by ``order``) of the highest intensity.

    Names (ADaM OCCDS v1.1 "1st Max Sev./Int. Occurrence Flag"): AOCCIFL with by_vars
    (STUDYID, USUBJID), the subject's worst TEAE; AOCCSIFL adding AEBODSYS; AOCCPIFL adding
    AEBODSYS and AEDECOD. ``intensity_order`` lists the intensities from least to most severe
    (required: the terms of the study's severity codelist, in order; no default here).

    Details (first match decides):
      1. Records failing ``filter`` (TEAEs only by default): missing.
      2. An intensity that is missing or not in ``intensity_order`` among the candidates:
         DerivationError (rule adam.intensity-unknown); impute ASEV upstream if the SAP says so.
      3. Per by group, among records of the highest intensity, the first by ``order`` is "Y"
         (ties on every order column: DerivationError, rule adam.extreme-ambiguous).

    Returns: a copy of ``dataset`` with ``new_var`` added.

    Example::

        >>> adae = pd.DataFrame({"STUDYID": "S", "USUBJID": "01", "AESEQ": [1, 2, 3], "TRTEMFL": "Y",
        ...                      "ASEV": ["MILD", "SEVERE", "SEVERE"],
        ...                      "ASTDT": pd.to_datetime(["2023-10-03", "2023-10-09", "2023-10-20"])})
        >>> order = ("MILD", "MODERATE", "SEVERE")
        >>> derive_var_max_severity_flag(adae, intensity_order=order)["AOCCIFL"].tolist()  # first SEVERE: day 9
        [None, 'Y', None]
    """
    assert_frame(dataset, "dataset")
    by_vars = as_tuple(by_vars, "by_vars")
    order = as_tuple(order, "order")
    assert_columns(dataset, [*by_vars, intensity, *order], dataset_name=dataset_name,
                   argument="by_vars/intensity/order")
    assert_new_vars(dataset, [new_var], dataset_name=dataset_name)
    ranks = {v: i for i, v in enumerate(intensity_order)}
    candidates = dataset.loc[filter_mask(dataset, filter)]
    rank = candidates[intensity].map(ranks).astype(float)
    unknown = candidates[rank.isna().to_numpy()]
    if len(unknown):
        raise DerivationError([
            Issue(rule="adam.intensity-unknown", dataset=dataset_name, row=record_key(row, [*by_vars, *order]),
                  column=intensity, value=None if pd.isna(row[intensity]) else row[intensity],
                  message="intensity needed to find the worst occurrence", expected=f"one of {list(intensity_order)}")
            for _, row in unknown.iterrows()
        ])
    neg = tmp_name(dataset, "negrank")
    candidates = candidates.assign(**{neg: -rank})
    chosen = pick_extreme(candidates, by_vars, [neg, *order], "first", dataset_name=dataset_name,
                          rule="adam.extreme-ambiguous", what=f"record for {new_var}")
    out = dataset.copy(deep=False)
    out[new_var] = flag_records(dataset.index, chosen)
    return out
