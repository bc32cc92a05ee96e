"""Kaplan-Meier, log-rank and Cox of the analysis page against statsmodels (an independent code base).

Every estimate, confidence limit, test statistic and hazard ratio agrees to 1e-6.
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np
import pandas as pd
import pytest
from statsmodels.duration.hazard_regression import PHReg
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from aclf_cdisc.analysis.survival import survival_analysis
from aclf_cdisc.spec.analysis import load_analysis_spec

TOL = 1e-6


@pytest.fixture(scope="module")
def analyses(sample_spec):
    return load_analysis_spec(sample_spec)


def _rows(adtte, item):
    rows = adtte[(adtte["PARAMCD"] == item["paramcd"]) & (adtte[item["population"]] == "Y")]
    return rows["AVAL"].to_numpy(float), (rows["CNSR"] == 0).to_numpy(int), rows[item["arm"]].to_numpy(object)


def _loglog_band(sf: SurvfuncRight, level: float) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise band on log(-log S) with the Greenwood standard error, written out by hand."""
    z = NormalDist().inv_cdf(0.5 + level / 2)
    s = sf.surv_prob
    with np.errstate(divide="ignore", invalid="ignore"):
        se = sf.surv_prob_se / (s * np.abs(np.log(s)))
        centre = np.log(-np.log(s))
        return np.exp(-np.exp(centre + z * se)), np.exp(-np.exp(centre - z * se))


def _analysed(paramcd, analyses, sample_adam):
    """The analyses.yaml item of ``paramcd``, the settings, and survival_analysis run on it."""
    item = next(i for i in analyses["survival"] if i["paramcd"] == paramcd)
    settings = analyses["settings"]
    result = survival_analysis(sample_adam["ADTTE"], paramcd=paramcd, population=item["population"],
                               arm=item["arm"], reference=item["reference"],
                               confidence_level=settings["confidence_level"],
                               timepoints=settings["km_timepoints_days"])
    return item, settings, result


@pytest.mark.parametrize("paramcd", ["TFS", "TFS2", "OS"])
def test_01_km_estimates_and_bands_equal_statsmodels(paramcd, analyses, sample_adam):
    item, settings, result = _analysed(paramcd, analyses, sample_adam)
    level = settings["confidence_level"]
    times, events, arms = _rows(sample_adam["ADTTE"], item)
    assert sorted(c.arm for c in result.arms) == sorted(set(arms))
    for curve in result.arms:
        mask = arms == curve.arm
        sf = SurvfuncRight(times[mask], events[mask])
        ours = curve.curve.set_index("time").loc[sf.surv_times]
        lower, upper = _loglog_band(sf, level)
        finite = np.isfinite(lower)  # S = 1 has no band on the log-log scale
        np.testing.assert_allclose(ours["survival"], sf.surv_prob, atol=TOL, rtol=0)
        np.testing.assert_allclose(ours["lower"].to_numpy()[finite], lower[finite], atol=TOL, rtol=0)
        np.testing.assert_allclose(ours["upper"].to_numpy()[finite], upper[finite], atol=TOL, rtol=0)
        assert (curve.n, curve.events) == (int(mask.sum()), int(events[mask].sum()))
        # estimates at the report days: the step function at that day
        for day in settings["km_timepoints_days"]:
            point = result.timepoints[(result.timepoints["arm"] == curve.arm) & (result.timepoints["day"] == day)]
            k = np.searchsorted(sf.surv_times, day, side="right") - 1
            expected = sf.surv_prob[k] if k >= 0 else 1.0
            assert point["survival"].iloc[0] == pytest.approx(expected, abs=TOL)
            if k >= 0 and np.isfinite(lower[k]):
                assert point["lower"].iloc[0] == pytest.approx(lower[k], abs=TOL)
                assert point["upper"].iloc[0] == pytest.approx(upper[k], abs=TOL)
            assert point["at_risk"].iloc[0] == int((times[mask] >= day).sum())
        # median: statsmodels' quantile (the first time S <= 0.5); not reached -> inf here, nan there
        median = sf.quantile(0.5)
        assert (np.isinf(curve.median) and np.isnan(median)) or curve.median == pytest.approx(median, abs=TOL)


@pytest.mark.parametrize("paramcd", ["TFS", "TFS2", "OS"])
def test_02_logrank_and_cox_equal_statsmodels(paramcd, analyses, sample_adam):
    item, settings, result = _analysed(paramcd, analyses, sample_adam)
    level = settings["confidence_level"]
    times, events, arms = _rows(sample_adam["ADTTE"], item)
    chisq, p = survdiff(times, events, arms)
    assert result.logrank_chisq == pytest.approx(chisq, abs=TOL)
    assert result.logrank_p == pytest.approx(p, abs=TOL)
    x = (arms != item["reference"]).astype(float)[:, None]
    fit = PHReg(times, x, status=events, ties="efron").fit(method="newton")
    z = NormalDist().inv_cdf(0.5 + level / 2)
    beta, se = fit.params[0], fit.bse[0]
    assert result.hazard_ratio == pytest.approx(np.exp(beta), abs=TOL)
    assert result.hr_lower == pytest.approx(np.exp(beta - z * se), abs=TOL)
    assert result.hr_upper == pytest.approx(np.exp(beta + z * se), abs=TOL)


def test_03_hand_sized_example():
    # Arm A: events at 2 and 4, censored at 3; arm B: event at 1, censored at 5.
    # S_A(2) = 2/3, S_A(4) = 2/3 * (1 - 1/1) = 0 ; S_B(1) = 1/2.
    frame = pd.DataFrame({"PARAMCD": "TFS", "ITTFL": "Y", "PARAM": "TFS",
                          "TRTP": ["A", "A", "A", "B", "B"], "AVAL": [2.0, 3.0, 4.0, 1.0, 5.0],
                          "CNSR": [0, 1, 0, 0, 1]})
    result = survival_analysis(frame, paramcd="TFS", population="ITTFL", arm="TRTP", reference="B",
                               confidence_level=0.95, timepoints=[2, 4])
    a = next(c for c in result.arms if c.arm == "A")
    assert a.curve.set_index("time")["survival"].to_dict() == pytest.approx({0.0: 1.0, 2.0: 2 / 3, 3.0: 2 / 3,
                                                                              4.0: 0.0})
    assert result.timepoints.query("arm == 'A'")["at_risk"].tolist() == [3, 1]
    assert a.median == 4.0
