"""derive_var_trtemfl: the treatment-emergent flag of an adverse event record (study.md "TEAE")."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from aclf_cdisc.errors import DerivationError, Issue

from ._common import as_date, as_tuple, assert_columns, assert_frame, assert_new_vars, flag, record_key


def derive_var_trtemfl(
    dataset: pd.DataFrame,
    *,
    new_var: str = "TRTEMFL",
    start_date: str = "ASTDT",
    end_date: str = "AENDT",
    trt_start_date: str = "TRTSDT",
    trt_end_date: str = "TRTEDT",
    end_window: int | None,
    group_var: str | None = "AEGRPID",
    intensity: str = "ASEV",
    intensity_order: Sequence[str],
    subject_keys: Sequence[str] = ("STUDYID", "USUBJID"),
    dataset_name: str = "ADAE",
) -> pd.DataFrame:
    """Flag treatment-emergent AEs: "Y" or missing.

    Permitted values: dates are ADaM dates (ASTDT imputed beforehand with derive_vars_dt and
    min_dates=TRTSDT, so a partial start in the month of first infusion is never imputed before
    it); ``end_window`` days after TRTEDT (required: the study's ``teae_window_days`` convention,
    no default here; None for no upper bound);
    ``group_var`` links the records of one AE episode whose severity changed (None: no
    worsening check); ``intensity_order`` lists intensities from least to most severe (required:
    the terms of the study's severity codelist, in order; no default here).

    Details (first match decides; study.md "Analysis conventions", TEAE: onset on or after the
    first infusion and no later than ``end_window`` days after the last, or a pre-existing AE that worsened
    in severity after the first infusion; unknown start handled conservatively):
      1. TRTSDT missing (never treated): not emergent.
      2. Start date missing: not emergent if the end date is known and before TRTSDT (it ended
         before treatment); otherwise "Y" (conservative).
      3. Start before TRTSDT: not emergent (pre-existing; a worsening is its own, later record).
      4. Start after TRTEDT + end_window (TRTEDT missing: no upper bound, treatment ongoing):
         not emergent.
      5. The record's group (subject + group_var) also has a record starting before TRTSDT
         (a pre-existing AE): "Y" only if its intensity is above the highest intensity among the
         group's pre-treatment records (a worsening: the later, worse record is emergent, as in
         admiral); a record of equal or lower intensity continues the pre-existing AE. An
         intensity outside ``intensity_order`` or missing here: DerivationError
         (rule adam.intensity-unknown), as the comparison would be a guess.
      6. Otherwise (start on or after TRTSDT, within the window): "Y".

    Returns: a copy of ``dataset`` with ``new_var`` added.

    Example::

        >>> adae = pd.DataFrame({"STUDYID": "S", "USUBJID": "01", "AEGRPID": None, "ASEV": "MILD",
        ...                      "ASTDT": pd.to_datetime(["2023-10-09", "2023-10-15", "2023-11-22"]),
        ...                      "AENDT": pd.to_datetime([None, None, None]),
        ...                      "TRTSDT": pd.to_datetime("2023-10-10"), "TRTEDT": pd.to_datetime("2023-10-24")})
        >>> order = ("MILD", "MODERATE", "SEVERE")
        >>> # before; within; 29 days after the end
        >>> derive_var_trtemfl(adae, end_window=28, intensity_order=order)["TRTEMFL"].tolist()
        [None, 'Y', None]
    """
    assert_frame(dataset, "dataset")
    keys = as_tuple(subject_keys, "subject_keys")
    order = tuple(intensity_order)
    if end_window is not None and (not isinstance(end_window, int) or end_window < 0):
        raise ValueError("`end_window` must be a non-negative number of days or None")
    cols = [*keys, start_date, end_date, trt_start_date, trt_end_date]
    if group_var is not None:
        cols += [group_var, intensity]
    assert_columns(dataset, cols, dataset_name=dataset_name, argument="date/group/intensity arguments")
    assert_new_vars(dataset, [new_var], dataset_name=dataset_name)

    ast, aen = as_date(dataset[start_date]).to_numpy(), as_date(dataset[end_date]).to_numpy()
    tsd, ted = as_date(dataset[trt_start_date]).to_numpy(), as_date(dataset[trt_end_date]).to_numpy()
    if end_window is None:
        upper = np.full(len(dataset), np.datetime64("NaT"), dtype="datetime64[ns]")
    else:
        upper = ted + np.timedelta64(end_window, "D")

    n = len(dataset)
    te = np.zeros(n, dtype=bool)
    decided = np.zeros(n, dtype=bool)

    def decide(cond: np.ndarray, value: bool) -> None:
        take = cond & ~decided
        te[take] = value
        decided[take] = True

    no_trt = pd.isna(tsd)
    decide(no_trt, False)                                                    # 1
    no_start = pd.isna(ast)
    decide(no_start & ~pd.isna(aen) & (aen < tsd), False)                    # 2
    decide(no_start, True)
    decide(ast < tsd, False)                                                 # 3
    decide(~pd.isna(upper) & (ast > upper), False)                           # 4

    if group_var is not None:                                                # 5
        rank_map = {v: i for i, v in enumerate(order)}
        grp = dataset[group_var].notna().to_numpy()
        pre = grp & ~pd.isna(ast) & ~no_trt & (ast < tsd)
        work = dataset[[*keys, group_var]].copy()
        work["__rank"] = dataset[intensity].map(rank_map).to_numpy(dtype=float)
        work["__pre"] = np.where(pre, work["__rank"].to_numpy(), np.nan)
        work["__haspre"] = pre
        gkeys = [*keys, group_var]
        grouped = work.groupby(gkeys, dropna=False, sort=False)
        pre_max_col = grouped["__pre"].transform("max").to_numpy(dtype=float)
        has_pre = grouped["__haspre"].transform("any").to_numpy(dtype=bool) & grp
        worsening_case = ~decided & has_pre
        work["__case"] = worsening_case
        in_case_group = grouped["__case"].transform("any").to_numpy(dtype=bool)
        unknown = in_case_group & (pre | worsening_case) & np.isnan(work["__rank"].to_numpy())
        issues = []
        for pos in np.flatnonzero(unknown):
            row = dataset.iloc[pos]
            issues.append(Issue(rule="adam.intensity-unknown", dataset=dataset_name,
                                row=record_key(row, gkeys), column=intensity,
                                value=None if pd.isna(row[intensity]) else row[intensity],
                                message="cannot tell whether a pre-existing AE worsened",
                                expected=f"one of {list(order)}"))
        if issues:
            raise DerivationError(issues)
        ranks = work["__rank"].to_numpy()
        te[worsening_case] = ranks[worsening_case] > pre_max_col[worsening_case]
        decided[worsening_case] = True

    decide(np.ones(n, dtype=bool), True)                                     # 6
    out = dataset.copy(deep=False)
    out[new_var] = flag(te, dataset.index)
    return out
