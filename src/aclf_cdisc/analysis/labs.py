"""Liver function over the analysis visits by arm: median with the first and third quartiles."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd


def lab_summary(adlb: pd.DataFrame, *, parameters: Sequence[str], record_flag: str, arm: str,
                population: str) -> pd.DataFrame:
    """paramcd, param, avisitn, avisit, arm, n, median, q1, q3, mean (one record per subject and
    visit: ``record_flag`` = Y; quartiles by linear interpolation, numpy's default)."""
    keep = (adlb["PARAMCD"].isin(parameters) & (adlb[record_flag] == "Y") & (adlb[population] == "Y")
            & adlb["AVAL"].notna() & adlb["AVISITN"].notna())
    summarised = list(dict.fromkeys(["PARAMCD", "AVISITN", arm, "PARAM", "AVISIT", "AVAL"]))
    rows = adlb.loc[keep, summarised]  # ADLB's other columns are not copied by the filter and the group sort
    out = []
    for (paramcd, avisitn, name), part in rows.groupby(["PARAMCD", "AVISITN", arm], sort=True):
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
