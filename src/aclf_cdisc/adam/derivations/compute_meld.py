"""compute_meld: the UNOS MELD score from creatinine, bilirubin and INR (study.md "MELD")."""

from __future__ import annotations

from typing import Any

import numpy as np

from aclf_cdisc.spec.conventions import MeldConvention

from ._common import round_half_up, shape_like


def compute_meld(cr_mgdl: Any, tbil_mgdl: Any, inr: Any, dialysis_twice_past_week: Any = False, *,
                 meld: MeldConvention) -> Any:
    """MELD (UNOS) = multiplier x (c1 ln Cr + c2 ln TBIL + c3 ln INR + constant), an integer, bounded.

    The coefficients, lab floor, creatinine cap and bounds are ``meld`` (``conventions.meld`` in
    specs/study.yaml, read with :func:`aclf_cdisc.spec.conventions.meld_convention`); the study's
    values are 10 x (0.957 ln Cr + 0.378 ln TBIL + 1.120 ln INR + 0.643), floor 1.0, cap 4.0,
    bounds 6..40, and the description below quotes them.

    Permitted values: creatinine and total bilirubin in mg/dL (convert umol/L first with
    compute_unit_conversions), INR unitless; scalars, arrays or Series of equal length.
    ``dialysis_twice_past_week``: bool, scalar or per value (dialysis at least twice, or CVVHD
    for 24 hours, in the week before the lab date).

    Details, in order (study.md "Analysis conventions", MELD (UNOS)):
      1. Dialysis twice in the past week (and ``meld.dialysis_sets_creat_to_cap``): creatinine is
         set to the cap, 4.0 mg/dL (even if missing).
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

        >>> from aclf_cdisc.spec import load_conventions
        >>> from aclf_cdisc.spec.conventions import meld_convention
        >>> meld = meld_convention(load_conventions())
        >>> compute_meld(1.2, 8.5, 2.1, meld=meld)  # 10 x (0.957*0.1823 + 0.378*2.1401 + 1.120*0.7419 + 0.643)
        25.0

    (= 24.574, rounded to 25.)
    """
    cr = np.asarray(cr_mgdl, dtype=float)
    tbil = np.asarray(tbil_mgdl, dtype=float)
    inr_ = np.asarray(inr, dtype=float)
    dialysis = np.asarray(dialysis_twice_past_week, dtype=bool)
    cr, tbil, inr_, dialysis = np.broadcast_arrays(cr, tbil, inr_, dialysis)

    if meld.dialysis_sets_creat_to_cap:
        cr = np.where(dialysis, meld.creat_cap, cr)
    cr = np.minimum(np.maximum(cr, meld.lab_floor), meld.creat_cap)
    tbil = np.maximum(tbil, meld.lab_floor)
    inr_ = np.maximum(inr_, meld.lab_floor)
    with np.errstate(invalid="ignore"):
        raw = meld.multiplier * (meld.creat * np.log(cr) + meld.bili * np.log(tbil) + meld.inr * np.log(inr_)
                                 + meld.constant)
        score = np.clip(round_half_up(raw), meld.low, meld.high)
    return shape_like(score, cr_mgdl, tbil_mgdl, inr, dialysis_twice_past_week)
