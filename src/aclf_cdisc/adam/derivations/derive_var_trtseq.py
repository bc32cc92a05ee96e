"""derive_var_trtseq: TRTSEQP/TRTSEQA, the treatment sequence over the periods of ADSL."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from ._common import assert_columns, assert_frame, assert_new_vars


def derive_var_trtseq(dataset_adsl: pd.DataFrame, period_vars: Sequence[str], new_var: str, *,
                      separator: str = "/") -> pd.DataFrame:
    """Add a treatment-sequence variable: the period treatments joined in period order.

    Permitted values: ``period_vars`` lists TRT01P, TRT02P, ... (or TRTxxA) in period order;
    ``separator`` joins them (the study's convention, specs/adam/adsl.yaml).

    Details (per subject):
      1. Missing period treatments are left out (a subject not re-randomized has the stage-1
         treatment alone, e.g. "hUC-MSC"), so the sequence names the regimen actually planned
         (or received).
      2. No treatment in any period: missing.

    Returns: a copy of ``dataset_adsl`` with ``new_var`` added.

    Example::

        >>> adsl = pd.DataFrame({"TRT01P": ["hUC-MSC", "hUC-MSC", "Placebo", None],
        ...                      "TRT02P": ["Placebo", None, None, None]})
        >>> derive_var_trtseq(adsl, ["TRT01P", "TRT02P"], "TRTSEQP")["TRTSEQP"].tolist()
        ['hUC-MSC/Placebo', 'hUC-MSC', 'Placebo', None]
    """
    assert_frame(dataset_adsl, "dataset_adsl")
    assert_columns(dataset_adsl, period_vars, dataset_name="ADSL", argument="period_vars")
    assert_new_vars(dataset_adsl, [new_var], dataset_name="ADSL")
    parts = dataset_adsl[list(period_vars)].astype(object)
    joined = [separator.join(str(v) for v in row if v is not None and not pd.isna(v)) or None
              for row in parts.itertuples(index=False)]
    out = dataset_adsl.copy(deep=False)
    out[new_var] = pd.Series(joined, index=dataset_adsl.index, dtype=object)
    return out
