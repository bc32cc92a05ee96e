"""IBM 370 double conversion: exactness where the formats allow it, and the documented limits."""

from __future__ import annotations

import struct
from fractions import Fraction

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from aclf_cdisc.transport import ibm

IN_RANGE = st.floats(allow_nan=False, allow_infinity=False).filter(
    lambda x: x == 0 or ibm.IBM_MIN <= abs(x) < ibm.IBM_MAX)


def test_known_patterns() -> None:
    # TS-140's worked example and SAS's encoding of 1 and 0
    assert int(ibm.ieee_to_ibm([-118.625])[0]) == 0xC276A00000000000
    assert int(ibm.ieee_to_ibm([1.0])[0]) == 0x4110000000000000
    assert int(ibm.ieee_to_ibm([0.0])[0]) == 0
    assert int(ibm.ieee_to_ibm([-0.0])[0]) == 0  # ReadStat would read 0x80 00.. as missing


@given(st.lists(IN_RANGE, max_size=50))
def test_ieee_to_ibm_to_ieee_is_exact(values: list[float]) -> None:
    array = np.array(values, dtype=np.float64)
    back = ibm.ibm_to_ieee(ibm.ieee_to_ibm(array))
    assert back.tobytes() == (array + 0.0).tobytes()  # bit-exact; -0.0 becomes 0.0


@given(st.integers(min_value=0, max_value=(1 << 64) - 1))
def test_ibm_to_ieee_rounds_at_most_half_an_ulp(bits: int) -> None:
    fraction = bits & ((1 << 56) - 1)
    exponent = (bits >> 56) & 0x7F
    sign = -1 if bits >> 63 else 1
    got = float(ibm.ibm_to_ieee(np.array([bits], np.uint64))[0])
    if fraction == 0:
        assert got == 0
        return
    # correct rounding: within half a unit in the last place of the exact value
    true = Fraction(sign * fraction) * Fraction(16) ** (exponent - 64) / Fraction(2) ** 56
    assert abs(Fraction(got) - true) <= abs(Fraction(np.spacing(abs(got)))) / 2


@given(st.integers(min_value=1, max_value=(1 << 53) - 1), st.integers(min_value=0, max_value=3),
       st.integers(min_value=0, max_value=127), st.booleans())
def test_ibm_with_53_significant_bits_round_trips(significand: int, shift: int, exponent: int,
                                                 negative: bool) -> None:
    fraction = significand << shift if significand << shift < (1 << 56) else significand
    bits = (int(negative) << 63) | (exponent << 56) | fraction
    value = ibm.ibm_to_ieee(np.array([bits], np.uint64))
    if ibm.ibm_range_mask(value)[0]:
        return  # unnormalised tiny IBM values are below what the writer accepts
    normalised = int(ibm.ieee_to_ibm(value)[0])
    assert ibm.ibm_to_ieee(np.array([normalised], np.uint64))[0] == value[0]


def test_range_mask_flags_what_cannot_be_stored() -> None:
    values = np.array([0.0, 1e-80, 5e-324, 1e76, 7e75, -1e300, np.nan, np.inf, 1.0])
    assert ibm.ibm_range_mask(values).tolist() == [False, True, True, True, False, True, False, False,
                                                    False]


def test_missing_patterns() -> None:
    patterns = np.array([ibm.missing_pattern(c) for c in ("", "_", "A", "Z")], np.uint64)
    assert [struct.pack(">Q", int(p))[:1] for p in patterns] == [b".", b"_", b"A", b"Z"]
    assert ibm.missing_codes(patterns).tolist() == [0x2E, 0x5F, 0x41, 0x5A]
    numbers = ibm.ieee_to_ibm([1.0, 2.5, 0.0])
    assert ibm.missing_codes(numbers).tolist() == [0, 0, 0]
