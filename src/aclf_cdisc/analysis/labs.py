"""Liver function over the analysis visits by arm: median with the first and third quartiles."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def summarised_records(adlb: pd.DataFrame, *, parameters: Sequence[str], record_flag: str,
                       population: str) -> pd.Series:
    """The ADLB records :func:`lab_summary` summarises: a parameter of ``parameters``, ``record_flag``
    and ``population`` = Y, AVAL and AVISITN present. Equality, membership and presence only, so
    it reads a compacted ADLB's codes as it reads its values (:func:`aclf_cdisc.compact.read_records`).

    >>> adlb = pd.DataFrame({"PARAMCD": ["TBIL", "INR", "TBIL"], "ANL01FL": ["Y", "Y", None],
    ...                      "ITTFL": ["Y", "Y", "Y"], "AVAL": [1.0, 2.0, 3.0], "AVISITN": [0.0, 0.0, 1.0]})
    >>> summarised_records(adlb, parameters=["TBIL"], record_flag="ANL01FL", population="ITTFL").tolist()
    [True, False, False]
    """
    return (adlb["PARAMCD"].isin(parameters) & (adlb[record_flag] == "Y") & (adlb[population] == "Y")
            & adlb["AVAL"].notna() & adlb["AVISITN"].notna())


def lab_summary(adlb: pd.DataFrame, *, parameters: Sequence[str], record_flag: str, arm: str,
                population: str) -> pd.DataFrame:
    """paramcd, param, avisitn, avisit, arm, n, median, q1, q3, mean (one record per subject and
    visit: ``record_flag`` = Y; quartiles by linear interpolation, numpy's default).

    ``adlb`` may hold its columns as codes (:func:`aclf_cdisc.compact.held_records`): the records
    are grouped by value either way (only groups that occur), and the result is sorted by value.

    >>> adlb = pd.DataFrame({"PARAMCD": ["TBIL"] * 3, "PARAM": ["Bilirubin"] * 3, "AVISITN": [1.0] * 3,
    ...                      "AVISIT": ["Day 7"] * 3, "TRT01P": ["A"] * 3, "ANL01FL": ["Y"] * 3,
    ...                      "ITTFL": ["Y"] * 3, "AVAL": [1.0, 2.0, 4.0]})
    >>> plain = lab_summary(adlb, parameters=["TBIL"], record_flag="ANL01FL", arm="TRT01P", population="ITTFL")
    >>> plain[["n", "median", "q1", "q3"]].values.tolist()
    [[3.0, 2.0, 1.5, 3.0]]
    >>> coded = lab_summary(adlb.astype("category"), parameters=["TBIL"], record_flag="ANL01FL", arm="TRT01P",
    ...                     population="ITTFL")
    >>> coded.equals(plain)
    True
    """
    keep = summarised_records(adlb, parameters=parameters, record_flag=record_flag, population=population)
    summarised = list(dict.fromkeys(["PARAMCD", "AVISITN", arm, "PARAM", "AVISIT", "AVAL"]))
    rows = adlb.loc[keep, summarised]  # ADLB's other columns are not copied by the filter and the group sort
    out = []
    for (paramcd, avisitn, name), part in rows.groupby(["PARAMCD", "AVISITN", arm], sort=True, observed=True):
        x = part["AVAL"].to_numpy(dtype=float)
        q1, median, q3 = np.percentile(x, [25, 50, 75])
        out.append({"paramcd": paramcd, "param": part["PARAM"].iloc[0],
                    "avisitn": float(avisitn),  # type: ignore[arg-type]
                    "avisit": part["AVISIT"].iloc[0], "arm": name, "n": len(x), "median": float(median),
                    "q1": float(q1), "q3": float(q3), "mean": float(x.mean())})
    order = {p: i for i, p in enumerate(parameters)}
    frame = pd.DataFrame(out)
    return frame.sort_values(["paramcd", "avisitn", "arm"], key=lambda s: s.map(order) if s.name == "paramcd" else s,
                             kind="mergesort").reset_index(drop=True)
