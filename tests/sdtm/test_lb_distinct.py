"""LB standardisation per distinct result equals the record-by-record definition, on random inputs.

The oracle below is the record-by-record loop the per-distinct :func:`standardize` replaced:
Python's ``round`` on each converted result (correctly rounded), numpy rounding on each converted
reference limit (``round`` of a numpy float), every issue in record order.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aclf_cdisc.errors import Issue
from aclf_cdisc.raw.parse import parse_result
from aclf_cdisc.raw.reader import ROW_COL
from aclf_cdisc.sdtm.assemble import frame_file
from aclf_cdisc.sdtm.domains.lb import (
    DOMAIN,
    FORM,
    _number,
    lab_units,
    reference_range_indicators,
    standardize,
    stated_decimals,
)
from aclf_cdisc.spec.model import Dataset, Spec


def standardize_record_by_record(frame: pd.DataFrame, spec: Spec, dataset: Dataset) -> tuple[pd.DataFrame, list[Issue]]:
    units = lab_units(spec)
    decimals = stated_decimals(dataset)
    n = len(frame)
    rows = frame[ROW_COL] if ROW_COL in frame.columns else pd.Series(range(1, n + 1), index=frame.index)
    file = frame_file(frame, FORM)
    stresc: list[str | None] = [None] * n
    stresn, stnrlo, stnrhi, collected = (np.full(n, np.nan) for _ in range(4))
    stresu: list[str | None] = [None] * n
    comparators: list[str | None] = [None] * n
    issues: list[Issue] = []
    unconvertible: dict[tuple[str, str], list[int]] = {}
    has_result = (frame["LBORRES"].notna() & frame["LBTESTCD"].notna() & frame["LBSTAT"].isna()).to_numpy()
    testcds, texts = frame["LBTESTCD"].to_numpy(), frame["LBORRES"].to_numpy()
    unit_values = ["" if u is None or pd.isna(u) else str(u) for u in frame["LBORRESU"]]
    lows, highs = frame["LBORNRLO"].map(_number).to_numpy(), frame["LBORNRHI"].map(_number).to_numpy()
    for pos in np.flatnonzero(has_result):
        testcd, text, unit = testcds[pos], str(texts[pos]), unit_values[pos]
        rule = units.get(testcd)
        factor = None if rule is None else (rule.get("from") or {}).get(unit)
        if factor is None:
            unconvertible.setdefault((str(testcd), unit), []).append(int(rows.iloc[pos]))
            continue
        try:
            result: Any = parse_result(text)
        except ValueError:
            result = None
        stresu[pos] = rule["standard"]
        if result is None:
            issues.append(Issue(
                rule="sdtm.lab-result-not-numeric", severity="warning", dataset=DOMAIN, file=file,
                row=int(rows.iloc[pos]), column="LBORRES", value=text,
                message="result is not a number or a <x / >x result; copied to LBSTRESC as text",
                expected="a number, <x or >x"))
            stresc[pos] = text
            continue
        factor = float(factor)
        low, high = lows[pos], highs[pos]
        if factor != 1.0:
            digits = decimals[testcd]
            value = round(result.value * factor, digits)
            number_text = f"{value:.{digits}f}"
            stnrlo[pos] = round(low * factor, digits) if not np.isnan(low) else np.nan
            stnrhi[pos] = round(high * factor, digits) if not np.isnan(high) else np.nan
        else:
            value = result.value
            number_text = text.replace(" ", "").lstrip("<>=")
            stnrlo[pos], stnrhi[pos] = low, high
        stresc[pos] = f"{result.comparator or ''}{number_text}"
        stresn[pos] = np.nan if result.censored else value
        collected[pos], comparators[pos] = result.value, result.comparator
    for (testcd, unit), where in sorted(unconvertible.items()):
        issues.append(Issue(
            rule="sdtm.lab-unit-unknown", dataset=DOMAIN, file=file, row=where[0], column="LBORRESU",
            value=unit or None,
            message=f"no conversion of {testcd} from unit {unit!r} to the standard unit; rows {where[:20]}",
            expected=f"one of {sorted((units.get(testcd) or {}).get('from', {}))} (conventions.lab_units.{testcd})"))
    out = pd.DataFrame({"STRESC": pd.Series(stresc, dtype=object).to_numpy(), "STRESN": stresn,
                        "STRESU": pd.Series(stresu, dtype=object).to_numpy(), "STNRLO": stnrlo, "STNRHI": stnrhi,
                        "NRIND": reference_range_indicators(collected, np.array(comparators, dtype=object),
                                                            lows, highs)}, index=frame.index)
    return out, issues


# results whose converted value Python's round and np.round round differently (CREAT umol/L and
# ALB g/dL at the spec's factors and decimals): 6.63 umol/L -> 0.075 mg/dL, 0.005 g/dL -> 0.05 g/L
DISAGREEING = ["6.63", "15.47", "19.89", "28.73", "0.005", "0.015", "0.065", "0.085"]
# decimal texts with up to 4 places, many of them ties once converted (x.xx5 after a factor of 10)
numbers = st.one_of(st.builds(lambda whole, places: f"{whole / 10 ** places:.{places}f}",
                              st.integers(0, 2_000_000), st.integers(0, 4)),
                    st.sampled_from(DISAGREEING))
results = st.one_of(numbers, st.builds(lambda c, s, t: f"{c}{s}{t}", st.sampled_from(["<", ">", "<=", "> "]),
                                       st.just(""), numbers),
                    st.sampled_from(["haemolysed", "", "1e3", " 4.5", None]))
COLUMNS = ["LBTESTCD", "LBORRES", "LBORRESU", "LBORNRLO", "LBORNRHI", "LBSTAT"]
records = st.fixed_dictionaries({
    "LBTESTCD": st.sampled_from(["BILI", "CREAT", "ALB", "ALT", "INR", "UNKNOWN", None]),
    "LBORRES": results,
    "LBORRESU": st.sampled_from(["umol/L", "mg/dL", "g/dL", "g/L", "U/L", "", None, "mmol/L"]),
    "LBORNRLO": st.one_of(numbers, st.none()),
    "LBORNRHI": st.one_of(numbers, st.none(), st.just("n/a")),
    "LBSTAT": st.sampled_from([None, None, None, "NOT DONE"]),
})


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(records, max_size=40), st.randoms(use_true_random=False))
def test_per_distinct_standardisation_equals_the_record_by_record_one(spec, rows, rnd) -> None:
    # records repeat, as lab results do, so distinct values are shared between records
    rows = rows + [rnd.choice(rows) for _ in range(len(rows))] if rows else rows
    frame = pd.DataFrame(rows, columns=COLUMNS, dtype=object)
    dataset = spec.dataset("LB")
    expected, expected_issues = standardize_record_by_record(frame, spec, dataset)
    found, found_issues = standardize(frame, spec, dataset)
    pd.testing.assert_frame_equal(found, expected, check_exact=True)
    assert found_issues == expected_issues


def test_converted_results_round_as_python_does_and_limits_as_numpy_does(spec) -> None:
    # 0.005 g/dL x 10 = 0.05000000000000000277 (binary): Python's round to 1 place gives 0.1, np.round
    # (0.05 x 10 = 0.5, then half to even) 0.0; a limit of 0.005 g/dL converts as np.round does
    assert stated_decimals(spec.dataset("LB"))["ALB"] == 1
    frame = pd.DataFrame({"LBTESTCD": ["ALB", "ALB"], "LBORRES": ["0.005", "<0.005"], "LBORRESU": ["g/dL", "g/dL"],
                          "LBORNRLO": ["0.005", None], "LBORNRHI": ["5.05", "5.05"], "LBSTAT": [None, None]},
                         dtype=object)
    found, issues = standardize(frame, spec, spec.dataset("LB"))
    assert found["STRESC"].tolist() == ["0.1", "<0.1"]
    assert found["STRESN"].tolist()[0] == 0.1 and np.isnan(found["STRESN"].tolist()[1])
    assert found["STNRLO"].tolist()[0] == 0.0 and np.isnan(found["STNRLO"].tolist()[1])
    assert found["STNRHI"].tolist() == [50.5, 50.5] and issues == []


def test_a_result_or_limit_too_large_once_converted_is_an_error_naming_the_raw_record(spec) -> None:
    frame = pd.DataFrame({"LBTESTCD": ["BILI", "BILI", "BILI"], "LBORRES": ["1e308", "1e400", "2"],
                          "LBORRESU": ["mg/dL", "umol/L", "mg/dL"], "LBORNRLO": [None, None, "1e308"],
                          "LBORNRHI": ["1.2", None, None], "LBSTAT": [None, None, None],
                          "__file": ["lb.csv"] * 3, ROW_COL: [7, 8, 9]}, dtype=object)
    found, issues = standardize(frame, spec, spec.dataset("LB"))
    assert [(i.rule, i.severity, i.file, i.row, i.column, i.value) for i in issues] == [
        ("sdtm.lab-number-not-finite", "error", "lb.csv", 7, "LBORRES", "1e308"),
        ("sdtm.lab-number-not-finite", "error", "lb.csv", 8, "LBORRES", "1e400"),
        ("sdtm.lab-number-not-finite", "error", "lb.csv", 9, "LBORNRLO", "1e308")]
    assert issues[1].message == "LBORRES 1e400 umol/L is too large for a number; correct the value in the export"
    assert found["STRESN"].isna().tolist()[:2] == [True, True]
