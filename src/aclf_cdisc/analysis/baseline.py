"""Baseline characteristics by arm and the disposition flow (ADSL; screened from SDTM DM)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd


def _fmt(value: float, digits: int = 1) -> str:
    return "" if value is None or np.isnan(value) else f"{value:.{digits}f}"


def _numeric_stats(x: np.ndarray) -> list[tuple[str, str]]:
    if not len(x):
        return [("n", "0")]
    q1, med, q3 = np.percentile(x, [25, 50, 75])
    sd = _fmt(x.std(ddof=1)) if len(x) > 1 else ""
    return [("n", str(len(x))), ("Mean (SD)", f"{_fmt(x.mean())} ({sd})"),
            ("Median [Q1, Q3]", f"{_fmt(med)} [{_fmt(q1)}, {_fmt(q3)}]"),
            ("Min, max", f"{_fmt(x.min())}, {_fmt(x.max())}")]


def baseline_table(adsl: pd.DataFrame, baseline: Mapping[str, Any], labels: Mapping[str, str]) -> pd.DataFrame:
    """variable, statistic, arm, value (text): numeric n / mean (SD) / median [Q1, Q3] / min, max;
    character n (%) per category (missing counted as "Missing")."""
    pop = adsl[adsl[baseline["population"]] == "Y"]
    arm = baseline["arm"]
    arms = sorted(pop[arm].dropna().unique())
    rows = []
    for var in baseline["variables"]:
        label = labels.get(var, var)
        for name in arms:
            part = pop.loc[pop[arm] == name, var]
            n_arm = len(part)
            if pd.api.types.is_numeric_dtype(part):
                stats = _numeric_stats(part.dropna().to_numpy(dtype=float))
            else:
                counts = part.fillna("Missing").value_counts()
                stats = [(str(k), f"{int(v)} ({100 * v / n_arm:.1f}%)") for k, v in sorted(counts.items())]
            rows += [{"variable": var, "label": label, "statistic": s, "arm": name, "value": v} for s, v in stats]
    return pd.DataFrame(rows)


def disposition(adsl: pd.DataFrame, dm: pd.DataFrame | None) -> pd.DataFrame:
    """step, arm, subjects: screened (DM), randomized (stage 1, per TRT01P), re-randomized at
    week 4 (per TRT02P), completed, transplanted, died (per TRT01P)."""
    rand = adsl[adsl["ITTFL"] == "Y"]
    rows = []
    if dm is not None:
        rows.append({"step": "Screened", "arm": "All", "subjects": int(dm["USUBJID"].nunique())})
    rows.append({"step": "Randomized (stage 1)", "arm": "All", "subjects": len(rand)})
    for step, mask, by in (
        ("Randomized (stage 1)", rand["ITTFL"] == "Y", "TRT01P"),
        ("Re-randomized at week 4", rand["RAND2FL"] == "Y", "TRT02P"),
        ("Completed the study", rand["EOSSTT"] == "COMPLETED", "TRT01P"),
        ("Liver transplantation", rand["LTXFL"] == "Y", "TRT01P"),
        ("Died", rand["DTHFL"] == "Y", "TRT01P"),
    ):
        counts = rand[mask].groupby(by).size()
        arms = sorted(rand[by].dropna().unique())
        rows += [{"step": step, "arm": a, "subjects": int(counts.get(a, 0))} for a in arms]
    return pd.DataFrame(rows)
