"""derive_vars_avisit_windows: AVISIT/AVISITN from study-day windows, and the record analysed per window."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from aclf_cdisc.errors import DerivationError, Issue

from ._common import (
    as_tuple,
    assert_columns,
    assert_frame,
    assert_new_vars,
    flag_records,
    key_columns,
    pick_extreme,
    tmp_name,
)

WINDOW_COLUMNS = ("AVISIT", "AVISITN", "TARGET", "LOW", "HIGH")


def _check_windows(windows: pd.DataFrame) -> pd.DataFrame:
    assert_frame(windows, "windows")
    assert_columns(windows, WINDOW_COLUMNS, dataset_name="windows", argument="windows")
    w = windows[list(WINDOW_COLUMNS)].sort_values("LOW", kind="mergesort").reset_index(drop=True)
    issues = []
    records = w.to_dict("records")
    for i, row in enumerate(records):
        if not row["LOW"] <= row["TARGET"] <= row["HIGH"] or 0 in (row["LOW"], row["TARGET"], row["HIGH"]):
            issues.append(Issue(rule="adam.window-invalid", dataset="windows", row=f"AVISIT={row['AVISIT']}",
                                column="TARGET", value=(row["LOW"], row["TARGET"], row["HIGH"]),
                                message="a window needs LOW <= TARGET <= HIGH and no study day 0",
                                expected="LOW <= TARGET <= HIGH, all non-zero"))
        if i > 0 and row["LOW"] <= records[i - 1]["HIGH"]:
            issues.append(Issue(rule="adam.window-overlap", dataset="windows", row=f"AVISIT={row['AVISIT']}",
                                column="LOW", value=row["LOW"],
                                message=f"window overlaps {records[i - 1]['AVISIT']}",
                                expected=f"LOW > {records[i - 1]['HIGH']}"))
    if issues:
        raise DerivationError(issues)
    return w


def _descending_rank(values: pd.Series) -> np.ndarray:
    """Numbers that sort ``values`` in descending order, equal for equal values, NaN for missing
    ones (a dense rank from the sorted distinct values: text is compared once per distinct value).

    >>> _descending_rank(pd.Series(["b", None, "a", "b"])).tolist()
    [-1.0, nan, 0.0, -1.0]
    """
    codes, _ = pd.factorize(values, sort=True)
    return np.where(codes < 0, np.nan, -codes)


def derive_vars_avisit_windows(
    dataset: pd.DataFrame,
    windows: pd.DataFrame,
    *,
    by_vars: Sequence[str] = ("STUDYID", "USUBJID", "PARAMCD"),
    day_var: str = "ADY",
    source_var: str = "AVAL",
    tie_order: Sequence[str] = (),
    new_vars: Sequence[str] = ("AVISIT", "AVISITN"),
    flag_var: str = "ANL01FL",
    dataset_name: str = "dataset",
) -> pd.DataFrame:
    """Assign analysis visits by study-day windows and flag the one record analysed per window.

    Permitted values: ``windows`` has one row per visit with columns AVISIT, AVISITN, TARGET,
    LOW, HIGH (study days, LOW and HIGH inclusive, no day 0); windows must not overlap. For this
    study (study.md "Visits"), e.g. Week 1 target 8, window 5..11.

    Details (first match decides, per record):
      1. Study day missing or in no window: AVISIT, AVISITN and ANL01FL missing.
      2. Otherwise AVISIT/AVISITN of the window containing the day (unscheduled visits too:
         windows go by date, not by the CRF visit label).
      3. ANL01FL = "Y" on one record per by group and window among records with a non-missing
         ``source_var``: the one closest to TARGET (smallest |day - TARGET|).
      4. Equal distance on both sides of the target (e.g. days 7 and 9 for target 8): the later
         record wins, being nearer the end of the dosing interval the visit is meant to capture.
      5. Same study day: the last by ``tie_order`` (e.g. ("LBSEQ",)); records still tied raise
         DerivationError (rule adam.window-ambiguous).

    Returns: a copy of ``dataset`` with AVISIT, AVISITN and ANL01FL added.

    Example::

        >>> windows = pd.DataFrame({"AVISIT": ["WEEK 1"], "AVISITN": [1], "TARGET": [8],
        ...                         "LOW": [5], "HIGH": [11]})
        >>> adlb = pd.DataFrame({"STUDYID": "S", "USUBJID": "01", "PARAMCD": "INR", "ADY": [7, 9],
        ...                      "AVAL": [2.0, 1.8]})
        >>> derive_vars_avisit_windows(adlb, windows)[["ADY", "AVISIT", "ANL01FL"]].values.tolist()
        [[7, 'WEEK 1', None], [9, 'WEEK 1', 'Y']]
    """
    assert_frame(dataset, "dataset")
    by_vars = as_tuple(by_vars, "by_vars")
    tie_order = as_tuple(tie_order, "tie_order")
    new_vars = as_tuple(new_vars, "new_vars")
    if len(new_vars) != 2:
        raise ValueError("`new_vars` must name two variables (AVISIT, AVISITN)")
    avisit_var, avisitn_var = new_vars
    w = _check_windows(windows)
    assert_columns(dataset, [*by_vars, day_var, source_var, *tie_order], dataset_name=dataset_name,
                   argument="by_vars/day_var/source_var/tie_order")
    assert_new_vars(dataset, [avisit_var, avisitn_var, flag_var], dataset_name=dataset_name)

    day = pd.to_numeric(dataset[day_var]).to_numpy(dtype=float)
    which = np.full(len(dataset), -1)
    for i, row in w.iterrows():
        which[(day >= row["LOW"]) & (day <= row["HIGH"])] = i
    inside = which >= 0
    out = dataset.copy(deep=False)
    out[avisit_var] = pd.Series(np.where(inside, w["AVISIT"].to_numpy(dtype=object)[which], None),
                                index=dataset.index, dtype=object)
    out[avisitn_var] = np.where(inside, w["AVISITN"].to_numpy(dtype=float)[which], np.nan)

    dist_col, neg_day_col, win_col = tmp_name(out, "dist"), tmp_name(out, "negday"), tmp_name(out, "win")
    work = key_columns(out, by_vars, tie_order).assign(**{
        win_col: which, dist_col: np.abs(day - w["TARGET"].to_numpy(dtype=float)[which]), neg_day_col: -day})
    candidates = work[inside & dataset[source_var].notna().to_numpy()]
    # first by (distance, -day) = closest, later day on equal distance; then the last by tie_order
    order = [dist_col, neg_day_col, *[tmp_name(work, f"t{n}") for n in range(len(tie_order))]]
    for name, col in zip(order[2:], tie_order, strict=True):
        candidates = candidates.assign(**{name: _descending_rank(candidates[col])})
    chosen = pick_extreme(candidates, [*by_vars, win_col], order, "first", dataset_name=dataset_name,
                          rule="adam.window-ambiguous", what="analysed record of the window")
    out[flag_var] = flag_records(dataset.index, chosen)
    return out
