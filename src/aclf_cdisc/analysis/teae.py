"""TEAE incidence by arm: subjects and events by SOC and PT, and the overview categories.

Variables and value sets (serious, related, leading to withdrawal, severity order) come from the
``safety`` section of specs/analysis.yaml. Denominators: subjects of the safety population per arm
(ADSL); numerators: distinct subjects with at least one TEAE of the category.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

TOTAL = "ANY TEAE"


def population(adsl: pd.DataFrame, safety: Mapping[str, Any]) -> pd.Series:
    """Subjects per arm in the safety population (the denominators)."""
    pop = adsl[adsl[safety["population"]] == "Y"]
    return pop.groupby(safety["arm"]).size()


def teaes(adae: pd.DataFrame, adsl: pd.DataFrame, safety: Mapping[str, Any]) -> pd.DataFrame:
    """TEAE records of safety-population subjects."""
    subjects = set(adsl.loc[adsl[safety["population"]] == "Y", "USUBJID"])
    return adae[(adae[safety["teae_flag"]] == "Y") & adae["USUBJID"].isin(subjects)]


def _count(records: pd.DataFrame, arm: str, by: list[str]) -> pd.DataFrame:
    grouped = records.groupby([*by, arm], dropna=False)
    return pd.DataFrame({"subjects": grouped["USUBJID"].nunique(), "events": grouped.size()}).reset_index()


def overview(adae: pd.DataFrame, adsl: pd.DataFrame, safety: Mapping[str, Any]) -> pd.DataFrame:
    """category, arm, subjects, events, denominator: any / serious / related / withdrawal / max severity."""
    arm = safety["arm"]
    rec = teaes(adae, adsl, safety)
    cats: list[tuple[str, pd.DataFrame]] = [
        (TOTAL, rec),
        ("SERIOUS", rec[rec[safety["serious"]] == "Y"]),
        ("RELATED", rec[rec[safety["related"]["variable"]].isin(safety["related"]["values"])]),
        ("LEADING TO WITHDRAWAL", rec[rec[safety["withdrawal"]["variable"]].isin(safety["withdrawal"]["values"])]),
    ]
    sev_var, order = safety["severity"]["variable"], list(safety["severity"]["order"])
    rank = rec[sev_var].map({s: i for i, s in enumerate(order)})
    worst = rec.assign(_RANK=rank).groupby("USUBJID")["_RANK"].transform("max")
    for i, level in enumerate(order):
        # subjects whose maximum severity is this level; events of that level for those subjects
        cats.append((f"MAX SEVERITY {level}", rec[(worst == i) & (rank == i)]))
    denominators = population(adsl, safety)
    rows = []
    for name, part in cats:
        for arm_value, n in denominators.items():
            sub = part[part[arm] == arm_value]
            rows.append({"category": name, "arm": arm_value, "subjects": sub["USUBJID"].nunique(),
                         "events": len(sub), "denominator": int(n)})
    return pd.DataFrame(rows)


def by_soc_pt(adae: pd.DataFrame, adsl: pd.DataFrame, safety: Mapping[str, Any]) -> pd.DataFrame:
    """soc, pt (empty on the SOC row), arm, subjects, events, denominator; SOCs and PTs alphabetical."""
    arm, soc, pt = safety["arm"], safety["soc"], safety["pt"]
    rec = teaes(adae, adsl, safety)
    denominators = population(adsl, safety)
    socs = _count(rec, arm, [soc]).assign(**{pt: ""})
    pts = _count(rec, arm, [soc, pt])
    table = pd.concat([socs, pts], ignore_index=True)
    grid = table[[soc, pt]].drop_duplicates().merge(pd.DataFrame({arm: list(denominators.index)}), how="cross")
    table = grid.merge(table, on=[soc, pt, arm], how="left").fillna({"subjects": 0, "events": 0})
    table["denominator"] = table[arm].map(denominators).astype(int)
    table[["subjects", "events"]] = table[["subjects", "events"]].astype(int)
    table = table.rename(columns={soc: "soc", pt: "pt", arm: "arm"})
    return table.sort_values(["soc", "pt", "arm"], kind="mergesort").reset_index(drop=True)
