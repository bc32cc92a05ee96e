"""Liver function over the analysis visits by arm: mean with a t-based confidence interval."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats


def lab_summary(adlb: pd.DataFrame, *, parameters: Sequence[str], record_flag: str, arm: str,
                population: str, confidence_level: float) -> pd.DataFrame:
    """paramcd, param, avisitn, avisit, arm, n, mean, sd, lower, upper (one record per subject and
    visit: ``record_flag`` = Y)."""
    rows = adlb[adlb["PARAMCD"].isin(parameters) & (adlb[record_flag] == "Y") & (adlb[population] == "Y")
                & adlb["AVAL"].notna() & adlb["AVISITN"].notna()]
    out = []
    for (paramcd, avisitn, name), part in rows.groupby(["PARAMCD", "AVISITN", arm], sort=True):
        x = part["AVAL"].to_numpy(dtype=float)
        n, mean = len(x), float(x.mean())
        sd = float(x.std(ddof=1)) if n > 1 else np.nan
        half = float(stats.t.ppf(0.5 + confidence_level / 2, n - 1) * sd / np.sqrt(n)) if n > 1 else np.nan
        out.append({"paramcd": paramcd, "param": part["PARAM"].iloc[0], "avisitn": float(avisitn),  # type: ignore[arg-type]
                    "avisit": part["AVISIT"].iloc[0], "arm": name, "n": n, "mean": mean, "sd": sd,
                    "lower": mean - half, "upper": mean + half})
    order = {p: i for i, p in enumerate(parameters)}
    frame = pd.DataFrame(out)
    return frame.sort_values(["paramcd", "avisitn", "arm"], key=lambda s: s.map(order) if s.name == "paramcd" else s,
                             kind="mergesort").reset_index(drop=True)
