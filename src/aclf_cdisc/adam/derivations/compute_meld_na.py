"""compute_meld_na: MELD-Na (OPTN 2016) from MELD and serum sodium (study.md "MELD-Na")."""

from __future__ import annotations

from typing import Any

import numpy as np

from aclf_cdisc.spec.conventions import MeldNaConvention

from ._common import round_half_up, shape_like


def compute_meld_na(meld: Any, sodium: Any, *, meld_na: MeldNaConvention) -> Any:
    """MELD-Na = MELD + 1.32 (137 - Na) - 0.033 MELD (137 - Na) when MELD > 11, else MELD.

    The threshold, both coefficients, the sodium bounds (137 is the upper bound) and the cap are
    ``meld_na`` (``conventions.meld_na`` in specs/study.yaml, read with
    :func:`aclf_cdisc.spec.conventions.meld_na_convention`); the study's values are quoted here.

    Permitted values: ``meld`` is the integer MELD from compute_meld (OPTN applies the sodium
    term to the rounded initial MELD); ``sodium`` in mmol/L. Scalars, arrays or Series.

    Details, in order (study.md "Analysis conventions", MELD-Na (OPTN 2016)):
      1. MELD missing: missing.
      2. MELD <= 11: MELD-Na = MELD (sodium is not used and may be missing).
      3. Sodium missing: missing.
      4. Sodium bounded to 125..137 mmol/L.
      5. MELD + 1.32 (137 - Na) - 0.033 MELD (137 - Na), rounded to an integer half up (not
         banker's rounding).
      6. Capped at 40. (No floor is needed: for MELD <= 40 the sodium term is >= 0.)

    Returns: float MELD-Na values (integers, NaN when missing), shaped like the input (see
    compute_meld).

    Example::

        >>> from aclf_cdisc.spec import load_conventions
        >>> from aclf_cdisc.spec.conventions import meld_na_convention
        >>> meld_na = meld_na_convention(load_conventions())
        >>> compute_meld_na(25, 130, meld_na=meld_na)  # 25 + 1.32*7 - 0.033*25*7 = 28.465
        28.0
    """
    meld_ = np.asarray(meld, dtype=float)
    na = np.asarray(sodium, dtype=float)
    meld_, na = np.broadcast_arrays(meld_, na)
    na = np.clip(na, meld_na.sodium_low, meld_na.sodium_high)
    delta = meld_na.sodium_high - na
    with np.errstate(invalid="ignore"):
        adjusted = np.minimum(round_half_up(meld_ + meld_na.sodium * delta - meld_na.meld_sodium * meld_ * delta),
                              meld_na.cap)
        result = np.where(meld_ > meld_na.applies_if_meld_above, adjusted, meld_)
    return shape_like(np.asarray(result, dtype=float), meld, sodium)
