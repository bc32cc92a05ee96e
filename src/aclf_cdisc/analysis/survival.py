"""Time-to-event analyses: Kaplan-Meier by arm, log-rank test and Cox hazard ratio (lifelines).

Conventions (confidence level, time points, log-log CI, Efron ties) come from specs/analysis.yaml.
CNSR = 0 is an event (ADaM BDS time-to-event); any other CNSR is censored.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from lifelines import CoxPHFitter, KaplanMeierFitter
from lifelines.exceptions import ConvergenceError
from lifelines.statistics import logrank_test
from lifelines.utils import median_survival_times

from aclf_cdisc.errors import DerivationError, Issue

#: Convergence of the Cox partial likelihood: far below any digit a report shows.
COX_PRECISION = 1e-12


@dataclass(frozen=True)
class ArmCurve:
    """One arm's Kaplan-Meier curve: step values at each distinct time (0 first)."""

    arm: str
    n: int
    events: int
    curve: pd.DataFrame  # time, at_risk, events, censored, survival, lower, upper
    median: float  # inf when not reached
    median_lower: float
    median_upper: float


@dataclass(frozen=True)
class SurvivalResult:
    paramcd: str
    param: str
    population: str
    arms: tuple[ArmCurve, ...]
    timepoints: pd.DataFrame  # arm, day, survival, lower, upper, at_risk
    logrank_chisq: float
    logrank_p: float
    hazard_ratio: float
    hr_lower: float
    hr_upper: float
    experimental: str
    reference: str


def _km(times: np.ndarray, events: np.ndarray, alpha: float) -> tuple[KaplanMeierFitter, pd.DataFrame]:
    kmf = KaplanMeierFitter(alpha=alpha).fit(times, events)
    table = kmf.event_table
    ci = kmf.confidence_interval_survival_function_
    curve = pd.DataFrame({
        "time": kmf.survival_function_.index.to_numpy(dtype=float),
        "at_risk": table["at_risk"].to_numpy(dtype=int),
        "events": table["observed"].to_numpy(dtype=int),
        "censored": table["censored"].to_numpy(dtype=int),
        "survival": kmf.survival_function_.iloc[:, 0].to_numpy(dtype=float),
        "lower": ci.iloc[:, 0].to_numpy(dtype=float),
        "upper": ci.iloc[:, 1].to_numpy(dtype=float),
    })
    return kmf, curve


def step_value(curve: pd.DataFrame, day: float, column: str) -> float:
    """The right-continuous step function ``column`` of ``curve`` at ``day``."""
    rows = curve[curve["time"] <= day]
    return float(rows[column].iloc[-1])


def survival_analysis(adtte: pd.DataFrame, *, paramcd: str, population: str, arm: str, reference: str,
                      confidence_level: float, timepoints: Sequence[int]) -> SurvivalResult:
    """KM per arm, log-rank and Cox HR (experimental vs ``reference``) for one ADTTE parameter.

    Rows: PARAMCD = ``paramcd`` and ``population`` = "Y". Exactly two arms are compared; a
    parameter with no rows, or with another number of arms, is a DerivationError (rule
    analysis.arms) naming the arms found.
    """
    with warnings.catch_warnings():
        # lifelines' own pandas calls warn about future pandas versions; nothing for a reader here
        warnings.filterwarnings("ignore", module="lifelines")
        warnings.filterwarnings("ignore", category=FutureWarning)
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        return _survival_analysis(adtte, paramcd=paramcd, population=population, arm=arm, reference=reference,
                                  confidence_level=confidence_level, timepoints=timepoints)


def _survival_analysis(adtte: pd.DataFrame, *, paramcd: str, population: str, arm: str, reference: str,
                       confidence_level: float, timepoints: Sequence[int]) -> SurvivalResult:
    rows = adtte[(adtte["PARAMCD"] == paramcd) & (adtte[population] == "Y")]
    arms = sorted(rows[arm].dropna().unique().tolist(), key=lambda a: (a == reference, a))
    if not arms:
        raise DerivationError([Issue(rule="analysis.arms", dataset="ADTTE", column=arm, value=paramcd,
                                     message=f"{paramcd}: no records with {population} = Y",
                                     expected=f"records of {paramcd}")])
    alpha = 1 - confidence_level
    curves: list[ArmCurve] = []
    points = []
    for name in arms:
        part = rows[rows[arm] == name]
        times = part["AVAL"].to_numpy(dtype=float)
        events = (part["CNSR"] == 0).to_numpy(dtype=int)
        kmf, curve = _km(times, events, alpha)
        medians = median_survival_times(kmf.confidence_interval_survival_function_)
        curves.append(ArmCurve(arm=str(name), n=len(part), events=int(events.sum()), curve=curve,
                               median=float(kmf.median_survival_time_),
                               median_lower=float(medians.iloc[0, 0]), median_upper=float(medians.iloc[0, 1])))
        for day in timepoints:
            points.append({"arm": str(name), "day": int(day),
                           "survival": step_value(curve, day, "survival"),
                           "lower": step_value(curve, day, "lower"), "upper": step_value(curve, day, "upper"),
                           "at_risk": int((times >= day).sum())})
    experimental = arms[0]
    chisq = p_value = hr = hr_low = hr_high = float("nan")
    if len(arms) == 2 and reference in arms:  # otherwise only the curves (a study too small to compare)
        exp_rows, ref_rows = rows[rows[arm] == experimental], rows[rows[arm] == reference]
        test = logrank_test(exp_rows["AVAL"].to_numpy(float), ref_rows["AVAL"].to_numpy(float),
                            (exp_rows["CNSR"] == 0).to_numpy(int), (ref_rows["CNSR"] == 0).to_numpy(int))
        chisq, p_value = float(test.test_statistic), float(test.p_value)
        data = pd.DataFrame({"T": rows["AVAL"].to_numpy(float), "E": (rows["CNSR"] == 0).to_numpy(int),
                             "X": (rows[arm] == experimental).to_numpy(float)})
        try:
            cox = CoxPHFitter(alpha=alpha).fit(data, "T", "E", fit_options={"precision": COX_PRECISION})
            beta = float(cox.params_["X"])
            low, high = (float(v) for v in cox.confidence_intervals_.loc["X"])
            with np.errstate(over="ignore"):  # a diverging fit (no event in one arm) gives inf: reported as NE
                hr, hr_low, hr_high = (float(v) if np.isfinite(v) else float("nan")
                                       for v in np.exp([beta, low, high]))
        except ConvergenceError:  # e.g. no event in one arm: no finite hazard ratio
            pass
    param = str(rows["PARAM"].iloc[0]) if "PARAM" in rows and len(rows) else paramcd
    return SurvivalResult(paramcd=paramcd, param=param, population=population, arms=tuple(curves),
                          timepoints=pd.DataFrame(points), logrank_chisq=chisq, logrank_p=p_value,
                          hazard_ratio=hr, hr_lower=hr_low, hr_upper=hr_high,
                          experimental=experimental, reference=reference)


def curve_frame(result: SurvivalResult) -> pd.DataFrame:
    """All arms' curves in one frame (the reports/analysis/km_<paramcd>.csv content)."""
    return pd.concat([c.curve.assign(arm=c.arm) for c in result.arms], ignore_index=True)[
        ["arm", "time", "at_risk", "events", "censored", "survival", "lower", "upper"]]


def summary_frame(result: SurvivalResult) -> pd.DataFrame:
    """Per arm: n, events, median with CI, estimates at the time points; then the comparison."""
    rows = []
    for c in result.arms:
        row: dict[str, object] = {"paramcd": result.paramcd, "arm": c.arm, "n": c.n, "events": c.events,
                                  "median": c.median, "median_lower": c.median_lower,
                                  "median_upper": c.median_upper}
        for p in result.timepoints[result.timepoints["arm"] == c.arm].itertuples():
            row[f"s_day{p.day}"] = p.survival
            row[f"s_day{p.day}_lower"] = p.lower
            row[f"s_day{p.day}_upper"] = p.upper
        rows.append(row)
    return pd.DataFrame(rows)


def comparison_frame(result: SurvivalResult) -> pd.DataFrame:
    return pd.DataFrame([{"paramcd": result.paramcd, "experimental": result.experimental,
                          "reference": result.reference, "logrank_chisq": result.logrank_chisq,
                          "logrank_p": result.logrank_p, "hazard_ratio": result.hazard_ratio,
                          "hr_lower": result.hr_lower, "hr_upper": result.hr_upper}])
