"""ItemDef Length and SignificantDigits from the values a variable holds.

Define-XML 2.1 (section 5.3.11): for text, Length is the XPT length in bytes; for integer and
float it is the number of digits a value needs, not the 8-byte SAS storage size. For float,
SignificantDigits is the number of decimal places and Length counts the digits on both sides of
the decimal point (sign and point not counted).

Decisions:
- SignificantDigits comes from the spec when the spec states it, else from the data: the fewest
  decimal places (at most ``MAX_DECIMALS``) that reproduce every value to within 1e-9 of its
  magnitude, so binary noise (2.41 stored as 2.4100000000000001) does not inflate it.
- A column with no value still gets Length 1 (and SignificantDigits 0 for a float): Define-XML
  needs a positive Length.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np
import pandas as pd

MAX_DECIMALS = 10


def finite_numbers(values: Iterable[object]) -> np.ndarray:
    """The finite numbers among ``values``: a numeric numpy array or Series as it is, anything
    else value by value (text that reads as a number counts, other values do not).

    >>> finite_numbers(["1.5", "x", None, 3]).tolist()
    [1.5, 3.0]
    """
    if isinstance(values, pd.Series | np.ndarray) and isinstance(values.dtype, np.dtype) \
            and values.dtype.kind in "biuf":
        array = np.asarray(values, dtype=float)
    else:
        array = pd.to_numeric(pd.Series(list(values), dtype=object), errors="coerce").to_numpy(dtype=float)
    return array[np.isfinite(array)]


def decimals_needed(values: Iterable[object], cap: int = MAX_DECIMALS) -> int:
    """The fewest decimal places that reproduce every value (at most ``cap``).

    >>> decimals_needed([1.0, 2.5, 3.25])
    2
    >>> decimals_needed([2.4100000000000001, -4.970000000000001])
    2
    >>> decimals_needed([])
    0
    """
    numbers = finite_numbers(values)
    if numbers.size == 0:
        return 0
    tolerance = 1e-9 * np.maximum(1.0, np.abs(numbers))
    for places in range(cap + 1):
        if bool(np.all(np.abs(np.round(numbers, places) - numbers) <= tolerance)):
            return places
    return cap


def integer_digits(values: Iterable[object]) -> int:
    """Digits of the largest integer part (at least 1).

    >>> integer_digits([3, -150, 27.5])
    3
    >>> integer_digits([0.25])
    1
    """
    numbers = finite_numbers(values)
    if numbers.size == 0:
        return 1
    largest = float(np.trunc(max(-numbers.min(), numbers.max())))  # the largest |value|, truncated
    return max(1, len(str(int(largest)))) if math.isfinite(largest) else 1


def numeric_length(values: Iterable[object], data_type: str, significant_digits: int | None = None) -> int:
    """Length of an integer or float ItemDef: digits before plus (float) digits after the point.

    >>> numeric_length([1, 12, 150], "integer")
    3
    >>> numeric_length([15.83, 8.4], "float", 2)
    4
    """
    numbers = finite_numbers(values)
    digits = integer_digits(numbers)
    if data_type == "float":
        digits += significant_digits if significant_digits is not None else decimals_needed(numbers)
    return digits
