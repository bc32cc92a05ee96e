"""compute_meld_na: MELD-Na (OPTN 2016) from MELD and serum sodium (study.md "MELD-Na")."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._common import round_half_up, shape_like

NA_LOW, NA_HIGH = 125.0, 137.0
MELD_NA_MAX = 40.0
MELD_NA_THRESHOLD = 11.0


def compute_meld_na(meld: Any, sodium: Any) -> Any:
    """MELD-Na = MELD + 1.32 (137 - Na) - 0.033 MELD (137 - Na) when MELD > 11, else MELD.

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

        >>> compute_meld_na(25, 130)   # 25 + 1.32*7 - 0.033*25*7 = 25 + 9.24 - 5.775 = 28.465
        28.0
    """
    meld_ = np.asarray(meld, dtype=float)
    na = np.asarray(sodium, dtype=float)
    meld_, na = np.broadcast_arrays(meld_, na)
    na = np.clip(na, NA_LOW, NA_HIGH)
    delta = NA_HIGH - na
    with np.errstate(invalid="ignore"):
        adjusted = np.minimum(round_half_up(meld_ + 1.32 * delta - 0.033 * meld_ * delta), MELD_NA_MAX)
        result = np.where(meld_ > MELD_NA_THRESHOLD, adjusted, meld_)
    return shape_like(np.asarray(result, dtype=float), meld, sodium)
