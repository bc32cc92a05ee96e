"""compute_ctp_points: Child-Turcotte-Pugh points (1, 2 or 3) for one CTP component."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from aclf_cdisc.errors import DerivationError, Issue
from aclf_cdisc.sdtm.text import map_distinct
from aclf_cdisc.spec.conventions import CtpBand, CtpConvention, grade_key

from ._common import shape_like

COMPONENTS = ("TBIL", "ALB", "INR", "ASCITES", "HE")


def _lab_points(values: np.ndarray, band: CtpBand) -> np.ndarray:
    """2 inside the closed middle band [low, high]; 3 on the ``worse`` side of it, else 1."""
    low, high = band.middle
    with np.errstate(invalid="ignore"):
        if band.worse == "higher":
            pts = np.where(values < low, 1, np.where(values <= high, 2, 3))
        else:
            pts = np.where(values > high, 1, np.where(values >= low, 2, 3))
    return np.where(np.isnan(values), np.nan, pts).astype(float)


def _grade_points(values: Any, component: str, points_of: dict[str, int]) -> np.ndarray:
    """Points per grade from the study's grade map (keys compared as :func:`grade_key` gives them),
    each distinct grade looked up once."""
    grades = np.asarray(values, dtype=object)
    flat = pd.Series(grades.reshape(-1), dtype=object)
    points = map_distinct(flat, lambda v: np.nan if pd.isna(v) else points_of.get(grade_key(v)))
    unknown = np.flatnonzero(points.isna().to_numpy() & flat.notna().to_numpy())
    if len(unknown):
        raise DerivationError([
            Issue(rule="adam.ctp-grade-unknown", column=component, row=int(pos) + 1, value=flat.iloc[pos],
                  message=f"{component} grade {flat.iloc[pos]!r} is not a known CTP grade",
                  expected=f"one of {list(points_of)} (study.yaml conventions.ctp)")
            for pos in unknown])
    return points.to_numpy(dtype=float).reshape(grades.shape)


def compute_ctp_points(component: str, values: Any, *, ctp: CtpConvention) -> Any:
    """Points (1, 2 or 3) for one Child-Turcotte-Pugh component.

    The bands and grade maps are ``ctp`` (``conventions.ctp`` in specs/study.yaml, read with
    :func:`aclf_cdisc.spec.conventions.ctp_convention`): each lab's closed middle band scores 2
    and the side named by ``worse`` scores 3; the clinical items score what their grade map
    (``ascites``, ``encephalopathy``) gives. The study's values are quoted below.

    Permitted values of ``component`` and units of ``values`` (study.md "CTP"):
      "TBIL": total bilirubin mg/dL. < 2 -> 1; 2 to 3 inclusive -> 2; > 3 -> 3.
      "ALB": albumin g/L. > 35 -> 1; 28 to 35 inclusive -> 2; < 28 -> 3.
      "INR": INR. < 1.7 -> 1; 1.7 to 2.3 inclusive -> 2; > 2.3 -> 3.
      "ASCITES": the RS CPS0102 result: absent -> 1; slight -> 2; moderate -> 3.
      "HE": the RS WHEG0101 West Haven grade: GRADE 0 -> 1; GRADE 1, GRADE 2 -> 2;
        GRADE 3, GRADE 4 -> 3.

    Details (first match decides):
      1. Missing value: missing points.
      2. Boundary values belong to the middle band: TBIL 2.0 and 3.0 mg/dL, albumin 28 and 35
         g/L, INR 1.7 and 2.3 all score 2 (the study.md bands "2-3", "28-35", "1.7-2.3" are
         closed intervals).
      3. Bands as listed above. Grades are matched trimmed, case-insensitive, inner spaces
         collapsed (``grade  1`` is ``GRADE 1``).
      4. A grade the map does not name: DerivationError (rule adam.ctp-grade-unknown; row is
         the 1-based position, value the grade).

    Returns: float points (NaN when missing), shaped like the input (see compute_meld).

    Example::

        >>> from aclf_cdisc.spec import load_conventions
        >>> from aclf_cdisc.spec.conventions import ctp_convention
        >>> ctp = ctp_convention(load_conventions())
        >>> compute_ctp_points("TBIL", [1.99, 2.0, 3.0, 3.01], ctp=ctp).tolist()
        [1.0, 2.0, 2.0, 3.0]
        >>> compute_ctp_points("ALB", [27.9, 28.0, 35.0, 35.1], ctp=ctp).tolist()
        [3.0, 2.0, 2.0, 1.0]
        >>> compute_ctp_points("HE", ["GRADE 0", "grade 2", None, " Grade 3 "], ctp=ctp).tolist()
        [1.0, 2.0, nan, 3.0]
    """
    if component not in COMPONENTS:
        raise ValueError(f"`component` must be one of {COMPONENTS}")
    if component in ("ASCITES", "HE"):
        points = _grade_points(values, component, ctp.grades[component])
    else:
        points = _lab_points(np.asarray(values, dtype=float), ctp.bands[component])
    return shape_like(np.asarray(points, dtype=float), values)
