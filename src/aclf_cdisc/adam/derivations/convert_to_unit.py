"""convert_to_unit: lab values from their reported unit to a target unit with the spec's factor table."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from aclf_cdisc.errors import DerivationError, Issue
from aclf_cdisc.sdtm.text import map_distinct


def _norm_unit(unit: Any) -> str:
    """Unit text compared trimmed, case-insensitive, "µ"/"μ" read as "u", blanks removed; missing: ""."""
    if unit is None or (not isinstance(unit, str) and pd.isna(unit)):
        return ""
    return str(unit).strip().replace("µ", "u").replace("μ", "u").upper().replace(" ", "")


def convert_to_unit(values: Any, units: Any, factors: Mapping[str, float], target: str, *,
                    test: str = "") -> np.ndarray:
    """Convert values of one lab test to ``target`` with a factor table.

    Permitted values: ``factors`` maps every unit the test may be reported in to the factor that
    multiplies a value in that unit to give the test's standard unit (specs/study.yaml
    conventions.lab_units.<LBTESTCD>.from, e.g. BILI {umol/L: 1.0, mg/dL: 17.1});
    ``target`` must be one of those units (the analysis unit of specs/adam/adlb.yaml, or a score's
    input unit); ``test`` names the test in issues.

    Details (first match decides, per value):
      1. Missing value: missing result.
      2. Unit (or target) not in ``factors`` (compared trimmed, case-insensitive, "µ" as "u"):
         DerivationError (rule adam.unit-unknown; row = 1-based position).
      3. value x factor[unit] / factor[target]; no rounding (rounding belongs to display).

    Returns: float numpy array shaped like ``values``.

    Example::

        >>> table = {"umol/L": 1 / 17.1, "mg/dL": 1.0}
        >>> convert_to_unit([171.0, 1.2, None], ["umol/L", "mg/dL", "mg/dL"], table, "mg/dL").round(6).tolist()
        [10.0, 1.2, nan]
        >>> convert_to_unit([1.0], ["mg/dL"], table, "umol/L").round(6).tolist()
        [17.1]
    """
    vals = np.atleast_1d(np.asarray(pd.to_numeric(pd.Series(np.atleast_1d(values)), errors="coerce"), dtype=float))
    unit_arr = np.broadcast_to(np.asarray(units, dtype=object), vals.shape)
    table = {_norm_unit(u): float(f) for u, f in factors.items()}
    if _norm_unit(target) not in table:
        raise DerivationError(Issue(rule="adam.unit-unknown", column=test, value=target,
                                    message=f"no factor for the target unit {target!r} of {test}",
                                    expected=f"one of {sorted(factors)}"))
    to_target = table[_norm_unit(target)]
    # each distinct unit normalised once; NaN where the table has no factor
    factor = map_distinct(pd.Series(unit_arr, dtype=object), lambda u: table.get(_norm_unit(u), np.nan))
    factor_arr = factor.to_numpy(dtype=float)
    valued = ~np.isnan(vals)
    issues = [Issue(rule="adam.unit-unknown", row=i + 1, column=test, value=unit_arr[i],
                    message=f"no conversion of {test} from unit {unit_arr[i]!r}", expected=f"one of {sorted(factors)}")
              for i in np.flatnonzero(valued & np.isnan(factor_arr)).tolist()]
    if issues:
        raise DerivationError(issues)
    return np.where(valued, vals * factor_arr / to_target, np.nan)
