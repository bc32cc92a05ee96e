"""LB (Laboratory Test Results): one record per subject, visit and test of the local-lab form.

Source: the raw ``lb`` form (one row per subject, EDC visit folder and test, in the site's units
with the site's reference range). Needs DM (USUBJID, RFSTDTC for LBDY, RFXSTDTC for LBLOBXFL),
SE (EPOCH) and the subjects' visit map (VISITNUM of unscheduled visits; SV's map from the raw
``sv`` form when not given).

Decisions (stated in specs/methods.yaml and comments.yaml so Define-XML carries them):

* LBTESTCD is the typed test name recoded through the synonyms of CL.LBTESTCD (case and white
  space folded); LBTEST is that term's CDISC test name (its decode); LBCAT the CL.LBCAT term
  whose synonyms list the test code. A name no term knows is an error Issue naming the row.
* Standard units and conversion factors are data: ``conventions.lab_units`` in specs/study.yaml
  (standard unit and a factor per original unit). Converted results are rounded to the decimals
  the value-level metadata of LBSTRESN states for the test (``significant_digits``); results
  already in the standard unit keep the collected value.
* "<x" / ">x" results: LBORRES as collected ("<44"), LBSTRESC the converted bound with the same
  comparator ("<0.50"), LBSTRESN empty (MT.LB.LBSTRESC, COM.LB.CENSORED).
* Duplicate entries: records identical in every mapped variable are one observation entered
  twice; the later copy is dropped with a warning Issue naming both rows (COM.LB). Two different
  results under one key are an error: the builder does not pick one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from aclf_cdisc.errors import DerivationError, Issue
from aclf_cdisc.raw.parse import parse_result
from aclf_cdisc.raw.reader import ROW_COL
from aclf_cdisc.sdtm.assemble import RFXSTDTC, assemble_form, form_file, frame_file
from aclf_cdisc.sdtm.conform import conform_to_spec
from aclf_cdisc.sdtm.ct import recode_ct
from aclf_cdisc.sdtm.derivations import COMMON_DERIVATIONS
from aclf_cdisc.sdtm.duplicates import drop_duplicate_records, key_conflicts
from aclf_cdisc.sdtm.finish import settle_issues
from aclf_cdisc.sdtm.map_inputs import MapInputs
from aclf_cdisc.sdtm.mapping import Derivation, MappingContext, apply_mappings
from aclf_cdisc.sdtm.seq import derive_var_seq
from aclf_cdisc.sdtm.study_day import iso_date_part
from aclf_cdisc.sdtm.text import map_distinct
from aclf_cdisc.sdtm.timing import derive_timing
from aclf_cdisc.sdtm.value_level import value_level_by
from aclf_cdisc.sdtm.visits import subject_visit_map
from aclf_cdisc.spec.model import Dataset, Spec

DOMAIN = "LB"
FORM = "lb"
LAB_UNITS = "lab_units"  # key of spec.study.conventions holding standard units and factors


# ------------------------------------------------------------------------------------------
# standard units
# ------------------------------------------------------------------------------------------
def lab_units(spec: Spec) -> dict[str, dict[str, Any]]:
    """``conventions.lab_units``: LBTESTCD -> {standard: unit, from: {original unit: factor}}."""
    units = spec.study.conventions.get(LAB_UNITS)
    if not units:
        raise DerivationError(Issue(rule="sdtm.lab-units-missing", dataset=DOMAIN, column="LBSTRESU",
                                    message="specs/study.yaml has no conventions.lab_units",
                                    expected="conventions.lab_units: {TESTCD: {standard: unit, from: {unit: factor}}}"))
    return units


def stated_decimals(dataset: Dataset, variable: str = "LBSTRESN") -> dict[str, int]:
    """LBTESTCD -> significant digits of ``variable`` from the value-level metadata."""
    return {value: row.significant_digits for value, row in value_level_by(dataset, variable, "LBTESTCD")
            if row.significant_digits is not None}


def _number(text: object) -> float:
    try:
        return float(str(text))
    except (TypeError, ValueError):
        return np.nan


@dataclass(frozen=True)
class StandardResult:
    """The standardisation of one distinct (test, result text, unit): what every record with them gets.

    ``kind``: "standard" (a number or a <x / >x result), "text" (not a number: copied to
    LBSTRESC), "unconvertible" (no factor for the unit), "not-finite" (a number too large for a
    double as written, ``1e400``, or once converted) or "error" (converted without stated
    decimals). ``digits`` is None when the result keeps its unit (factor 1).
    """

    kind: str
    stresc: str | None = None
    stresn: float = np.nan
    stresu: str | None = None
    factor: float = np.nan
    digits: int | None = None
    collected: float = np.nan
    comparator: str | None = None
    error: Issue | None = None


def standard_result(testcd: str, text: str, unit: str, units: Mapping[str, Any],
                    decimals: Mapping[str, int]) -> StandardResult:
    """The standard result of one collected result ``text`` of ``testcd`` in ``unit``.

    A converted value is rounded with Python's ``round`` (correctly rounded on the binary value)
    to the stated decimals and written with exactly that many; an unconverted one keeps its text.

    >>> units = {"CREAT": {"standard": "umol/L", "from": {"mg/dL": 88.4, "umol/L": 1}}}
    >>> standard_result("CREAT", "<1.2", "mg/dL", units, {"CREAT": 0}).stresc
    '<106'
    >>> standard_result("CREAT", "97", "umol/L", units, {}).stresn
    97.0
    >>> standard_result("CREAT", "1e308", "mg/dL", units, {"CREAT": 0}).kind
    'not-finite'
    """
    rule = units.get(testcd)
    factor = None if rule is None else (rule.get("from") or {}).get(unit)
    if factor is None:
        return StandardResult("unconvertible")
    try:
        result = parse_result(text)
    except ValueError:
        return StandardResult("text", stresc=text, stresu=rule["standard"])  # type: ignore[index]
    factor = float(factor)
    if factor == 1.0:
        number_text, value, digits = text.replace(" ", "").lstrip("<>="), result.value, None
    elif testcd not in decimals:
        return StandardResult("error", error=Issue(
            rule="sdtm.lab-precision-missing", dataset=DOMAIN, column="LBSTRESN", value=testcd,
            message=f"{testcd} is converted but the LBSTRESN value-level metadata states no significant_digits",
            expected=f"value_level LBSTRESN where LBTESTCD EQ {testcd} with significant_digits"))
    else:
        digits = decimals[testcd]
        value = round(result.value * factor, digits)
        number_text = f"{value:.{digits}f}"
    if not math.isfinite(value):
        return StandardResult("not-finite", stresu=rule["standard"], factor=factor)  # type: ignore[index]
    return StandardResult("standard", stresc=f"{result.comparator or ''}{number_text}",
                          stresn=np.nan if result.censored else value, stresu=rule["standard"],  # type: ignore[index]
                          factor=factor, digits=digits, collected=result.value, comparator=result.comparator)


def _distinct_codes(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A code per distinct combination of ``columns`` (missing is a value), numbered in order of
    first appearance, and the position of each combination's first element.

    >>> codes, first = _distinct_codes(np.array(["a", "b", "a"], dtype=object), np.array([1, 2, 1]))
    >>> codes.tolist(), first.tolist()
    ([0, 1, 0], [0, 1])
    """
    combined = np.zeros(len(columns[0]), dtype=np.int64)
    for column in columns:
        codes, uniques = pd.factorize(column, use_na_sentinel=False)
        combined = combined * max(len(uniques), 1) + codes
    codes = pd.factorize(combined)[0]
    first = np.unique(codes, return_index=True)[1]
    return codes, first


def converted_limits(limits: np.ndarray, factors: np.ndarray, digits: np.ndarray) -> np.ndarray:
    """Reference limits times their factors, rounded to ``digits`` (-1: kept as they are) with
    ``np.round``, as rounding a numpy float does.

    >>> converted_limits(np.array([1.2, 0.5, np.nan]), np.array([88.4, 1.0, 88.4]), np.array([0, -1, 0])).tolist()
    [106.0, 0.5, nan]
    """
    out = np.array(limits, dtype=float)
    with np.errstate(over="ignore"):  # a limit too large once converted is infinity: standardize reports it
        for places in np.unique(digits[digits >= 0]):
            at = digits == places
            out[at] = np.round(limits[at] * factors[at], int(places))
    return out


def standardize(frame: pd.DataFrame, spec: Spec, dataset: Dataset) -> tuple[pd.DataFrame, list[Issue]]:
    """Standard results for every record: STRESC, STRESN, STRESU, STNRLO, STNRHI, NRIND (+ issues).

    Reads LBTESTCD, LBORRES, LBORRESU (recoded), LBORNRLO, LBORNRHI and LBSTAT. A record not done,
    or without a result, gets no standard values. Each distinct test, result text and unit is
    standardised once (:func:`standard_result`).
    """
    units = lab_units(spec)
    decimals = stated_decimals(dataset)
    n = len(frame)
    rows = frame[ROW_COL] if ROW_COL in frame.columns else pd.Series(range(1, n + 1), index=frame.index)
    file = frame_file(frame, FORM)
    has_result = (frame["LBORRES"].notna() & frame["LBTESTCD"].notna() & frame["LBSTAT"].isna()).to_numpy()
    where = np.flatnonzero(has_result)
    testcds = frame["LBTESTCD"].to_numpy(dtype=object)[where]
    texts = frame["LBORRES"].to_numpy(dtype=object)[where]
    record_units = map_distinct(frame["LBORRESU"], lambda u: "" if u is None or pd.isna(u) else str(u)).to_numpy()
    unit_values = record_units[where]
    row_numbers = rows.to_numpy()[where]
    # the site's reference limits repeat across records: each distinct text is read once
    lows, highs = (map_distinct(frame[column], _number).to_numpy(dtype=float) for column in ("LBORNRLO", "LBORNRHI"))
    codes, first = _distinct_codes(testcds, texts, unit_values)
    distinct = [standard_result(testcds[pos], str(texts[pos]), unit_values[pos], units, decimals) for pos in first]

    def per_record(field: str, dtype: Any, empty: Any) -> np.ndarray:
        """``field`` of each record's distinct result; ``empty`` for records without a result."""
        out = np.full(n, empty, dtype=dtype)
        values = [getattr(d, field) for d in distinct]
        out[where] = np.array([empty if v is None else v for v in values] + [empty], dtype=dtype)[codes]
        return out

    kinds = per_record("kind", object, None)[where]
    for pos in np.flatnonzero(kinds == "error")[:1]:
        raise DerivationError(distinct[codes[pos]].error)
    issues = [Issue(rule="sdtm.lab-result-not-numeric", severity="warning", dataset=DOMAIN, file=file,
                    row=int(row_numbers[pos]), column="LBORRES", value=str(texts[pos]),
                    message="result is not a number or a <x / >x result; copied to LBSTRESC as text",
                    expected="a number, <x or >x")
              for pos in np.flatnonzero(kinds == "text")]
    unconvertible: dict[tuple[str, str], list[int]] = {}
    for pos in np.flatnonzero(kinds == "unconvertible"):
        unconvertible.setdefault((str(testcds[pos]), unit_values[pos]), []).append(int(row_numbers[pos]))
    for (testcd, unit), found in sorted(unconvertible.items()):
        issues.append(Issue(
            rule="sdtm.lab-unit-unknown", dataset=DOMAIN, file=file, row=found[0], column="LBORRESU",
            value=unit or None,
            message=f"no conversion of {testcd} from unit {unit!r} to the standard unit; rows {found[:20]}",
            expected=f"one of {sorted((units.get(testcd) or {}).get('from', {}))} (conventions.lab_units.{testcd})"))
    issues += [not_finite_issue("LBORRES", str(texts[pos]), unit_values[pos], distinct[codes[pos]].stresu,
                                distinct[codes[pos]].factor, file, int(row_numbers[pos]))
               for pos in np.flatnonzero(kinds == "not-finite")]
    standard = per_record("kind", object, None) == "standard"
    factors = per_record("factor", float, np.nan)
    places = np.where(standard, per_record("digits", np.int64, -1), -1)  # -1: not converted
    stnrlo = np.where(standard, converted_limits(lows, factors, places), np.nan)
    stnrhi = np.where(standard, converted_limits(highs, factors, places), np.nan)
    standard_units = per_record("stresu", object, None)
    for column, limits, converted in (("LBORNRLO", lows, stnrlo), ("LBORNRHI", highs, stnrhi)):
        issues += [not_finite_issue(column, str(frame[column].iloc[pos]), record_units[pos], standard_units[pos],
                                    factors[pos], file, int(rows.iloc[pos]))
                   for pos in np.flatnonzero(np.isfinite(np.asarray(limits, dtype=float)) & np.isinf(converted))]
    out = pd.DataFrame({"STRESC": per_record("stresc", object, None), "STRESN": per_record("stresn", float, np.nan),
                        "STRESU": per_record("stresu", object, None), "STNRLO": stnrlo, "STNRHI": stnrhi,
                        "NRIND": reference_range_indicators(per_record("collected", float, np.nan),
                                                            per_record("comparator", object, None), lows, highs)},
                       index=frame.index)
    return out, issues


def not_finite_issue(column: str, text: str, unit: str, standard_unit: str | None, factor: float,
                     file: str | None, row: int) -> Issue:
    """The error for a raw lab number (``column`` of record ``row``, in ``unit``) that is, or becomes
    once converted to ``standard_unit`` by ``factor``, too large for a number: it would be infinity
    in LB and ADLB, which no transport file holds.

    >>> not_finite_issue("LBORRES", "1e308", "mg/dL", "umol/L", 17.1, "lb.csv", 4).message
    'LBORRES 1e308 mg/dL is too large for a number once converted to umol/L (x 17.1); correct the value in the export'
    """
    converted = "" if factor == 1.0 else f" once converted to {standard_unit} (x {factor:g})"
    return Issue(rule="sdtm.lab-number-not-finite", dataset=DOMAIN, file=file, row=row, column=column, value=text,
                 message=f"{column} {text} {unit}".rstrip() + f" is too large for a number{converted}; "
                         "correct the value in the export",
                 expected="a number whose value in the standard unit is finite")


def reference_range_indicators(values: np.ndarray, comparators: np.ndarray, lows: np.ndarray,
                               highs: np.ndarray) -> np.ndarray:
    """LOW / HIGH / NORMAL in the original units (exact, before any rounding); None when unknown,
    element by element (object array). A missing value has no indicator.

    A "<x" result is LOW when x <= the lower limit, a ">x" result HIGH when x >= the upper
    limit; otherwise its position is unknown. Without any limit there is no indicator.
    """
    values, lows, highs = (np.asarray(a, dtype=float) for a in (values, lows, highs))
    has_low, has_high = ~np.isnan(lows), ~np.isnan(highs)
    below = np.isin(comparators, ["<", "<="])
    above = np.isin(comparators, [">", ">="])
    exact = ~below & ~above
    low = (below & has_low & (values <= lows)) | (exact & has_low & (values < lows))
    high = (above & has_high & (values >= highs)) | (exact & ~low & has_high & (values > highs))
    out = np.full(values.shape, None, dtype=object)
    out[exact] = "NORMAL"
    out[low] = "LOW"
    out[high] = "HIGH"
    out[~(has_low | has_high) | np.isnan(values)] = None  # no limit, or no result: no indicator
    return out


def reference_range_indicator(value: float, comparator: str | None, low: float, high: float) -> str | None:
    """:func:`reference_range_indicators` of one result."""
    found = reference_range_indicators(np.array([value]), np.array([comparator], dtype=object), np.array([low]),
                                       np.array([high]))
    return None if found[0] is None else str(found[0])


# ------------------------------------------------------------------------------------------
# derivations (the spec's ``map: {rule: derive, function: ...}``)
# ------------------------------------------------------------------------------------------
def _standardized(frame: pd.DataFrame, spec: Spec, dataset: Dataset,
                  cache: dict[int, Any] | None) -> tuple[pd.DataFrame, list[Issue]]:
    """:func:`standardize` of ``frame``, computed once per frame when given a ``cache``.

    The mapping run derives LBSTRESC ... LBNRIND from one standardisation, and :func:`build_lb`
    takes its issues from the same one: the columns it reads are mapped before any derivation.
    """
    if cache is None:
        return standardize(frame, spec, dataset)
    known = cache.get(id(frame))
    if known is None or known[0] is not frame:
        known = cache[id(frame)] = (frame, *standardize(frame, spec, dataset))
    return known[1], known[2]


def _standard(frame: pd.DataFrame, context: MappingContext, column: str) -> pd.Series:
    """One column of :func:`standardize`, computed once per mapping run (``options["cache"]``)."""
    values, _ = _standardized(frame, context.spec, context.dataset, context.options.get("cache"))
    return values[column]


def derive_lbtest(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    """The CDISC test name: the decode of the LBTESTCD term."""
    codelist = context.spec.codelists[context.dataset.variable("LBTESTCD").codelist or ""]
    names = {t.submission_value: t.decode for t in codelist.terms}
    return frame["LBTESTCD"].map(names).astype(object)


def derive_lbcat(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    """The CL.LBCAT term whose synonyms list the test code."""
    codelist = context.spec.codelists[context.dataset.variable("LBCAT").codelist or ""]
    values, _ = recode_ct(frame["LBTESTCD"], codelist, dataset=DOMAIN, variable="LBCAT")
    return values


def derive_lbstresc(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    return _standard(frame, context, "STRESC")


def derive_lbstresn(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    return _standard(frame, context, "STRESN")


def derive_lbstresu(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    return _standard(frame, context, "STRESU")


def derive_lbstnrlo(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    return _standard(frame, context, "STNRLO")


def derive_lbstnrhi(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    return _standard(frame, context, "STNRHI")


def derive_lbnrind(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    return _standard(frame, context, "NRIND")


DERIVATIONS: dict[str, Derivation] = {
    **COMMON_DERIVATIONS,
    "derive_lbtest": derive_lbtest,
    "derive_lbcat": derive_lbcat,
    "derive_lbstresc": derive_lbstresc,
    "derive_lbstresn": derive_lbstresn,
    "derive_lbstresu": derive_lbstresu,
    "derive_lbstnrlo": derive_lbstnrlo,
    "derive_lbstnrhi": derive_lbstnrhi,
    "derive_lbnrind": derive_lbnrind,
}
MAP_INPUTS = MapInputs(forms=(FORM,), derivations=frozenset(DERIVATIONS))


def on_or_before_reference(dtc: pd.Series, ref: pd.Series) -> np.ndarray:
    """Whether each ISO 8601 date/time of ``dtc`` is on or before ``ref`` (bool array): both with a
    time are compared to the minute, otherwise by date (a date-only value on the reference day
    counts as before); a partial or missing date is never. Each distinct pair is compared once.

    >>> on_or_before_reference(pd.Series(["2024-01-05", "2024-01-05T14:00", "2024-01"]),
    ...                        pd.Series(["2024-01-05T10:00"] * 3)).tolist()
    [True, False, False]
    """
    dtc, ref = dtc.astype("string"), ref.astype("string")
    codes, first = _distinct_codes(dtc.to_numpy(dtype=object), ref.to_numpy(dtype=object))
    dtc, ref = dtc.iloc[first].reset_index(drop=True), ref.iloc[first].reset_index(drop=True)
    with_time = dtc.str.len().ge(16).fillna(False) & ref.str.len().ge(16).fillna(False)
    day, ref_day = iso_date_part(dtc), iso_date_part(ref)
    same_minute = dtc.str.slice(0, 16) <= ref.str.slice(0, 16)
    on_or_before = (day.notna() & ref_day.notna() & (day < ref_day)) | (
        day.notna() & (day == ref_day) & (~with_time | same_minute))
    return on_or_before.fillna(False).astype(bool).to_numpy()[codes]


def derive_var_lobxfl(dataset: pd.DataFrame, *, ref_var: str = RFXSTDTC, dtc_var: str = "LBDTC",
                      by_vars: Sequence[str] = ("USUBJID", "LBTESTCD"), new_var: str = "LBLOBXFL",
                      order: Sequence[str] = ("VISITNUM", "LBSEQ")) -> pd.DataFrame:
    """Flag (Y) the last record with a result on or before the first exposure, per subject and test.

    A record qualifies when it has a result (LBORRES, no LBSTAT) and its date/time is on or before
    ``ref_var`` (:func:`on_or_before_reference`). The last one by date/time, then ``order``, is
    flagged. Subjects never exposed get no flag.
    """
    if new_var in dataset.columns:
        raise ValueError(f"{new_var} already exists; derive_var_lobxfl does not overwrite")
    qualifies = on_or_before_reference(dataset[dtc_var], dataset[ref_var]) & (
        dataset["LBORRES"].notna() & dataset["LBSTAT"].isna()).to_numpy()
    present = [c for c in order if c in dataset.columns]
    candidates = dataset.loc[qualifies, list(dict.fromkeys([*by_vars, *present]))]  # only the sort keys
    candidates = candidates.assign(_dtc=dataset.loc[qualifies, dtc_var].astype("string"))
    candidates = candidates.sort_values([*by_vars, "_dtc", *present], kind="mergesort")
    last = candidates.drop_duplicates(list(by_vars), keep="last").index
    flags = np.full(len(dataset), None, dtype=object)
    flags[dataset.index.isin(last)] = "Y"
    return dataset.assign(**{new_var: pd.Series(flags, index=dataset.index, dtype=object)})


# ------------------------------------------------------------------------------------------
# the builder
# ------------------------------------------------------------------------------------------
DUPLICATE_COLUMNS = ("USUBJID", "LBTESTCD", "lb.VISIT", "LBDTC", "LBORRES", "LBORRESU", "LBORNRLO", "LBORNRHI",
                     "LBSTAT", "LBREASND")


def build_lb(raw: Any, spec: Spec, *, dm: pd.DataFrame, se: pd.DataFrame,
             visit_map: pd.DataFrame | None = None, issues: list[Issue] | None = None) -> pd.DataFrame:
    """Build LB from the raw lb form.

    ``dm``: SDTM DM (USUBJID, RFSTDTC, RFXSTDTC); ``se``: SDTM SE (EPOCH); ``visit_map``: the
    subject visit map (:func:`aclf_cdisc.sdtm.visits.subject_visit_map`, built from the raw sv form
    when None, so unscheduled visits are numbered as in SV). Errors (unmapped test names or
    units, unknown visits, subjects not in DM, conflicting duplicates) raise :class:`InputError`
    with every Issue; warnings (dropped duplicate entries, non-numeric results) are appended to
    ``issues``.
    """
    dataset = spec.dataset(DOMAIN)
    found: list[Issue] = []
    assembled = assemble_form(raw, spec, FORM, dm, dataset=DOMAIN, issues=found)
    cache: dict[int, Any] = {}
    frame, mapped = apply_mappings(assembled, dataset, spec, DERIVATIONS, options={"cache": cache})
    found += mapped
    _, standard_issues = _standardized(frame, spec, dataset, cache)
    found += standard_issues
    frame = drop_duplicate_records(frame, DUPLICATE_COLUMNS, dataset=DOMAIN, file=form_file(raw, FORM),
                                   issues=found)
    if visit_map is None:
        visit_map = subject_visit_map(raw, spec)
    frame = derive_timing(frame, spec, dataset=DOMAIN, form=FORM, dtc_var="LBDTC", dy_var="LBDY", se=se,
                          visit_map=visit_map, issues=found)
    found += key_conflicts(frame, [k for k in dataset.keys if k != "LBSEQ"], dataset=DOMAIN,
                           file=form_file(raw, FORM))
    settle_issues(found, issues, DOMAIN)
    numbered = derive_var_seq(frame, "LBSEQ", order=list(dataset.keys))
    return conform_to_spec(derive_var_lobxfl(numbered), dataset)


def lb_test_categories(spec: Spec, dataset: Dataset | None = None) -> Mapping[str, str | None]:
    """LBTESTCD -> LBCAT for every term of the LBTESTCD codelist (None when CL.LBCAT has none)."""
    dataset = dataset or spec.dataset(DOMAIN)
    tests = spec.codelists[dataset.variable("LBTESTCD").codelist or ""].values
    codes = pd.Series(list(tests), dtype=object)
    cats, _ = recode_ct(codes, spec.codelists[dataset.variable("LBCAT").codelist or ""], dataset=DOMAIN,
                        variable="LBCAT")
    return {t: (c if isinstance(c, str) else None) for t, c in zip(tests, cats, strict=True)}
