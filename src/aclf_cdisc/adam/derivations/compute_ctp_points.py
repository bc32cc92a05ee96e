"""compute_ctp_points: Child-Turcotte-Pugh points (1, 2 or 3) for one CTP component."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from aclf_cdisc.errors import DerivationError, Issue
from aclf_cdisc.spec.conventions import CtpBand, CtpConvention

from ._common import shape_like

COMPONENTS = ("TBIL", "ALB", "INR", "ASCITES", "HE")

# Text grades accepted (trimmed, case-insensitive) -> points.
ASCITES_TEXT = {"NONE": 1, "ABSENT": 1, "MILD": 2, "MODERATE": 3, "SEVERE": 3, "MODERATE-SEVERE": 3}
HE_TEXT = {"NONE": 1, "ABSENT": 1, "GRADE 1": 2, "GRADE 2": 2, "GRADE 3": 3, "GRADE 4": 3}
# Numeric grades accepted -> points: ascites 0 none, 1 mild, 2 moderate, 3 severe (International
# Ascites Club); hepatic encephalopathy West Haven grade 0..4.
ASCITES_GRADE = {0: 1, 1: 2, 2: 3, 3: 3}
HE_GRADE = {0: 1, 1: 2, 2: 2, 3: 3, 4: 3}


def _lab_points(values: np.ndarray, band: CtpBand) -> np.ndarray:
    """2 inside the closed middle band [low, high]; 3 on the ``worse`` side of it, else 1."""
    low, high = band.middle
    with np.errstate(invalid="ignore"):
        if band.worse == "higher":
            pts = np.where(values < low, 1, np.where(values <= high, 2, 3))
        else:
            pts = np.where(values > high, 1, np.where(values >= low, 2, 3))
    return np.where(np.isnan(values), np.nan, pts).astype(float)


def _grade_points(values: Any, component: str) -> np.ndarray:
    text_map, grade_map = (ASCITES_TEXT, ASCITES_GRADE) if component == "ASCITES" else (HE_TEXT, HE_GRADE)
    flat = list(np.atleast_1d(np.asarray(values, dtype=object)))
    out: list[float] = []
    issues: list[Issue] = []
    for pos, value in enumerate(flat):
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            out.append(np.nan)
            continue
        if isinstance(value, str):
            key = " ".join(value.strip().upper().split())
            if key in text_map:
                out.append(float(text_map[key]))
                continue
        elif float(value).is_integer() and int(value) in grade_map:
            out.append(float(grade_map[int(value)]))
            continue
        issues.append(Issue(rule="adam.ctp-grade-unknown", column=component, row=pos + 1, value=value,
                            message=f"{component} grade {value!r} is not a known CTP grade",
                            expected=f"one of {sorted(text_map)} or grades {sorted(grade_map)}"))
    if issues:
        raise DerivationError(issues)
    return np.asarray(out, dtype=float).reshape(np.shape(np.asarray(values, dtype=object)))


def compute_ctp_points(component: str, values: Any, *, ctp: CtpConvention) -> Any:
    """Points (1, 2 or 3) for one Child-Turcotte-Pugh component.

    The lab bands are ``ctp`` (``conventions.ctp`` in specs/study.yaml, read with
    :func:`aclf_cdisc.spec.conventions.ctp_convention`): each lab's closed middle band scores 2
    and the side named by ``worse`` scores 3. The study's bands are quoted below.

    Permitted values of ``component`` and units of ``values`` (study.md "CTP"):
      "TBIL": total bilirubin mg/dL. < 2 -> 1; 2 to 3 inclusive -> 2; > 3 -> 3.
      "ALB": albumin g/L. > 35 -> 1; 28 to 35 inclusive -> 2; < 28 -> 3.
      "INR": INR. < 1.7 -> 1; 1.7 to 2.3 inclusive -> 2; > 2.3 -> 3.
      "ASCITES": NONE/ABSENT or grade 0 -> 1; MILD or grade 1 -> 2; MODERATE, SEVERE,
        MODERATE-SEVERE or grades 2, 3 -> 3.
      "HE": hepatic encephalopathy NONE/ABSENT or West Haven grade 0 -> 1; grade 1-2 ("GRADE 1",
        "GRADE 2", 1, 2) -> 2; grade 3-4 -> 3.

    Details (first match decides):
      1. Missing value: missing points.
      2. Boundary values belong to the middle band: TBIL 2.0 and 3.0 mg/dL, albumin 28 and 35
         g/L, INR 1.7 and 2.3 all score 2 (the study.md bands "2-3", "28-35", "1.7-2.3" are
         closed intervals).
      3. Bands as listed above. Text grades are matched trimmed and case-insensitive.
      4. A grade outside the lists: DerivationError (rule adam.ctp-grade-unknown; row is the
         1-based position, value the grade).

    Returns: float points (NaN when missing), shaped like the input (see compute_meld).

    Example::

        >>> from aclf_cdisc.spec import load_conventions
        >>> from aclf_cdisc.spec.conventions import ctp_convention
        >>> ctp = ctp_convention(load_conventions())
        >>> compute_ctp_points("TBIL", [1.99, 2.0, 3.0, 3.01], ctp=ctp).tolist()
        [1.0, 2.0, 2.0, 3.0]
        >>> compute_ctp_points("ALB", [27.9, 28.0, 35.0, 35.1], ctp=ctp).tolist()
        [3.0, 2.0, 2.0, 1.0]
    """
    if component not in COMPONENTS:
        raise ValueError(f"`component` must be one of {COMPONENTS}")
    if component in ("ASCITES", "HE"):
        points = _grade_points(values, component)
    else:
        points = _lab_points(np.asarray(values, dtype=float), ctp.bands[component])
    return shape_like(np.asarray(points, dtype=float), values)
