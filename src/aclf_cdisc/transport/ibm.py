"""IEEE 754 double <-> IBM System/370 double (the numeric cell format of SAS XPORT v5), vectorised.

An IBM double is ``sign(1) | exponent(7, excess 64, base 16) | fraction(56)``; its value is
``0.F * 16**(E - 64)``. SAS missing values are IBM patterns with a marker in the first byte and
zeros after it: ``.`` (0x2E), ``._`` (0x5F) and ``.A``-``.Z`` (0x41-0x5A).

Precision semantics (checked by the tests in tests/transport/test_ibm.py):

* IEEE -> IBM is **exact** for every finite double whose magnitude lies in the IBM range
  ``[16**-65, 16**63)``: a double carries 53 significant bits and a normalised IBM fraction has
  room for 56 - 3 = 53 of them at worst, so nothing is rounded. Negative zero is written as
  zero (all bytes 0x00, as SAS does): ReadStat/pyreadstat read the pattern 0x80 00.. as missing.
  Magnitudes outside that range (including IEEE subnormals) cannot be stored without loss and are
  reported by :func:`ibm_range_mask` so the writer can refuse them.
* IBM -> IEEE rounds to nearest (ties to even) when an IBM fraction uses more than 53 significant
  bits, which only happens for values not produced from an IEEE double (e.g. mainframe files).
  Hence IEEE -> IBM -> IEEE is the identity, and IBM -> IEEE -> IBM is the identity for every IBM
  value that has at most 53 significant bits.
* A numeric variable shorter than 8 bytes stores the leading bytes only (the fraction is
  truncated); the reader pads with zero bytes.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

#: IBM missing-value markers: first byte of the 8-byte pattern.
MISSING_BYTE = 0x2E  # "."
UNDERSCORE_BYTE = 0x5F  # "._"
SPECIAL_CODES: str = "_" + "".join(chr(c) for c in range(ord("A"), ord("Z") + 1))

#: Smallest and (exclusive) largest magnitude a normalised IBM double holds.
IBM_MIN = 16.0**-65
IBM_MAX = 16.0**63

_FRACTION_MASK = np.uint64((1 << 56) - 1)
_SIGN_BIT = np.uint64(1 << 63)
_IEEE_FRACTION = np.uint64((1 << 52) - 1)
_IEEE_HIDDEN = np.uint64(1 << 52)


def ieee_to_ibm(values: npt.ArrayLike) -> npt.NDArray[np.uint64]:
    """Convert finite doubles to IBM doubles, returned as native ``uint64`` bit patterns.

    Callers must have screened out NaN, inf and out-of-range magnitudes (see
    :func:`ibm_range_mask`); such inputs produce meaningless patterns rather than an error so the
    conversion stays a branch-free array expression.
    """
    x = np.ascontiguousarray(values, dtype=np.float64)
    raw = x.view(np.uint64)
    sign = raw & _SIGN_BIT
    biased2 = ((raw >> np.uint64(52)) & np.uint64(0x7FF)).astype(np.int64)
    significand = (raw & _IEEE_FRACTION) | _IEEE_HIDDEN  # 53-bit integer, value = m * 2**(e2-53)
    exp2 = biased2 - 1022  # x = 0.1fff... * 2**exp2
    exp16 = (exp2 + 3) >> 2  # ceil(exp2 / 4): x = f * 16**exp16 with 1/16 <= f < 1
    significand <<= (exp2 - 4 * exp16 + 3).astype(np.uint64)  # 0..3 bits: fill 56-bit fraction
    significand |= (exp16 + 64).astype(np.uint64) << np.uint64(56)
    zero = (raw & ~_SIGN_BIT) == 0
    significand |= sign
    significand[zero] = 0  # +0 and -0 both become all-zero bytes
    return significand


def ibm_to_ieee(bits: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Convert IBM double bit patterns (native ``uint64``) to IEEE doubles.

    Missing-value patterns are not recognised here (see :func:`missing_codes`); they decode to
    whatever number their bits spell.
    """
    b = np.asarray(bits, dtype=np.uint64)
    fraction = (b & _FRACTION_MASK).astype(np.float64)  # rounds to 53 bits, nearest-even
    exponent = ((b >> np.uint64(56)) & np.uint64(0x7F)).astype(np.int64)
    magnitude = np.ldexp(fraction, (4 * (exponent - 64) - 56).astype(np.int32))
    negative = (b >> np.uint64(63)).astype(bool)
    return np.where(negative, -magnitude, magnitude)


def ibm_range_mask(values: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    """True where a finite, non-zero value lies outside the IBM range (cannot be stored exactly)."""
    magnitude = np.abs(values)
    with np.errstate(invalid="ignore"):
        return np.isfinite(values) & (magnitude != 0) & ((magnitude < IBM_MIN) | (magnitude >= IBM_MAX))


def missing_pattern(code: str) -> np.uint64:
    """The IBM bit pattern of SAS missing ``.`` (code ``""``), ``._`` or ``.A``-``.Z``."""
    if code == "":
        first = MISSING_BYTE
    elif code in SPECIAL_CODES and len(code) == 1:
        first = ord(code)
    else:
        raise ValueError(f"not a SAS missing-value code: {code!r}")
    return np.uint64(first) << np.uint64(56)


def missing_codes(bits: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint8]:
    """Per cell: 0 for a number, else the marker byte (0x2E, 0x5F, 0x41-0x5A) of a missing value.

    A pattern is missing when its first byte is a marker and all seven other bytes are zero
    (that is how SAS writes them; a real number with such a first byte would need a zero fraction).
    """
    first = (bits >> np.uint64(56)).astype(np.uint8)
    rest_zero = (bits & np.uint64((1 << 56) - 1)) == 0
    is_marker = (first == MISSING_BYTE) | (first == UNDERSCORE_BYTE) | ((first >= 0x41) & (first <= 0x5A))
    return np.where(rest_zero & is_marker, first, np.uint8(0)).astype(np.uint8)
