"""derive_param_computed: a derived BDS parameter from component parameters on the same date."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from aclf_cdisc.errors import DerivationError, Issue

from ._common import (
    RowFilter,
    as_tuple,
    assert_columns,
    assert_frame,
    filter_mask,
    record_key,
)


def derive_param_computed(
    dataset: pd.DataFrame,
    parameters: Sequence[str],
    analysis_function: Callable[[pd.DataFrame], Any],
    set_values_to: Mapping[str, Any],
    *,
    by_vars: Sequence[str] = ("STUDYID", "USUBJID", "ADT"),
    value_vars: Mapping[str, str] | None = None,
    analysis_value: str = "AVAL",
    filter: RowFilter = None,
    dataset_name: str = "dataset",
) -> pd.DataFrame:
    """Append one derived-parameter record per by group that has every component parameter.

    Permitted values:
      parameters: component PARAMCDs, e.g. ("CREAT", "BILI", "INR") for MELD.
      analysis_function: called once with a frame holding one row per by group: the by_vars and
        one column per PARAMCD carrying that component's value; returns the derived values
        (array-like, one per row), e.g. ``lambda d: compute_meld(d.CREAT, d.BILI, d.INR)``.
      set_values_to: constants for the new records; PARAMCD is required; PARAMTYP defaults to
        "DERIVED"; PARAM and anything else (AVALU, DTYPE ...) as given.
      by_vars: the keys a derived record is built on; ADT must be among them for the same-date
        rule below (AVISIT, ATPT ... may be added).
      value_vars: per-PARAMCD value column when it is not ``analysis_value``, e.g.
        {"ASCITES": "AVALC", "HE": "AVALC"} for CTP grades kept as text.
      filter: query string or callable choosing the component records (e.g. "ANL01FL == 'Y'").

    Details (first match decides):
      1. PARAMCD of set_values_to already in ``dataset``: DerivationError (never overwritten).
      2. Component records are those passing ``filter`` with PARAMCD in ``parameters`` and a
         non-missing value.
      3. Same-date rule: components are combined only when they share identical by_vars values
         (with the default by_vars: the same subject and the same ADT). A lab on 2023-10-10 and an
         INR on 2023-10-11 give no MELD; no value is carried from another date, since any window
         would be a guess about the patient's state.
      4. Two or more records of one component in one by group: DerivationError naming the
         subject, PARAMCD and by values (pick one upstream, e.g. with a filter on ANL01FL).
      5. By groups lacking any component: no derived record.
      6. Otherwise one record: by_vars, set_values_to, and ``analysis_value`` = the function result.

    Returns: ``dataset`` with the new records appended (sorted by by_vars among themselves);
    other variables are missing on the new records.

    Example::

        >>> from aclf_cdisc.adam.derivations import compute_meld
        >>> from aclf_cdisc.spec import load_conventions
        >>> from aclf_cdisc.spec.conventions import meld_convention
        >>> meld = meld_convention(load_conventions())
        >>> adlb = pd.DataFrame({"STUDYID": "S", "USUBJID": "01", "ADT": pd.to_datetime(["2023-10-10"] * 3),
        ...                      "PARAMCD": ["CREAT", "BILI", "INR"], "AVAL": [1.2, 8.5, 2.1]})
        >>> out = derive_param_computed(adlb, ["CREAT", "BILI", "INR"],
        ...     lambda d: compute_meld(d["CREAT"], d["BILI"], d["INR"], meld=meld), {"PARAMCD": "MELD"})
        >>> out[["PARAMCD", "AVAL"]].values.tolist()[-1]
        ['MELD', 25.0]
    """
    assert_frame(dataset, "dataset")
    by_vars = as_tuple(by_vars, "by_vars")
    parameters = as_tuple(parameters, "parameters")
    if not parameters:
        raise ValueError("`parameters` must name at least one component PARAMCD")
    if not callable(analysis_function):
        raise TypeError("`analysis_function` must be callable")
    new_values = dict(set_values_to)
    if "PARAMCD" not in new_values:
        raise ValueError("`set_values_to` must set PARAMCD")
    new_values.setdefault("PARAMTYP", "DERIVED")
    value_vars = dict(value_vars or {})
    unknown = sorted(set(value_vars) - set(parameters))
    if unknown:
        raise ValueError(f"`value_vars` names PARAMCDs not in `parameters`: {unknown}")
    columns = {p: value_vars.get(p, analysis_value) for p in parameters}
    assert_columns(dataset, [*by_vars, "PARAMCD"], dataset_name=dataset_name, argument="by_vars")
    assert_columns(dataset, sorted(set(columns.values())), dataset_name=dataset_name,
                   argument="analysis_value/value_vars")
    if (dataset["PARAMCD"] == new_values["PARAMCD"]).any():
        raise DerivationError(Issue(
            rule="adam.paramcd-exists", dataset=dataset_name, column="PARAMCD",
            value=new_values["PARAMCD"], message=f"PARAMCD {new_values['PARAMCD']} already exists",
            expected="a PARAMCD not yet in the dataset"))

    mask = filter_mask(dataset, filter)
    pieces = []
    issues: list[Issue] = []
    for paramcd in parameters:
        col = columns[paramcd]
        part = dataset.loc[mask & (dataset["PARAMCD"] == paramcd).to_numpy(), [*by_vars, col]]
        part = part[part[col].notna()].rename(columns={col: paramcd})
        dup = part.duplicated(list(by_vars), keep=False)
        for _, row in part[dup].drop_duplicates(list(by_vars)).iterrows():
            issues.append(Issue(
                rule="adam.component-duplicate", dataset=dataset_name,
                row=record_key(row, by_vars), column="PARAMCD", value=paramcd,
                message=f"{paramcd} has more than one record for one derived {new_values['PARAMCD']} record",
                expected="one component record per by group"))
        pieces.append(part)
    if issues:
        raise DerivationError(issues)

    wide = pieces[0]
    for part in pieces[1:]:
        wide = wide.merge(part, on=list(by_vars), how="inner")
    wide = wide.sort_values(list(by_vars), kind="mergesort").reset_index(drop=True)
    values = np.asarray(analysis_function(wide.copy()), dtype=float) if len(wide) else np.array([])
    if values.shape != (len(wide),):
        raise ValueError(f"`analysis_function` returned shape {values.shape}; expected ({len(wide)},)")

    new = wide[list(by_vars)].copy()
    for name, value in new_values.items():
        new[name] = value
    new[analysis_value] = values
    if new.empty:
        return dataset.copy()
    return pd.concat([dataset, new], ignore_index=True)
