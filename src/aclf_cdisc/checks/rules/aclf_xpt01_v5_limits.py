"""ACLF-XPT-01: dataset and variable metadata fit SAS XPORT v5 (FDA TCG §3.3).

Names: at most 8 characters, letters, digits and underscores, not starting with a digit; labels at
most 40 characters; character values at most 200 bytes; numbers finite and within the range of the
IBM double XPT stores (a magnitude below 16**63, the writer's own limit, :mod:`aclf_cdisc.transport.ibm`).
Read from the file headers on a folder (``context.file_metadata``), from the spec and the data in
the build, where a number out of range is found here, traced to its raw record, not by the writer.
"""

import re
import warnings

import numpy as np
import pandas as pd

from aclf_cdisc.checks.rule import Context, Datasets, Rule
from aclf_cdisc.compact import held_column
from aclf_cdisc.errors import Issue
from aclf_cdisc.limits import longest_text_bytes
from aclf_cdisc.spec.model import Spec
from aclf_cdisc.transport.ibm import IBM_MAX, IBM_MIN, ibm_range_mask

NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,7}$")
MAX_LABEL, MAX_CHAR = 40, 200


def _longest(datasets: Datasets, name: str, variable: str) -> int | None:
    """The longest value of one text variable in bytes (None if the dataset lacks it): from its
    distinct values, a compacted column's categories (nothing rebuilt)."""
    column = held_column(datasets, name, variable)
    return None if column is None else longest_text_bytes(column)


def numbers_xpt_cannot_hold(column: pd.Series) -> list[tuple[int, float]]:
    """(row, value) of each number of a numeric column an XPT file cannot store: infinite, or of a
    magnitude outside the IBM double's range (1-based rows; text and dates are not judged here).

    >>> numbers_xpt_cannot_hold(pd.Series([1.0, None, 1e200, -float("inf"), 0.0, 1e-300]))
    [(3, 1e+200), (4, -inf), (6, 1e-300)]
    """
    if not pd.api.types.is_numeric_dtype(column.dtype) or pd.api.types.is_bool_dtype(column.dtype):
        return []
    values = column.to_numpy(dtype=np.float64, na_value=np.nan)
    if len(values) and not _may_break_range(values):
        return []
    bad = np.flatnonzero(np.isinf(values) | ibm_range_mask(values))
    return [(int(pos) + 1, float(values[pos])) for pos in bad]


def _may_break_range(values: np.ndarray) -> bool:
    """False when every number is surely storable, from the extremes and one pass for the tiny ones
    (half the work of the full mask, which only a column that may break the range needs)."""
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a column of missing values only
        low, high = np.nanmin(values), np.nanmax(values)
    if np.isnan(low):
        return False
    if not (low > -IBM_MAX and high < IBM_MAX):
        return True
    return bool(((values > -IBM_MIN) & (values < IBM_MIN) & (values != 0)).any())


def check(datasets: Datasets, spec: Spec, rule: Rule, context: Context) -> list[Issue]:
    issues = []
    for name in sorted(datasets):
        meta = context.file_metadata.get(name)
        if meta is not None:
            label = meta.label
            variables = [(v.name, v.label, v.length if v.is_char else None) for v in meta.variables]
        elif name in spec.datasets:
            ds = spec.datasets[name]
            label = ds.label
            variables = [(v.name, v.label, None if v.is_numeric else _longest(datasets, name, v.name))
                         for v in ds.variables]
        else:
            continue
        if not NAME.match(name):
            issues.append(rule.issue("dataset name is not a SAS v5 name", dataset=name, value=name,
                                     expected="<= 8 letters, digits or _"))
        if len(label or "") > MAX_LABEL:
            issues.append(rule.issue("dataset label longer than 40 characters", dataset=name, value=label,
                                     expected="<= 40 characters"))
        for var_name, var_label, length in variables:
            where = {"dataset": name, "column": var_name}
            if not NAME.match(var_name):
                issues.append(rule.issue("variable name is not a SAS v5 name", **where, value=var_name,
                                         expected="<= 8 letters, digits or _"))
            if len(var_label or "") > MAX_LABEL:
                issues.append(rule.issue("variable label longer than 40 characters", **where, value=var_label,
                                         expected="<= 40 characters"))
            if length is not None and length > MAX_CHAR:
                issues.append(rule.issue("character variable longer than 200 bytes", **where, value=length,
                                         expected="<= 200 bytes"))
        if meta is None:  # in the build: the numbers the XPT writer would refuse
            issues += [rule.issue("number an XPT file cannot hold", dataset=name, row=row, column=variable.name,
                                  value=value, expected=f"a finite number, 0 or of a magnitude in "
                                                        f"[{IBM_MIN!r}, {IBM_MAX!r})")
                       for variable in spec.datasets[name].variables if variable.is_numeric
                       for row, value in _numbers(datasets, name, variable.name)]
    return issues


def _numbers(datasets: Datasets, name: str, variable: str) -> list[tuple[int, float]]:
    column = held_column(datasets, name, variable)
    return [] if column is None else numbers_xpt_cannot_hold(column)
