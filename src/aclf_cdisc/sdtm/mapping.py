"""Carry out a dataset spec's mapping rules (the sdtm.oak vocabulary) on an assembled raw frame.

A domain module first *assembles* its raw forms into one record-level frame whose columns are
named ``form.COLUMN`` (plus the raw reader's ``__file`` and ``__row``: the source file and
1-based record number of each record). :func:`apply_mappings` then fills every spec variable that has a ``map`` rule:

    copy          the raw value, white space trimmed (numbers parsed for numeric variables)
    ct            the raw value recoded to the variable's codelist (unmapped values reported)
    const         a hard-coded value
    iso_datetime  raw date text (+ optional time) to ISO 8601, partial dates truncated
    derive        a named Python derivation from the domain's registry, run after all others,
                  in spec order, so it may use any non-derived variable and earlier derived ones

Problems come back as Issues; the caller decides to raise.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from aclf_cdisc.errors import Issue
from aclf_cdisc.raw.reader import FILE_COL, ROW_COL
from aclf_cdisc.sdtm.ct import recode_ct
from aclf_cdisc.sdtm.dates import raw_to_iso8601
from aclf_cdisc.sdtm.text import per_distinct_text
from aclf_cdisc.spec.model import Dataset, Spec, Variable


@dataclass(frozen=True)
class MappingContext:
    """What a derivation may look at besides the working frame."""

    spec: Spec
    dataset: Dataset
    domains: Mapping[str, pd.DataFrame] = field(default_factory=dict)  # SDTM domains built earlier
    options: Mapping[str, Any] = field(default_factory=dict)


Derivation = Callable[[pd.DataFrame, MappingContext], pd.Series]


def _source_rows(frame: pd.DataFrame) -> pd.Series | None:
    return frame[ROW_COL] if ROW_COL in frame.columns else None


def one_file(frame: pd.DataFrame) -> str | None:
    """The raw file every record of ``frame`` was read from (``__file``); None when they name none or several."""
    if FILE_COL in frame.columns and len(frame):
        files = frame[FILE_COL].dropna().unique()
        if len(files) == 1:
            return str(files[0])
    return None


def _source_file(file: str | None, source: str | None) -> str | None:
    """``file`` (:func:`one_file` of the frame), else the file the source column's form is named for."""
    if file is not None:
        return file
    return f"{source.split('.')[0]}.csv" if source else None


def _trimmed(values: pd.Series) -> pd.Series:
    return per_distinct_text(values, str.strip, pd.NA)


def map_copy(frame: pd.DataFrame, variable: Variable, dataset: Dataset,
             file: str | None) -> tuple[pd.Series, list[Issue]]:
    mapping = variable.mapping
    assert mapping is not None and mapping.source is not None  # rule copy requires source (dataset.schema.json)
    values = _trimmed(frame[mapping.source])
    if not variable.is_numeric:
        return values, []
    numbers = pd.to_numeric(values, errors="coerce")
    bad = values.notna() & numbers.isna()
    rows = _source_rows(frame)
    issues = [
        Issue(
            rule="sdtm.not-a-number",
            message=f"{mapping.source} value is not a number",
            file=_source_file(file, mapping.source),
            dataset=dataset.name,
            row=int(rows[i]) if rows is not None else int(i) + 1,
            column=variable.name,
            value=values[i],
            expected="a number",
        )
        for i in values.index[bad]
    ]
    return numbers.astype("float64"), issues


def map_ct(frame: pd.DataFrame, variable: Variable, dataset: Dataset, spec: Spec,
           file: str | None) -> tuple[pd.Series, list[Issue]]:
    if variable.codelist is None:
        raise ValueError(f"{dataset.name}.{variable.name}: rule ct needs a codelist in the spec")
    mapping = variable.mapping
    assert mapping is not None and mapping.source is not None  # rule ct requires source (dataset.schema.json)
    source = mapping.source
    return recode_ct(
        frame[source],
        spec.codelists[variable.codelist],
        dataset=dataset.name,
        variable=variable.name,
        file=_source_file(file, source),
        rows=_source_rows(frame),
    )


def map_iso_datetime(frame: pd.DataFrame, variable: Variable, dataset: Dataset,
                     file: str | None) -> tuple[pd.Series, list[Issue]]:
    mapping = variable.mapping
    assert mapping is not None and mapping.source is not None
    return raw_to_iso8601(
        frame[mapping.source],
        frame[mapping.time] if mapping.time else None,
        dataset=dataset.name,
        variable=variable.name,
        file=_source_file(file, mapping.source),
        rows=_source_rows(frame),
    )


def apply_mappings(
    assembled: pd.DataFrame,
    dataset: Dataset,
    spec: Spec,
    derivations: Mapping[str, Derivation],
    *,
    domains: Mapping[str, pd.DataFrame] | None = None,
    options: Mapping[str, Any] | None = None,
) -> tuple[pd.DataFrame, list[Issue]]:
    """Return the working frame (assembled columns + every mapped spec variable) and the issues.

    Variables without a ``map`` rule are left for the domain module to add (e.g. --SEQ after
    sorting); :func:`aclf_cdisc.sdtm.conform.conform_to_spec` later insists they exist.
    """
    frame = assembled.copy(deep=False)  # copy-on-write: the columns set here never reach ``assembled``
    file = one_file(frame)  # the records' raw file, looked up once for every rule's Issues
    issues: list[Issue] = []
    context = MappingContext(spec=spec, dataset=dataset, domains=domains or {}, options=options or {})
    deferred: list[Variable] = []
    for variable in dataset.variables:
        mapping = variable.mapping
        if mapping is None:
            continue
        if mapping.rule == "derive":
            deferred.append(variable)
            continue
        if mapping.rule == "const":
            frame[variable.name] = mapping.value
            continue
        if mapping.rule == "copy":
            values, found = map_copy(frame, variable, dataset, file)
        elif mapping.rule == "ct":
            values, found = map_ct(frame, variable, dataset, spec, file)
        elif mapping.rule == "iso_datetime":
            values, found = map_iso_datetime(frame, variable, dataset, file)
        else:  # pragma: no cover - the JSON Schema admits no other rule
            raise ValueError(f"unknown mapping rule {mapping.rule!r}")
        frame[variable.name] = values
        issues.extend(found)
    for variable in deferred:
        assert variable.mapping is not None  # deferred holds only variables with a derive mapping
        name = variable.mapping.function
        if name is None or name not in derivations:
            raise KeyError(
                f"{dataset.name}.{variable.name}: derivation {name!r} is not implemented "
                f"(known: {sorted(derivations)})"
            )
        frame[variable.name] = derivations[name](frame, context)
    return frame, issues
