"""compute_unit_conversions: lab results to the study's standard units (study.md "Unit conversions")."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from aclf_cdisc.errors import DerivationError, Issue

from ._common import shape_like


def _norm_unit(unit: Any) -> str | None:
    if unit is None or (not isinstance(unit, str) and pd.isna(unit)):
        return None
    text = str(unit).strip().replace("µ", "u").replace("μ", "u").upper().replace(" ", "")
    return text


def compute_unit_conversions(values: Any, units: Any, testcd: Any,
                             lab_units: Mapping[str, Mapping[str, Any]]) -> Any:
    """Convert lab results to the study's standard units with the spec's factor table.

    Permitted values: ``lab_units`` is ``conventions.lab_units`` of specs/study.yaml (read with
    :func:`aclf_cdisc.spec.conventions.lab_units`): LBTESTCD -> {standard: unit, from: {original
    unit: factor}}; the factor multiplies the original value (SI standard units in this study:
    bilirubin mg/dL x 17.1 = umol/L, creatinine mg/dL x 88.4 = umol/L, albumin g/dL x 10 = g/L).
    ``testcd``: a key of that table (scalar or per value). ``units`` per value, matched trimmed,
    case-insensitive, with "µ"/"μ" read as "u".

    Details (first match decides, per value):
      1. Missing value: missing result.
      2. A test code not in the table: ValueError (a programming error, not data).
      3. Unit missing, or a unit not listed for the test: DerivationError (rule
         adam.unit-unknown; row is the 1-based position, column the test code, value the unit).
      4. Value times the factor; no rounding (rounding belongs to display).

    Returns: float results in standard units, shaped like ``values`` (see compute_meld).

    Example::

        >>> from aclf_cdisc.spec import load_conventions
        >>> from aclf_cdisc.spec.conventions import lab_units
        >>> table = lab_units(load_conventions())
        >>> compute_unit_conversions([171.0, 1.2], ["umol/L", "mg/dL"], "BILI", table).round(6).tolist()
        [171.0, 20.52]
        >>> compute_unit_conversions(3.1, "g/dL", "ALB", table)
        31.0
    """
    vals = np.atleast_1d(np.asarray(values, dtype=float))
    unit_arr = np.broadcast_to(np.asarray(units, dtype=object), vals.shape)
    test_arr = np.broadcast_to(np.asarray(testcd, dtype=object), vals.shape)
    factors = np.full(vals.shape, np.nan)
    tables = {str(test).strip().upper(): {_norm_unit(unit) or "": float(f) for unit, f in cfg["from"].items()}
              for test, cfg in lab_units.items()}
    issues: list[Issue] = []
    for i in range(vals.size):
        if np.isnan(vals[i]):
            continue
        test = str(test_arr[i]).strip().upper()
        if test not in tables:
            raise ValueError(f"`testcd` must be one of {sorted(tables)}; got {test_arr[i]!r}")
        table = tables[test]
        factor = table.get(_norm_unit(unit_arr[i]) or "")
        if factor is None:
            issues.append(Issue(rule="adam.unit-unknown", row=i + 1, column=test, value=unit_arr[i],
                                message=f"no conversion of {test} from unit {unit_arr[i]!r}",
                                expected=f"one of {sorted(table)} (conventions.lab_units.{test})"))
            continue
        factors[i] = factor
    if issues:
        raise DerivationError(issues)
    result = (vals * factors).reshape(np.shape(np.asarray(values, dtype=float)))
    return shape_like(np.asarray(result, dtype=float), values)
