"""compute_meld: the UNOS MELD score from creatinine, bilirubin and INR (study.md "MELD")."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._common import round_half_up, shape_like

MELD_MIN, MELD_MAX = 6.0, 40.0
LAB_FLOOR = 1.0
CREAT_CAP = 4.0


def compute_meld(cr_mgdl: Any, tbil_mgdl: Any, inr: Any, dialysis_twice_past_week: Any = False) -> Any:
    """MELD (UNOS) = 10 x (0.957 ln Cr + 0.378 ln TBIL + 1.120 ln INR + 0.643), an integer 6..40.

    Permitted values: creatinine and total bilirubin in mg/dL (convert umol/L first with
    compute_unit_conversions), INR unitless; scalars, arrays or Series of equal length.
    ``dialysis_twice_past_week``: bool, scalar or per value (dialysis at least twice, or CVVHD
    for 24 hours, in the week before the lab date).

    Details, in order (study.md "Analysis conventions", MELD (UNOS)):
      1. Dialysis twice in the past week: creatinine is set to 4.0 mg/dL (even if missing).
      2. Any of creatinine, bilirubin, INR still missing: MELD missing.
      3. Each of the three values below 1.0 is set to 1.0 (so no logarithm is negative).
      4. Creatinine above 4.0 mg/dL is capped at 4.0.
      5. MELD = 10 x (0.957 ln Cr + 0.378 ln TBIL + 1.120 ln INR + 0.643), rounded to an
         integer half up (x.5 goes up; not banker's rounding). This equals the UNOS practice of
         rounding the bracket to the tenth and multiplying by 10.
      6. Bounded to 6..40 (the minimum, all values 1.0, gives 6.43 -> 6 anyway).

    Returns: float MELD values (integers, NaN when missing): a float for scalar input, a Series
    (index of the first Series argument) when any argument is a Series, else a numpy array.

    Example::

        >>> compute_meld(1.2, 8.5, 2.1)   # 10 x (0.957*0.1823 + 0.378*2.1401 + 1.120*0.7419 + 0.643)
        25.0                               # = 24.574 -> 25
    """
    cr = np.asarray(cr_mgdl, dtype=float)
    tbil = np.asarray(tbil_mgdl, dtype=float)
    inr_ = np.asarray(inr, dtype=float)
    dialysis = np.asarray(dialysis_twice_past_week, dtype=bool)
    cr, tbil, inr_, dialysis = np.broadcast_arrays(cr, tbil, inr_, dialysis)

    cr = np.where(dialysis, CREAT_CAP, cr)
    cr = np.minimum(np.maximum(cr, LAB_FLOOR), CREAT_CAP)
    tbil = np.maximum(tbil, LAB_FLOOR)
    inr_ = np.maximum(inr_, LAB_FLOOR)
    with np.errstate(invalid="ignore"):
        raw = 10.0 * (0.957 * np.log(cr) + 0.378 * np.log(tbil) + 1.120 * np.log(inr_) + 0.643)
        meld = np.clip(round_half_up(raw), MELD_MIN, MELD_MAX)
    return shape_like(meld, cr_mgdl, tbil_mgdl, inr, dialysis_twice_past_week)
