"""Raw value parsers: dates with UN/UNK parts, times, "<x" results (property-based)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aclf_cdisc.raw.parse import Result, parse_raw_date, parse_raw_time, parse_result

MON = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31))


def _text(d: dt.date) -> str:
    return f"{d.day:02d} {MON[d.month - 1]} {d.year}"


def test_examples() -> None:
    assert parse_raw_date("05 MAR 2024") == "2024-03-05"
    assert parse_raw_date("UN JAN 2024") == "2024-01"
    assert parse_raw_date("UN UNK 2024") == "2024"
    assert parse_raw_date(" 29 feb 2024 ") == "2024-02-29"


@given(dates)
def test_full_dates_round_trip(d: dt.date) -> None:
    assert parse_raw_date(_text(d)) == d.isoformat()
    assert parse_raw_date(_text(d).lower()) == d.isoformat()


@given(dates, st.sampled_from(["UN", "UNK", "un"]))
def test_unknown_day_gives_year_month(d: dt.date, unk: str) -> None:
    assert parse_raw_date(f"{unk} {MON[d.month - 1]} {d.year}") == f"{d.year:04d}-{d.month:02d}"
    assert parse_raw_date(f"{unk} UNK {d.year}") == f"{d.year:04d}"


@given(st.integers(1900, 2100), st.integers(1, 12), st.integers(29, 40))
def test_impossible_days_are_rejected(year: int, month: int, day: int) -> None:
    try:
        dt.date(year, month, day)
    except ValueError:
        with pytest.raises(ValueError):
            parse_raw_date(f"{day:02d} {MON[month - 1]} {year}")
    else:
        assert parse_raw_date(f"{day:02d} {MON[month - 1]} {year}") == f"{year}-{month:02d}-{day:02d}"


@pytest.mark.parametrize("bad", ["2024-03-05", "05 MAR 24", "05 XYZ 2024", "05 UNK 2024", "00 MAR 2024",
                                 "", "05MAR2024", "5 MAR 2024 10:00"])
def test_malformed_dates_are_rejected(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_raw_date(bad)


@given(st.integers(0, 23), st.integers(0, 59))
def test_times(h: int, m: int) -> None:
    assert parse_raw_time(f"{h:02d}:{m:02d}") == f"{h:02d}:{m:02d}"


@pytest.mark.parametrize("bad", ["24:00", "12:60", "1200", "noon"])
def test_bad_times(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_raw_time(bad)


@given(st.floats(0, 1e6, allow_nan=False).map(lambda x: round(x, 3)),
       st.sampled_from([None, "<", ">", "<=", ">="]), st.sampled_from(["", " "]))
def test_results_round_trip(value: float, comparator: str | None, space: str) -> None:
    text = f"{comparator or ''}{space if comparator else ''}{value}"
    assert parse_result(text) == Result(value=value, comparator=comparator)
    assert parse_result(text).censored is (comparator is not None)


@pytest.mark.parametrize("bad", ["", "<", "NEG", "1,5", "<<3", "12 mg"])
def test_unparseable_results(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_result(bad)


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_finite_double_written_out_is_a_number(value: float) -> None:
    from aclf_cdisc.raw.parse import is_number

    assert is_number(repr(value))


@given(st.integers(1, 9), st.integers(309, 100_000))
def test_a_number_too_large_for_a_double_is_no_number(mantissa: int, exponent: int) -> None:
    from aclf_cdisc.raw.parse import is_integer, is_number

    assert not is_number(f"{mantissa}e{exponent}") and not is_number(f"-{mantissa}.5E+{exponent}")
    assert not is_integer(str(mantissa) + "0" * exponent)
    assert parse_result(f"<{mantissa}e{exponent}").value == float("inf")  # the LB mapping names it
