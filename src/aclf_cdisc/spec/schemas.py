"""pandera schemas generated from the spec, and their failures turned into Issues.

One builder per layout, each mapping spec facets to pandera through one small rule per facet:

==================  ==============================================================================
spec facet          pandera
==================  ==============================================================================
variable order      ``ordered=True``, ``strict=True`` (no undeclared columns)
data_type           text: values are ``str`` (object or pandas ``str`` dtype, missing allowed);
                    integer/float: ``float64`` (coerced, so a non-number fails); ADaM numeric
                    dates: ``datetime64`` in memory or SAS day numbers (``date_mode``);
                    SDTM date/datetime types: ISO 8601 text
length              byte-length check for character variables with a fixed length (always <= 200)
codelist            ``isin``: error for a non-extensible codelist, warning for an extensible one
core Req            not nullable, and for character not an empty string
keys                frame-level uniqueness of the key variables
value_level         checks on the rows where the where clause holds (type, length, codelist,
                    mandatory, unit of the companion --ORRESU/--STRESU variable)
label/origin        column ``metadata``
==================  ==============================================================================

:func:`validate_frame` always validates lazily and returns one Issue per failing cell (rule
``schema.<check>``), naming the dataset, the row (``USUBJID=..., --SEQ=...`` when present, else the
1-based row number), the column, the value and what was expected.
"""

from __future__ import annotations

import dataclasses
import math
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Literal

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from aclf_cdisc.errors import Issue
from aclf_cdisc.limits import MAX_CHAR_BYTES
from aclf_cdisc.spec.model import Codelist, Dataset, RawColumn, RawForm, Spec, ValueLevel, Variable

DateMode = Literal["auto", "datetime", "sas", "text"]

_ISO_DT = (r"\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])"
           r"(T([01]\d|2[0-3])(:[0-5]\d(:[0-5]\d(\.\d+)?)?)?)?)?)?")
ISO8601_PATTERN = rf"^{_ISO_DT}(/{_ISO_DT})?$"
ISO8601_DURATION_PATTERN = r"^-?P(\d+(\.\d+)?[YMWD])*(T(\d+(\.\d+)?[HMS])+)?$"
ISO_TEXT_TYPES = frozenset({
    "date", "datetime", "time", "partialDate", "partialTime", "partialDatetime", "incompleteDatetime",
    "intervalDatetime",
})
NUMERIC_DATE_FORMATS = re.compile(r"^(DATE|DATETIME|TIME|E8601D[AT]|E8601TM|YYMMDD|IS8601)\w*\.\d*$")
VALUE_LEVEL_PREFIX = "value_level"


# --------------------------------------------------------------------------------------------
# small vectorised predicates (missing values pass: nullability is its own facet)
# --------------------------------------------------------------------------------------------
def _is_missing(series: pd.Series) -> pd.Series:
    """``series.isna()``, read from the column's shared factorization (missing values: code -1)."""
    return pd.Series(_factorized(series)[0] == -1, index=series.index)


def _map_distinct(series: pd.Series, predicate: Callable[[Any], bool]) -> pd.Series:
    """``series.map(predicate)`` as booleans, judging each distinct value once.

    Columns repeat few distinct values over many records, so the predicate runs on the distinct
    values and the verdicts are spread back by their factorize codes. Only values that cannot be
    told apart by equality are shared: text, and any value of a non-object column (one type).
    Missing values and the non-text values of an object column (where ``1 == 1.0 == True``) are
    judged one by one, exactly as ``map`` would, except that every None is alike and so is every
    float NaN, so each of those two is judged once (:func:`_singles`).
    """
    codes, distinct = _factorized(series)
    shared = series.dtype != object
    verdicts = np.zeros(len(distinct) + 1, dtype=bool)  # the last slot stands for code -1
    for i, value in enumerate(distinct):
        if shared or isinstance(value, str):
            verdicts[i] = bool(predicate(value))
    passed = verdicts[codes]
    positions, kinds, values = _singles(series)
    if len(positions):
        judged = np.empty(len(positions), dtype=bool)
        for kind in (_NONE, _FLOAT_NAN):
            alike = np.flatnonzero(kinds == kind)
            if len(alike):
                judged[alike] = bool(predicate(values[alike[0]]))
        for j in np.flatnonzero(kinds == _OTHER).tolist():
            judged[j] = bool(predicate(values[j]))
        passed[positions] = judged
    return pd.Series(passed, index=series.index)


_NONE, _FLOAT_NAN, _OTHER = 0, 1, 2  # the kinds of the values judged one by one


def _singles(series: pd.Series) -> tuple[np.ndarray, np.ndarray, list[Any]]:
    """The records :func:`_map_distinct` judges one by one (missing values, and non-text values of
    an object column): their positions, kinds (None, float NaN, other) and values. Shared by the
    checks of one column within one validation, like :func:`_factorized`."""
    shared = _SINGLES.get()
    known = shared.get(id(series)) if shared is not None else None
    if known is not None and known[0] is series:
        return known[1], known[2], known[3]
    codes, distinct = _factorized(series)
    one_by_one = np.ones(len(distinct) + 1, dtype=bool)  # the last slot stands for code -1: missing
    if series.dtype != object:
        one_by_one[:-1] = False
    else:
        one_by_one[:-1] = [not isinstance(value, str) for value in distinct]
    positions = np.flatnonzero(one_by_one[codes])
    values = series.iloc[positions].tolist() if len(positions) else []
    kinds = np.array([_NONE if v is None else _FLOAT_NAN if type(v) is float and v != v else _OTHER
                      for v in values], dtype=np.int8)
    if shared is not None:
        shared[id(series)] = (series, positions, kinds, values)
    return positions, kinds, values


_FACTORIZED: ContextVar[dict[int, tuple[pd.Series, np.ndarray, Any]] | None] = ContextVar("_FACTORIZED",
                                                                                          default=None)
_SINGLES: ContextVar[dict[int, tuple[pd.Series, np.ndarray, np.ndarray, list[Any]]] | None] = ContextVar(
    "_SINGLES", default=None)


def _forget_column(series: pd.Series) -> None:
    """Drop what :func:`_factorized` and :func:`_singles` keep for ``series`` (its checks are done):
    a validation then holds one column's codes at a time, not the whole frame's."""
    for shared in (_FACTORIZED.get(), _SINGLES.get()):
        if shared is not None:
            shared.pop(id(series), None)


def _factorized(series: pd.Series) -> tuple[np.ndarray, Any]:
    """``pd.factorize(series)``, shared by the checks of one column within one validation
    (:func:`_shared_condition_columns`)."""
    shared = _FACTORIZED.get()
    known = shared.get(id(series)) if shared is not None else None
    if known is not None and known[0] is series:
        return known[1], known[2]
    codes, distinct = pd.factorize(series, use_na_sentinel=True)
    if shared is not None:
        shared[id(series)] = (series, codes, distinct)
    return codes, distinct


def _text_ok(value: Any) -> bool:
    return isinstance(value, str)


def _is_text(series: pd.Series) -> pd.Series:
    return _map_distinct(series, _text_ok) | _is_missing(series)


def _blank_text(value: Any) -> bool:
    return isinstance(value, str) and value.strip() == ""


def _not_blank(series: pd.Series) -> pd.Series:
    return ~_map_distinct(series, _blank_text)


def _byte_length_at_most(limit: int) -> Callable[[pd.Series], pd.Series]:
    def fits(value: Any) -> bool:
        return not isinstance(value, str) or len(value.encode("utf-8")) <= limit

    def check(series: pd.Series) -> pd.Series:
        return _map_distinct(series, fits)
    return check


def _matches(pattern: str, flags: int = 0) -> Callable[[pd.Series], pd.Series]:
    regex = re.compile(pattern, flags)

    def matched(value: Any) -> bool:
        return not isinstance(value, str) or value == "" or bool(regex.match(value.strip()))

    def check(series: pd.Series) -> pd.Series:
        return _map_distinct(series, matched)
    return check


def _number_text_ok(value: Any) -> bool:
    """A number, a missing value, blank text or text that is a finite decimal number. ``float``
    also reads ``inf``, ``nan`` and ``1_000``, which are no result a reader of the data can use
    (nor a number SAS or Dataset-JSON would read back), so those are not numbers here.

    >>> [_number_text_ok(v) for v in ("12.5", " 1e-3 ", "", None, "inf", "NaN", "1_000", "1e400", "<44")]
    [True, True, True, True, False, False, False, False, False]
    """
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return True
    if isinstance(value, int | float | np.number):
        return True
    text = str(value).strip()
    if text == "":
        return True
    try:
        number = float(text)
    except ValueError:
        return False
    return math.isfinite(number) and "_" not in text


def _is_number_text(series: pd.Series) -> pd.Series:
    return _map_distinct(series, _number_text_ok)


def _is_datetime(series: pd.Series) -> bool:
    return bool(pd.api.types.is_datetime64_any_dtype(series.dtype))


# --------------------------------------------------------------------------------------------
# dataset schema
# --------------------------------------------------------------------------------------------
def is_numeric_date(var: Variable | ValueLevel, standard: str) -> bool:
    """An ADaM numeric date/time variable (SAS date with a date/time display format)."""
    if standard != "ADaM" or var.data_type not in ("integer", "float"):
        return False
    fmt = (var.display_format or "").upper()
    return bool(NUMERIC_DATE_FORMATS.match(fmt))


def _codelist_check(codelist: Codelist, *, name: str | None = None) -> pa.Check | None:
    if codelist.external or not codelist.terms:
        return None
    values = list(codelist.values)
    if codelist.data_type in ("integer", "float"):
        numbers = [float(v) for v in values]
        return pa.Check(lambda s, numbers=numbers: s.isin(numbers) | s.isna(), name=name or "isin",
                        description=f"in codelist {codelist.oid}", raise_warning=codelist.extensible)
    return pa.Check(lambda s, values=values: s.isin(values) | s.isna(), name=name or "isin",
                    description=f"in codelist {codelist.oid}", raise_warning=codelist.extensible)


def _column(var: Variable, ds: Dataset, spec: Spec | None, date_mode: DateMode) -> pa.Column:
    checks: list[pa.Check] = []
    nullable = var.core != "Req"
    dtype: Any = None
    coerce = False
    numeric_date = is_numeric_date(var, ds.standard)
    if numeric_date and date_mode in ("auto", "datetime"):
        checks.append(pa.Check(lambda s: pd.Series(_is_datetime(s), index=s.index), name="is_datetime",
                               description="datetime64 values (ADaM date in memory)"))
    elif var.is_numeric:
        dtype, coerce = "float64", True
    else:
        checks.append(pa.Check(_is_text, name="is_text", description="text values"))
        limit = min(var.length or MAX_CHAR_BYTES, MAX_CHAR_BYTES)
        checks.append(pa.Check(_byte_length_at_most(limit), name="str_byte_length",
                               description=f"at most {limit} bytes"))
        if not nullable:
            checks.append(pa.Check(_not_blank, name="not_blank", description="a non-empty value (core Req)"))
        if var.data_type in ISO_TEXT_TYPES and date_mode != "text":
            checks.append(pa.Check(_matches(ISO8601_PATTERN), name="iso8601",
                                   description="an ISO 8601 date/time (YYYY[-MM[-DD[Thh:mm[:ss]]]])"))
        if var.data_type == "durationDatetime":
            checks.append(pa.Check(_matches(ISO8601_DURATION_PATTERN), name="iso8601_duration",
                                   description="an ISO 8601 duration (e.g. P3W)"))
    if spec is not None and var.codelist and var.codelist in spec.codelists:
        check = _codelist_check(spec.codelists[var.codelist])
        if check is not None:
            checks.append(check)
    return pa.Column(
        dtype, checks=checks, nullable=nullable, coerce=coerce, required=True, name=var.name,
        title=var.label, description=var.label,
        metadata={"label": var.label, "origin": var.origin.type, "source": var.origin.source,
                  "core": var.core, "method": var.method, "codelist": var.codelist, "length": var.length,
                  "data_type": var.data_type},
    )


class _ConditionColumns:
    """The where-clause views of one frame's condition columns, each computed once.

    A value-level check tests its where clause on every record; a dataset with hundreds of
    value-level rows conditions them on the same few columns (``LBTESTCD``), so the trimmed text
    (factorized) and the numbers of a column are derived once per frame and shared by every check.
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self._columns: dict[str, pd.Series] = {}
        self._text: dict[str, tuple[np.ndarray, dict[str, int]]] = {}
        self._numbers: dict[str, pd.Series] = {}

    def column(self, variable: str) -> pd.Series:
        """``frame[variable]``, the same Series for every check: what is derived from a column (its
        factorization: :func:`_factorized`) is then shared by them."""
        if variable not in self._columns:
            self._columns[variable] = self.frame[variable]
        return self._columns[variable]

    def text_codes(self, variable: str) -> tuple[np.ndarray, dict[str, int]]:
        """Codes of the trimmed text of ``variable`` (-1: missing) and each distinct text's code."""
        if variable not in self._text:
            record_codes, values = _factorized(self.column(variable))
            distinct: Any
            if all(isinstance(v, str) for v in values):  # text: each distinct value trimmed once
                trimmed, distinct = pd.factorize(np.array([v.strip() for v in values], dtype=object))
                codes = np.append(trimmed, -1)[record_codes]  # code -1 (missing) stays -1
            else:
                found, distinct = pd.factorize(self.column(variable).astype("string").str.strip(),
                                               use_na_sentinel=True)
                codes = np.asarray(found)
            self._text[variable] = (codes, {str(v): i for i, v in enumerate(distinct)})
        return self._text[variable]

    def numbers(self, variable: str) -> pd.Series:
        """``variable`` as numbers (NaN where it is not one)."""
        if variable not in self._numbers:
            self._numbers[variable] = pd.to_numeric(self.frame[variable], errors="coerce")
        return self._numbers[variable]

    def is_in(self, variable: str, values: Sequence[str]) -> np.ndarray:
        """True where the trimmed text of ``variable`` is one of ``values`` (missing: False)."""
        codes, lookup = self.text_codes(variable)
        hits = np.zeros(len(lookup) + 1, dtype=bool)  # the last slot stands for code -1
        for value in values:
            if value in lookup:
                hits[lookup[value]] = True
        return hits[codes]


_CONDITION_COLUMNS: ContextVar[dict[int, _ConditionColumns] | None] = ContextVar("_CONDITION_COLUMNS",
                                                                                  default=None)


@contextmanager
def _shared_condition_columns() -> Iterator[None]:
    """Within the block, where clauses on the same frame share their :class:`_ConditionColumns`,
    and the checks of one column its factorization.

    Scoped to one validation, during which the frame does not change.
    """
    token = _CONDITION_COLUMNS.set({})
    factorized = _FACTORIZED.set({})
    singles = _SINGLES.set({})
    try:
        yield
    finally:
        _SINGLES.reset(singles)
        _FACTORIZED.reset(factorized)
        _CONDITION_COLUMNS.reset(token)


def _condition_columns(frame: pd.DataFrame) -> _ConditionColumns:
    shared = _CONDITION_COLUMNS.get()
    if shared is None:
        return _ConditionColumns(frame)
    known = shared.get(id(frame))
    if known is None or known.frame is not frame:
        known = shared[id(frame)] = _ConditionColumns(frame)
    return known


def _where_mask(frame: pd.DataFrame, conditions: Sequence[tuple[str, str, tuple[str, ...]]]) -> pd.Series:
    columns = _condition_columns(frame)
    mask = np.ones(len(frame), dtype=bool)
    for variable, comparator, values in conditions:
        if variable not in frame.columns:
            return pd.Series(False, index=frame.index)
        if comparator in ("EQ", "IN"):
            mask &= columns.is_in(variable, values)
        elif comparator in ("NE", "NOTIN"):
            mask &= ~columns.is_in(variable, values)
        else:
            number = columns.numbers(variable)
            bound = float(values[0])
            op = {"LT": number.lt, "LE": number.le, "GT": number.gt, "GE": number.ge}[comparator]
            mask &= op(bound).fillna(False).astype(bool).to_numpy()
    return pd.Series(mask, index=frame.index)


def _holds_where(mask: pd.Series, values: pd.Series, predicate: Callable[[pd.Series], pd.Series]) -> pd.Series:
    """``~mask | predicate(values)``, judging only the records where the mask holds."""
    passed = np.ones(len(values), dtype=bool)
    rows = np.flatnonzero(mask.to_numpy())
    if len(rows):
        passed[rows] = predicate(values.iloc[rows]).astype(bool).to_numpy()
    return pd.Series(passed, index=values.index)


def _equals(series: pd.Series, value: object) -> np.ndarray:
    """``(series == value).fillna(False)``, comparing each distinct value once (:func:`_factorized`)."""
    codes, distinct = _factorized(series)
    return np.array([bool(v == value) for v in distinct] + [False], dtype=bool)[codes]


def unit_variable(variable: str, columns: Iterable[str]) -> str | None:
    """The companion unit variable of a result variable (LBORRES -> LBORRESU, LBSTRESN -> LBSTRESU)."""
    columns = set(columns)
    if variable.endswith("U") and variable in columns:
        return variable
    for suffix, unit_suffix in (("ORRES", "ORRESU"), ("STRESC", "STRESU"), ("STRESN", "STRESU")):
        if variable.endswith(suffix):
            candidate = variable[: -len(suffix)] + unit_suffix
            return candidate if candidate in columns else None
    if variable.startswith("AVAL") and "AVALU" in columns:
        return "AVALU"
    return None


def value_level_check_name(variable: str, where_oid: str, facet: str) -> str:
    return f"{VALUE_LEVEL_PREFIX}[{variable}|{where_oid}].{facet}"


def _parse_value_level_name(name: str) -> tuple[str, str, str] | None:
    match = re.match(rf"^{VALUE_LEVEL_PREFIX}\[(\w+)\|([^\]]+)\]\.(\w+)$", name)
    return (match.group(1), match.group(2), match.group(3)) if match else None


_READS = "aclf_reads"  # the variables a frame-level check function reads (set by _reading)


def _reading(check: Callable[[pd.DataFrame], pd.Series], *variables: str) -> Callable[[pd.DataFrame], pd.Series]:
    """``check``, marked as reading only ``variables`` of the frame it is given (and its index):
    :func:`validate_held` gives it those alone."""
    setattr(check, _READS, tuple(dict.fromkeys(variables)))
    return check


def _value_level_checks(ds: Dataset, spec: Spec | None) -> list[pa.Check]:
    checks: list[pa.Check] = []
    names = ds.variable_names
    for row in ds.value_level:
        conditions = row.where.conditions
        target = row.variable

        def scoped(predicate: Callable[[pd.Series], pd.Series], *, target: str = target,
                   conditions: Any = conditions) -> Callable[[pd.DataFrame], pd.Series]:
            def check(frame: pd.DataFrame) -> pd.Series:
                if target not in frame.columns:
                    return pd.Series(True, index=frame.index)
                return _holds_where(_where_mask(frame, conditions), _condition_columns(frame).column(target), predicate)
            return _reading(check, target, *(variable for variable, _, _ in conditions))

        def add(facet: str, predicate: Callable[[pd.Series], pd.Series], expected: str,
                warn: bool = False, row: ValueLevel = row) -> None:
            checks.append(pa.Check(scoped(predicate), name=value_level_check_name(row.variable, row.where.oid, facet),
                                   description=expected, raise_warning=warn))

        where_text = " and ".join(f"{v} {op} {'/'.join(vals)}" for v, op, vals in conditions)
        if row.data_type in ("integer", "float"):
            add("numeric", lambda s: _is_missing(s) | _is_number_text(s), f"a number (or empty) where {where_text}")
        if row.length is not None and row.data_type not in ("integer", "float"):
            add("str_byte_length", _byte_length_at_most(row.length), f"at most {row.length} bytes where {where_text}")
        if row.mandatory:
            add("not_nullable", lambda s: ~_is_missing(s) & _not_blank(s), f"a value where {where_text}")
        if spec is not None and row.codelist in spec.codelists:
            codelist = spec.codelists[row.codelist or ""]
            if codelist.terms and not codelist.external:
                values = set(codelist.values)

                def in_codelist(s: pd.Series, values: set[str] = values) -> pd.Series:
                    return s.isin(values) | s.isna()

                add("isin", in_codelist, f"in codelist {codelist.oid} where {where_text}", warn=codelist.extensible)
        if row.unit is not None:
            unit_var = unit_variable(row.variable, names)
            if unit_var is not None:
                unit = row.unit

                def unit_check(frame: pd.DataFrame, unit_var: str = unit_var, unit: str = unit,
                               target: str = target, conditions: Any = conditions) -> pd.Series:
                    if unit_var not in frame.columns:
                        return pd.Series(True, index=frame.index)
                    columns = _condition_columns(frame)
                    mask = _where_mask(frame, conditions)
                    if target in frame.columns and target != unit_var:  # no result, no unit needed
                        mask &= ~_is_missing(columns.column(target)) & _not_blank(columns.column(target))
                    return ~mask | _equals(columns.column(unit_var), unit)

                _reading(unit_check, unit_var, target, *(variable for variable, _, _ in conditions))
                checks.append(pa.Check(unit_check, name=value_level_check_name(unit_var, row.where.oid, "unit"),
                                       description=f"{unit_var} = {unit!r} where {where_text}"))
    return checks


def dataset_schema(spec: Spec, name: str, *, date_mode: DateMode = "auto") -> pa.DataFrameSchema:
    """The pandera schema of dataset ``name`` as the spec declares it.

    date_mode: for ADaM numeric dates (integer/float with a DATE9.-style display format):
    ``auto``/``datetime`` expect ``datetime64`` columns (the in-memory convention), ``sas`` expects
    float SAS day numbers (the transport convention). ``text`` switches off the ISO 8601 check of
    SDTM --DTC text. SDTM dates are always ISO 8601 text.
    """
    ds = spec.dataset(name)
    return _dataset_schema(ds, spec, date_mode)


def dataset_schema_from(ds: Dataset, spec: Spec | None = None, *, date_mode: DateMode = "auto") -> pa.DataFrameSchema:
    """As :func:`dataset_schema` for a :class:`Dataset` (codelist checks need ``spec``)."""
    return _dataset_schema(ds, spec, date_mode)


def _dataset_schema(ds: Dataset, spec: Spec | None, date_mode: DateMode) -> pa.DataFrameSchema:
    columns = {var.name: _column(var, ds, spec, date_mode) for var in ds.variables}
    return pa.DataFrameSchema(
        columns=columns,
        checks=_value_level_checks(ds, spec),
        strict=True,
        ordered=True,
        unique=list(ds.keys) if ds.keys else None,
        report_duplicates="all",
        name=ds.name,
        title=ds.label,
        description=ds.description or ds.label,
        metadata={"dataset": ds.name, "label": ds.label, "standard": ds.standard, "keys": list(ds.keys),
                  "structure": ds.structure},
    )


# --------------------------------------------------------------------------------------------
# raw form schema
# --------------------------------------------------------------------------------------------
#: pandera check name -> the stable rule code of the raw reader's Issues
RAW_RULES: dict[str, str] = {
    "not_nullable": "raw.value-missing",
    "not_blank": "raw.value-missing",
    "allowed": "raw.value-not-allowed",
    "raw_date": "raw.date-invalid",
    "raw_time": "raw.time-invalid",
    "is_number": "raw.number-invalid",
}
RAW_VALUE_EXPECTED = "a value"
RAW_DATE_EXPECTED = "DD MON YYYY (UN/UNK for unknown day/month)"
RAW_TIME_EXPECTED = "HH:MM"
_RAW_ORDER = {"raw.value-missing": 0, "raw.value-not-allowed": 1}  # type checks after these


def _per_distinct(ok: Callable[[str], bool]) -> Callable[[pd.Series], pd.Series]:
    """A vectorised check that judges each distinct value once (trimmed); missing, blank and non-text pass.

    Raw exports repeat few distinct values over millions of records, so the predicate runs on the
    distinct values only and the verdicts are spread back by their factorize codes.
    """
    def check(series: pd.Series) -> pd.Series:
        codes, distinct = pd.factorize(series, use_na_sentinel=True)
        verdicts = np.ones(len(distinct) + 1, dtype=bool)  # the last slot is for missing (code -1)
        for i, value in enumerate(distinct):
            if isinstance(value, str):
                text = value.strip()
                verdicts[i] = text == "" or bool(ok(text))
        return pd.Series(verdicts[codes], index=series.index)
    return check


def _blank(series: pd.Series) -> pd.Series:
    """True where the value is text that is empty after trimming (judged per distinct value)."""
    codes, distinct = pd.factorize(series, use_na_sentinel=True)
    blank = np.zeros(len(distinct) + 1, dtype=bool)
    for i, value in enumerate(distinct):
        blank[i] = isinstance(value, str) and value.strip() == ""
    return pd.Series(blank[codes], index=series.index)


def _parses(parser: Callable[[str], Any]) -> Callable[[str], bool]:
    """A text predicate from a parser that raises ValueError on text it cannot read."""
    def ok(text: str) -> bool:
        try:
            parser(text)
        except ValueError:
            return False
        return True
    return ok


def raw_value_predicates(col: RawColumn) -> list[tuple[str, Callable[[str], bool], str]]:
    """(check name, predicate on one trimmed non-blank text, expected) for the value facets of a raw column.

    Dates and times are judged by the raw parsers themselves (:func:`aclf_cdisc.raw.parse.parse_raw_date`,
    :func:`~aclf_cdisc.raw.parse.parse_raw_time`), so the layout check and the later conversion cannot
    disagree: ``31 FEB 2024`` fails here exactly as it would fail to convert. ``allowed`` compares
    case-insensitively after trimming. A value outside ``allowed`` is reported once, as not allowed:
    the type facet judges only the allowed values.
    """
    from aclf_cdisc.raw.parse import is_integer, is_number, parse_raw_date, parse_raw_time

    facets: list[tuple[str, Callable[[str], bool], str]] = []
    allowed_ok: Callable[[str], bool] | None = None
    if col.allowed:
        folded = frozenset(a.strip().casefold() for a in col.allowed)

        def allowed_ok(text: str, folded: frozenset[str] = folded) -> bool:
            return text.casefold() in folded
        facets.append(("allowed", allowed_ok, " | ".join(col.allowed)))
    typed: tuple[str, Callable[[str], bool], str] | None = {
        "date": ("raw_date", _parses(parse_raw_date), RAW_DATE_EXPECTED),
        "time": ("raw_time", _parses(parse_raw_time), RAW_TIME_EXPECTED),
        "integer": ("is_number", is_integer, "an integer"),
        "float": ("is_number", is_number, "a number"),
    }.get(col.data_type)
    if typed is not None:
        name, type_ok, expected = typed
        if allowed_ok is not None:
            def only_allowed(text: str, type_ok: Callable[[str], bool] = type_ok,
                             allowed_ok: Callable[[str], bool] = allowed_ok) -> bool:
                return type_ok(text) or not allowed_ok(text)
            facets.append((name, only_allowed, expected))
        else:
            facets.append((name, type_ok, expected))
    return facets


def raw_form_schema(form: RawForm, *, strict: bool = True) -> pa.DataFrameSchema:
    """The pandera schema of a raw EDC form as read (text as typed; blanks may be empty strings).

    Per column: required -> not nullable and not blank (``a value``); ``allowed`` -> one of the
    values, case-insensitive after trimming; date/time/integer/float -> the raw parsers' rules. Every
    check is vectorised over the distinct values of the column. ``strict=False`` lets other columns
    (``__file``, ``__row``) pass through. :func:`raw_form_issues` turns its failures into ``raw.*`` Issues.
    """
    columns: dict[str, pa.Column] = {}
    for col in form.columns:
        checks: list[pa.Check] = []
        if col.required:
            checks.append(pa.Check(lambda s: ~_blank(s), name="not_blank", description=RAW_VALUE_EXPECTED))
        for name, ok, expected in raw_value_predicates(col):
            checks.append(pa.Check(_per_distinct(ok), name=name, description=expected))
        columns[col.name] = pa.Column(None, checks=checks, nullable=not col.required, required=True,
                                      name=col.name, description=col.description,
                                      metadata={"type": col.data_type, "required": col.required})
    return pa.DataFrameSchema(columns=columns, strict=strict, ordered=False, name=form.name, title=form.label,
                              metadata={"form": form.name, "blinded": form.blinded, "keys": list(form.keys)})


def raw_form_issues(frame: pd.DataFrame, form: RawForm, *, file: str | None = None,
                    row_column: str = "__row") -> list[Issue]:
    """Validate a raw form through :func:`raw_form_schema`; one ``raw.*`` Issue per failing cell.

    Only the layout columns present in ``frame`` are checked (column presence is structural and
    the reader's concern); other columns are ignored. Rules (:data:`RAW_RULES`):
    ``raw.value-missing``, ``raw.value-not-allowed``, ``raw.date-invalid``, ``raw.time-invalid``,
    ``raw.number-invalid``. Each Issue names file, dataset (the form), row (``frame[row_column]``
    when present, else the 1-based position), column, value and expected (the check's
    description); ordered by layout column, then rule, then row. A cell failing several checks gets
    one Issue: missing first, then not allowed, then the type.
    """
    factorized: dict[str, tuple[np.ndarray, Sequence[Any]]] = {}
    for col in form.columns:
        if col.name in frame.columns:
            codes, values = pd.factorize(frame[col.name].to_numpy(dtype=object), use_na_sentinel=True)
            factorized[col.name] = (codes, list(values))
    rows = frame[row_column].to_numpy() if row_column in frame.columns else np.arange(1, len(frame) + 1)
    return raw_distinct_issues(form, factorized, rows=rows, file=file)


def raw_distinct_issues(form: RawForm, factorized: Mapping[str, tuple[np.ndarray, Sequence[Any]]], *,
                        rows: np.ndarray, file: str | None = None) -> list[Issue]:
    """:func:`raw_form_issues` on a factorized form, as the reader holds it after trimming.

    ``factorized`` maps a column to ``(codes, values)``: record i holds ``values[codes[i]]`` (code -1:
    missing; values may repeat and may be missing). ``rows`` are the records' row labels. Layout
    columns absent from ``factorized`` are not checked.

    The schema validates a frame of the distinct values (one column each, padded by repeating the
    column's first value), and each failing value is spread back to the records holding it: an
    export of millions of records has far fewer distinct values per column.
    """
    columns = tuple(c for c in form.columns if c.name in factorized)
    schema = raw_form_schema(dataclasses.replace(form, columns=columns), strict=True)
    codes: dict[str, np.ndarray] = {}
    distinct: dict[str, list[Any]] = {}
    for col in columns:
        col_codes, col_values = factorized[col.name]
        values = list(col_values)
        if (col_codes < 0).any():  # missing: one more distinct value, None
            col_codes = np.where(col_codes < 0, len(values), col_codes)
            values.append(None)
        codes[col.name], distinct[col.name] = np.asarray(col_codes), values
    width = max((len(v) for v in distinct.values()), default=0)
    table = pd.DataFrame({name: pd.Series(values + values[:1] * (width - len(values)), dtype="object")
                          for name, values in distinct.items()}, index=pd.RangeIndex(width))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            schema.validate(table, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return []
    failing: dict[str, dict[int, tuple[str, str]]] = {}  # column -> distinct index -> (rule, check name)
    for case in cases.itertuples(index=False):
        check_name, column = str(case.check), case.column
        rule = RAW_RULES.get(check_name)
        if rule is None or column not in distinct or case.index is None or pd.isna(case.index):
            raise ValueError(f"raw form {form.name}: unexpected schema failure {check_name!r} on {column!r}")
        index = int(case.index)
        if index >= len(distinct[column]):
            continue  # padding: a repeat of the column's first distinct value
        known = failing.setdefault(column, {}).get(index)
        if known is None or _RAW_ORDER.get(rule, 2) < _RAW_ORDER.get(known[0], 2):
            failing[column][index] = (rule, check_name)
    descriptions = {(name, str(check.name)): str(check.description)
                    for name, column in schema.columns.items() for check in column.checks}
    issues: list[Issue] = []
    for col in columns:
        bad = failing.get(col.name)
        if not bad:
            continue
        col_codes, values = codes[col.name], distinct[col.name]
        positions = np.flatnonzero(np.isin(col_codes, list(bad)))
        cells = sorted(((_RAW_ORDER.get(bad[code][0], 2), position, code)
                        for position, code in zip(positions.tolist(), col_codes[positions].tolist(), strict=True)))
        for _order, position, code in cells:
            rule, check_name = bad[code]
            expected = descriptions.get((col.name, check_name), RAW_VALUE_EXPECTED)
            message = {"raw.value-missing": "required value is missing",
                       "raw.value-not-allowed": "value is not one of the allowed values"}.get(
                           rule, f"value is not {expected}")
            issues.append(Issue(rule=rule, message=f"{form.name}.{col.name}: {message}", file=file,
                                dataset=form.name, row=_plain(rows[position]), column=col.name,
                                value=_plain(values[code]), expected=expected))
    return issues


# --------------------------------------------------------------------------------------------
# validation -> Issues
# --------------------------------------------------------------------------------------------
def _rule_of(check: Any) -> str:
    text = str(check)
    parsed = _parse_value_level_name(text)
    if parsed:
        return f"schema.{VALUE_LEVEL_PREFIX}.{parsed[2]}"
    base = text.split("(", 1)[0].strip()
    if base == "coerce_dtype":
        base = "dtype"
    return f"schema.{base}" if base else "schema.check"


def _row_labeller(frame: pd.DataFrame) -> Callable[[Any], int | str | None]:
    """A record's label: USUBJID and --SEQ (or PARAMCD) where it has them, else its record number."""
    seq = next((c for c in frame.columns if isinstance(c, str) and c.endswith("SEQ") and len(c) == 5), None)
    has_subject = "USUBJID" in frame.columns

    def label(index: Any) -> int | str | None:
        if index is None or (isinstance(index, float) and np.isnan(index)):
            return None
        position = int(index)
        if has_subject and position < len(frame):
            subject = frame["USUBJID"].iloc[position]
            if isinstance(subject, str) and subject:
                parts = [f"USUBJID={subject}"]
                if seq is not None:
                    value = frame[seq].iloc[position]
                    if pd.notna(value):
                        parts.append(f"{seq}={int(value) if float(value).is_integer() else value}")
                elif "PARAMCD" in frame.columns:
                    parts.append(f"PARAMCD={frame['PARAMCD'].iloc[position]}")
                return ", ".join(parts)
        return position + 1
    return label


def _plain(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value


def _check_lookup(schema: pa.DataFrameSchema) -> dict[tuple[str | None, str], pa.Check]:
    lookup: dict[tuple[str | None, str], pa.Check] = {}
    for name, column in schema.columns.items():
        for check in column.checks:
            lookup[(name, str(check.name))] = check
    for check in schema.checks:
        lookup[(None, str(check.name))] = check
    return lookup


def _expected_text(check: pa.Check | None, fallback: str) -> str:
    if check is not None and check.description:
        return str(check.description)
    return fallback


def validate_frame(frame: pd.DataFrame, schema: pa.DataFrameSchema, *, dataset: str | None = None,
                   file: str | None = None) -> list[Issue]:
    """Validate lazily; one Issue per failing cell (errors), plus warnings from lenient checks."""
    data = frame.reset_index(drop=True)
    label = _row_labeller(data)
    lookup = _check_lookup(schema)
    dataset = dataset or schema.name
    issues: list[Issue] = []

    try:
        with warnings.catch_warnings(), _shared_condition_columns():
            warnings.simplefilter("ignore")
            if not _passes_plainly(data, schema):
                schema.validate(data, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
        seen: set[tuple[Any, ...]] = set()
        for case in cases.itertuples(index=False):
            check_text = str(case.check)
            column = case.column if isinstance(case.column, str) else None
            index = case.index if case.index is not None and not pd.isna(case.index) else None
            value = _plain(case.failure_case)
            parsed = _parse_value_level_name(check_text)
            if parsed is not None:  # frame-level check: failure cases are melted over every column
                target = parsed[0]
                key = (check_text, index)
                if key in seen:
                    continue
                seen.add(key)
                column = target
                value = _plain(data[target].iloc[int(index)]) if index is not None and target in data else None
            check = lookup.get((column, check_text)) or lookup.get((None, check_text))
            rule = _rule_of(check_text)
            expected = _expected_text(check, _default_expected(check_text, column, schema))
            if rule == "schema.column_in_schema":
                column, message = str(value), f"column {value} is not in the spec of {dataset}"
            elif rule == "schema.column_in_dataframe":
                column, message = str(value), f"column {value} declared in the spec is missing"
            elif rule == "schema.column_ordered":
                column, message = str(value), f"column {value} is out of spec order"
            elif rule in ("schema.multiple_fields_uniqueness", "schema.field_uniqueness", "schema.duplicates"):
                rule = "schema.unique_keys"
                keys = schema_keys(schema)
                column = ", ".join(keys)
                if index is not None:
                    value = tuple(_plain(data[k].iloc[int(index)]) for k in keys if k in data)
                message = f"key variables {column} are not unique: {value!r}"
            else:
                message = f"{column or dataset}: value {value!r} fails {check_text}"
            issues.append(Issue(rule=rule, message=message, severity="error", file=file, dataset=dataset,
                                row=label(index) if index is not None else None, column=column, value=value,
                                expected=expected))
    with _shared_condition_columns():
        issues.extend(_warning_issues(data, schema, dataset=dataset, file=file, label=label))
    return _dedupe_issues(issues)


def validate_held(held: pd.DataFrame, schema: pa.DataFrameSchema, *, dataset: str | None = None,
                  block_records: int = 100_000) -> list[Issue] | None:
    """:func:`validate_frame`'s findings for a dataset as a store holds it (:mod:`aclf_cdisc.compact`:
    text, and numbers of few distinct values, as codes into their distinct values), without
    rebuilding it: every check of a column is about one value, so it runs once on the column's
    distinct values and its verdicts reach the records by their codes (a column held as it is, on
    the whole column); the frame-level checks run ``block_records`` records at a time, on the
    variables they read, rebuilt. Key uniqueness compares the codes (equal values, equal codes).

    A dataset that passes every strict check (the case of a build that goes on to publish) gives
    the lenient checks' warnings, in validate_frame's order and with its record labels. Where
    anything fails a strict check, or a check is of a shape this pass does not know, the answer is
    None and the caller validates the rebuilt dataset (the failures are then reported exactly as
    before).
    """
    data = held.reset_index(drop=True)
    if not _plain_frame(data, schema) or _duplicated_keys(data, schema):
        return None
    dataset = dataset or schema.name
    label = _row_labeller(data)
    issues: list[Issue] = []
    for name, column in schema.columns.items():
        series = data[name]
        values, codes = _distinct_values(series)
        if not _plain_column(column, values.dtype, series):
            return None
        for check in column.checks:
            if check.element_wise or check.groupby is not None:
                return None
            with warnings.catch_warnings(), _shared_condition_columns():
                warnings.simplefilter("ignore")
                verdicts = _verdicts(check._check_fn(values), len(values))
            if verdicts is None:
                return None
            passed = verdicts[codes]
            if not check.raise_warning:
                if not passed.all():
                    return None
                continue
            issues.extend(_lenient_issue(check, name, _plain(values.iloc[codes[index]]), label(index), dataset, None)
                          for index in np.flatnonzero(~passed).tolist())
    framewide = _frame_check_failures(data, schema, block_records)
    if framewide is None:
        return None
    for check, failed in framewide:
        target = _frame_check_target(check)
        issues.extend(_lenient_issue(check, target, _plain(data[target].iloc[index]) if target in data else None,
                                     label(index), dataset, None) for index in failed)
    return _dedupe_issues(issues)


def _distinct_values(series: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """A column's distinct values, as the rebuilt column holds them (None, or NaN/NaT, for a
    missing one, last), and each record's position among them; a column held as it is: itself,
    and each record its own position."""
    if not isinstance(series.dtype, pd.CategoricalDtype):
        return series.reset_index(drop=True), np.arange(len(series))
    from aclf_cdisc.compact import expand_column

    count = len(series.cat.categories)
    codes = series.cat.codes.to_numpy()
    missing = bool((codes < 0).any())
    every = np.concatenate([np.arange(count), np.full(int(missing), -1)])  # each category, then missing
    distinct = pd.Series(pd.Categorical.from_codes(every, dtype=series.dtype))
    return expand_column(distinct), np.where(codes < 0, count, codes)


def _verdicts(result: Any, size: int) -> np.ndarray | None:
    """A check's answer as one boolean per value (a missing answer passes, as pandera reads it);
    None for an answer of another shape."""
    answer = result.to_numpy() if isinstance(result, pd.Series) else np.asarray(result)
    if answer.shape != (size,):
        return None
    if answer.dtype == object:
        return pd.Series(answer).fillna(True).astype(bool).to_numpy()
    return answer.astype(bool)


def _frame_check_failures(data: pd.DataFrame, schema: pa.DataFrameSchema,
                          block_records: int) -> list[tuple[pa.Check, list[int]]] | None:
    """Each lenient frame-level check with the records it fails, running every frame-level check a
    block of records at a time on the variables it reads (:func:`_reading`), rebuilt; None when a
    strict one fails or a check does not say what it reads."""
    from aclf_cdisc.compact import expand_frame

    checks = list(schema.checks)
    reads: list[str] = []
    for check in checks:
        variables = getattr(check._check_fn, _READS, None)
        if check.element_wise or check.groupby is not None or variables is None:
            return None
        reads.extend(v for v in variables if v in data.columns and v not in reads)
    failed: list[list[int]] = [[] for _ in checks]
    for start in range(0, len(data) if checks else 0, max(block_records, 1)):
        block = expand_frame(data.iloc[start:start + block_records][reads]).reset_index(drop=True)
        with warnings.catch_warnings(), _shared_condition_columns():
            warnings.simplefilter("ignore")
            for check, found in zip(checks, failed, strict=True):
                verdicts = _verdicts(check._check_fn(block), len(block))
                if verdicts is None or (not check.raise_warning and not verdicts.all()):
                    return None
                found.extend((start + np.flatnonzero(~verdicts)).tolist())
    return [(check, found) for check, found in zip(checks, failed, strict=True) if check.raise_warning]


def _plain_frame(data: pd.DataFrame, schema: pa.DataFrameSchema) -> bool:
    """Nothing to apply to the frame as a whole (index, dtype, parsers, unique column names), and
    every column of the schema present, in its order (strict)."""
    if schema.index is not None or schema.dtype is not None or schema.parsers or schema.unique_column_names:
        return False
    return list(data.columns) == list(schema.columns)


def _plain_column(column: pa.Column, dtype: Any, series: pd.Series) -> bool:
    """The column's values are of the ``dtype`` the schema wants, with no parser or uniqueness to
    apply and no missing value in ``series`` that the column forbids."""
    if column.dtype is not None and str(column.dtype) != str(dtype):
        return False
    return not (column.parsers or column.unique or (not column.nullable and bool(series.isna().any())))


def _passes_plainly(data: pd.DataFrame, schema: pa.DataFrameSchema) -> bool:
    """True only when ``schema.validate(data)`` would find nothing: the same checks run directly.

    pandera's own pass costs far more than the checks (a copy of the frame, a null mask of the
    whole frame per frame-level check, failure bookkeeping); a frame that passes every check
    needs none of it. The answer errs one way only: whatever this pass cannot vouch for (a dtype
    to coerce, a check shape it does not know, any failing value) answers False, and pandera
    then runs in full and reports the failures as before, so the findings never differ.
    """
    if not _plain_frame(data, schema):
        return False
    for name, column in schema.columns.items():
        series = data[name]
        if not _plain_column(column, series.dtype, series):
            return False
        holds = all(_check_holds(check, series) for check in column.checks)
        _forget_column(series)  # the column's checks are done: its factorization is not kept
        if not holds:
            return False
    if not all(_check_holds(check, data) for check in schema.checks):
        return False
    return not _duplicated_keys(data, schema)


def _duplicated_keys(data: pd.DataFrame, schema: pa.DataFrameSchema) -> bool:
    keys = schema_keys(schema)
    return bool(keys) and bool(data.duplicated(subset=keys).any())


def _check_holds(check: pa.Check, data: pd.DataFrame | pd.Series) -> bool:
    """The check's predicate holds on every record (a lenient check is not an error: it holds)."""
    if check.raise_warning:
        return True
    if check.element_wise or check.groupby is not None:
        return False
    return bool(np.asarray(check._check_fn(data), dtype=bool).all())


def schema_keys(schema: pa.DataFrameSchema) -> list[str]:
    """The key variables a schema holds unique (none: an empty list)."""
    unique = schema.unique
    return list(unique) if isinstance(unique, list | tuple) else ([unique] if unique else [])


def _default_expected(check_text: str, column: str | None, schema: pa.DataFrameSchema) -> str:
    if check_text == "not_nullable":
        return "a value (not null)"
    if check_text.startswith(("dtype", "coerce_dtype")):
        return check_text.split("(", 1)[-1].rstrip(")").strip("'") + " values"
    if check_text == "column_in_schema":
        return "only the spec's variables"
    if check_text == "column_in_dataframe":
        return "every spec variable present"
    if check_text == "column_ordered":
        return "variables in spec order: " + ", ".join(schema.columns)
    if "uniqueness" in check_text or check_text == "duplicates":
        return "one record per " + ", ".join(schema_keys(schema))
    return check_text


def _warning_issues(data: pd.DataFrame, schema: pa.DataFrameSchema, *, dataset: str | None,
                    file: str | None, label: Callable[[Any], int | str | None]) -> list[Issue]:
    """Run the lenient (``raise_warning``) checks directly and report their failing cells as
    warnings, check by check in schema order."""
    issues: list[Issue] = []
    for name, column in schema.columns.items():
        if name not in data.columns:
            continue
        for check in column.checks:
            if not check.raise_warning:
                continue
            series = data[name]
            passed = check._check_fn(series)  # the vectorised predicate we built
            _forget_column(series)
            failed = data.index[~pd.Series(passed, index=data.index).fillna(True).astype(bool)]
            issues.extend(_lenient_issue(check, name, _plain(data[name].iloc[index]), label(index), dataset, file)
                          for index in failed)
    for check in schema.checks:
        if not check.raise_warning:
            continue
        target = _frame_check_target(check)
        passed = pd.Series(check._check_fn(data), index=data.index).fillna(True).astype(bool)
        issues.extend(_lenient_issue(check, target, _plain(data[target].iloc[index]) if target in data else None,
                                     label(index), dataset, file) for index in data.index[~passed])
    return issues


def _frame_check_target(check: pa.Check) -> str | None:
    """The variable a frame-level (value-level) check is about (None for another frame check)."""
    parsed = _parse_value_level_name(str(check.name))
    return parsed[0] if parsed else None


def _lenient_issue(check: pa.Check, column: str | None, value: Any, row: int | str | None,
                   dataset: str | None, file: str | None) -> Issue:
    """The warning of one record failing a lenient check (an extensible codelist's, say)."""
    return Issue(rule=_rule_of(check.name), severity="warning",
                 message=f"{column}: value {value!r} is not {check.description} (extensible: kept)",
                 file=file, dataset=dataset, row=row, column=column, value=value, expected=str(check.description))


def _dedupe_issues(issues: list[Issue]) -> list[Issue]:
    seen: set[tuple[Any, ...]] = set()
    out: list[Issue] = []
    for issue in issues:
        key = (issue.rule, issue.row, issue.column, repr(issue.value), issue.severity)
        if key not in seen:
            seen.add(key)
            out.append(issue)
    return out
