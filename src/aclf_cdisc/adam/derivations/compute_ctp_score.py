"""compute_ctp_score: the Child-Turcotte-Pugh score (5..15), the sum of the five component points."""

from __future__ import annotations

from typing import Any

import numpy as np

from aclf_cdisc.spec.conventions import CtpConvention

from ._common import shape_like
from .compute_ctp_points import compute_ctp_points


def compute_ctp_score(tbil_mgdl: Any, alb_gl: Any, inr: Any, ascites: Any, encephalopathy: Any, *,
                      ctp: CtpConvention) -> Any:
    """CTP score = points(TBIL) + points(ALB) + points(INR) + points(ascites) + points(HE).

    Permitted values: as compute_ctp_points for each component (TBIL mg/dL, albumin g/L, INR,
    RS ascites result, RS West Haven grade); scalars, arrays or Series of equal length.
    ``ctp``: the bands and grade maps (``conventions.ctp``), see compute_ctp_points.

    Details (study.md "CTP"):
      1. Any component missing: score missing (no partial score is guessed).
      2. Otherwise the sum of the five points, 5..15 (boundary values score the middle band,
         see compute_ctp_points).

    Returns: float scores (NaN when missing), shaped like the input.

    Example::

        >>> from aclf_cdisc.spec import load_conventions
        >>> from aclf_cdisc.spec.conventions import ctp_convention
        >>> ctp = ctp_convention(load_conventions())
        >>> compute_ctp_score(2.5, 30, 1.5, "slight", "GRADE 0", ctp=ctp)   # 2 + 2 + 1 + 2 + 1
        8.0
    """
    parts = [
        np.asarray(compute_ctp_points(component, values, ctp=ctp), dtype=float)
        for component, values in (("TBIL", tbil_mgdl), ("ALB", alb_gl), ("INR", inr),
                                  ("ASCITES", ascites), ("HE", encephalopathy))
    ]
    total = np.sum(np.broadcast_arrays(*parts), axis=0)  # NaN propagates: any missing -> missing
    return shape_like(np.asarray(total, dtype=float), tbil_mgdl, alb_gl, inr, ascites, encephalopathy)
