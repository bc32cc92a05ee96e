"""compute_unit_conversions: lab results to the study's standard units (study.md "Unit conversions")."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from aclf_cdisc.errors import DerivationError, Issue

from ._common import shape_like

#: (test code, normalised unit) -> factor to the standard unit; standard units map to 1.
FACTORS: dict[tuple[str, str], float] = {
    ("BILI", "MG/DL"): 1.0,
    ("BILI", "UMOL/L"): 1 / 17.1,
    ("CREAT", "MG/DL"): 1.0,
    ("CREAT", "UMOL/L"): 1 / 88.4,
    ("ALB", "G/L"): 1.0,
    ("ALB", "G/DL"): 10.0,
}
STANDARD_UNITS = {"BILI": "mg/dL", "CREAT": "mg/dL", "ALB": "g/L"}
_TEST_ALIASES = {"TBIL": "BILI", "BILI": "BILI", "CREAT": "CREAT", "ALB": "ALB"}


def _norm_unit(unit: Any) -> str | None:
    if unit is None or (not isinstance(unit, str) and pd.isna(unit)):
        return None
    text = str(unit).strip().replace("µ", "u").replace("μ", "u").upper().replace(" ", "")
    return text


def compute_unit_conversions(values: Any, units: Any, testcd: Any) -> Any:
    """Convert bilirubin, creatinine and albumin results to the study's standard units.

    Permitted values: ``testcd`` "BILI" (or "TBIL"), "CREAT", "ALB" (scalar or per value);
    ``units`` per value, matched trimmed, case-insensitive, with "µ"/"μ" read as "u":
      bilirubin: umol/L -> / 17.1 -> mg/dL; mg/dL unchanged;
      creatinine: umol/L -> / 88.4 -> mg/dL; mg/dL unchanged;
      albumin: g/dL -> x 10 -> g/L; g/L unchanged.

    Details (first match decides, per value):
      1. Missing value: missing result.
      2. Unit missing, or a unit/test pair not listed: DerivationError (rule
         adam.unit-unknown; row is the 1-based position, column the test code, value the unit).
      3. Value times the factor above; no rounding (rounding belongs to display).

    Returns: float results in standard units, shaped like ``values`` (see compute_meld).

    Example::

        >>> compute_unit_conversions([171.0, 1.2], ["umol/L", "mg/dL"], "BILI").tolist()
        [10.0, 1.2]
    """
    vals = np.atleast_1d(np.asarray(values, dtype=float))
    unit_arr = np.broadcast_to(np.asarray(units, dtype=object), vals.shape)
    test_arr = np.broadcast_to(np.asarray(testcd, dtype=object), vals.shape)
    factors = np.full(vals.shape, np.nan)
    issues: list[Issue] = []
    for i in range(vals.size):
        if np.isnan(vals[i]):
            continue
        test = _TEST_ALIASES.get(str(test_arr[i]).strip().upper())
        if test is None:
            raise ValueError(f"`testcd` must be one of {sorted(_TEST_ALIASES)}; got {test_arr[i]!r}")
        factor = FACTORS.get((test, _norm_unit(unit_arr[i]) or ""))
        if factor is None:
            issues.append(Issue(rule="adam.unit-unknown", row=i + 1, column=test, value=unit_arr[i],
                                message=f"no conversion of {test} from unit {unit_arr[i]!r}",
                                expected=f"{STANDARD_UNITS[test]} or a listed unit"))
            continue
        factors[i] = factor
    if issues:
        raise DerivationError(issues)
    result = (vals * factors).reshape(np.shape(np.asarray(values, dtype=float)))
    return shape_like(np.asarray(result, dtype=float), values)
