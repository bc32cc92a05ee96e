"""Figures of the analysis page (matplotlib, laid out on Agg): SVG, inline in the page and as files for slides.

Each figure is drawn once, as SVG: a vector file scales on any slide, so a PNG copy would only
cost a second full draw per figure (about a fifth of the page's build time).

Bytes are reproducible: the SVG id salt is fixed per figure, metadata dates and software tags are
left out, and the only font is the one matplotlib ships. Figures are plain ``Figure`` objects on
the Agg canvas: no pyplot, so no interactive backend machinery and no global figure registry.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from matplotlib import rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from aclf_cdisc.analysis.survival import SurvivalResult, step_value

COLOURS = ("#1f5fa8", "#c0392b", "#2e8b57", "#8e44ad")
RC: dict[str, Any] = {"font.family": "DejaVu Sans", "font.size": 9, "svg.fonttype": "path", "axes.spines.top": False,
      "axes.spines.right": False, "path.simplify": False}


@dataclass(frozen=True)
class Rendered:
    name: str
    svg: bytes


def render(fig: Figure, name: str) -> Rendered:
    """SVG bytes of ``fig``; ``name`` salts the SVG ids."""
    with rc_context({"svg.hashsalt": f"aclf-{name}"}):
        svg = io.BytesIO()
        fig.savefig(svg, format="svg", metadata={"Date": None, "Creator": None})
    return Rendered(name=name, svg=svg.getvalue())


def _figure(figsize: tuple[float, float]) -> Figure:
    """An empty figure drawn by Agg (under the caller's rc settings)."""
    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig


def km_figure(result: SurvivalResult, *, title: str, ticks: Sequence[int], note: str = "",
              origin: str = "STARTDT") -> Figure:
    """KM curves by arm with censoring marks, and the numbers at risk under the axis; the time axis
    is AVAL, in days from ``origin`` (the ADSL date the parameter's STARTDT is)."""
    with rc_context(RC):  # type: ignore[arg-type]
        fig = _figure(figsize=(7.2, 4.6))
        ax = fig.add_axes((0.1, 0.34, 0.86, 0.54))
        for i, arm in enumerate(result.arms):
            c = arm.curve
            colour = COLOURS[i % len(COLOURS)]
            ax.step(c["time"], c["survival"], where="post", color=colour, lw=1.6, label=f"{arm.arm} (n={arm.n})")
            ax.fill_between(c["time"], c["lower"], c["upper"], step="post", color=colour, alpha=0.12, lw=0)
            cens = c[c["censored"] > 0]
            ax.plot(cens["time"], cens["survival"], ls="none", marker="|", ms=7, mew=1.2, color=colour)
        ax.set_ylim(0, 1.02)
        ax.set_xlim(0, max(ticks))
        ax.set_xticks(list(ticks))
        ax.set_ylabel("Probability")
        ax.set_xlabel(f"Days from {origin} (AVAL)")
        ax.set_title(title, fontsize=10, loc="left")
        ax.legend(loc="lower left", frameon=False)
        p = "< 0.0001" if result.logrank_p < 1e-4 else f"= {result.logrank_p:.4f}"
        text = (f"Log-rank p {p};  HR {result.experimental} vs {result.reference} = "
                f"{result.hazard_ratio:.2f} ({result.hr_lower:.2f}, {result.hr_upper:.2f})")
        ax.text(0.99, 0.03, text, transform=ax.transAxes, ha="right", va="bottom", fontsize=8)
        # numbers at risk
        fig.text(0.01, 0.17, "At risk", fontsize=8, weight="bold")
        for i, arm in enumerate(result.arms):
            y = 0.12 - 0.05 * i
            fig.text(0.01, y, arm.arm[:14], fontsize=8, color=COLOURS[i % len(COLOURS)])
            times = arm.curve["time"]
            for t in ticks:
                at_risk = int(arm.curve.loc[times >= t, "at_risk"].iloc[0]) if (times >= t).any() else 0
                at_risk = max(at_risk, 0)
                x = 0.1 + 0.86 * t / max(ticks)
                fig.text(x, y, str(at_risk), fontsize=8, ha="center")
        if note:
            fig.text(0.01, 0.975, note, fontsize=10, weight="bold", va="top", color="#b00")
        return fig


def lab_figure(summary: pd.DataFrame, parameters: Sequence[str], *, note: str = "") -> Figure:
    """One panel per parameter: median and quartiles per analysis visit, by arm."""
    with rc_context(RC):  # type: ignore[arg-type]
        n = len(parameters)
        fig = _figure(figsize=(7.2, 2.1 * n))
        axes = fig.subplots(n, 1, sharex=True)
        visits = summary[["avisitn", "avisit"]].drop_duplicates().sort_values("avisitn")
        for ax, paramcd in zip(axes if n > 1 else [axes], parameters, strict=True):
            part = summary[summary["paramcd"] == paramcd]
            for i, (arm, rows) in enumerate(part.groupby("arm", sort=True)):
                offset = (i - 0.5) * 0.12
                ax.errorbar(rows["avisitn"] + offset, rows["median"],
                            yerr=[rows["median"] - rows["q1"], rows["q3"] - rows["median"]],
                            color=COLOURS[i % len(COLOURS)], marker="o", ms=3, lw=1.2, capsize=2, label=arm)
            ax.set_ylabel(str(part["param"].iloc[0]) if len(part) else paramcd, fontsize=8)
            ax.legend(loc="best", frameon=False, fontsize=7)
        last = axes[-1] if n > 1 else axes
        last.set_xticks(visits["avisitn"].tolist())
        last.set_xticklabels(visits["avisit"].tolist(), rotation=45, ha="right", fontsize=7)
        fig.tight_layout(rect=(0, 0, 1, 0.97 if note else 1))
        if note:
            fig.text(0.01, 0.995, note, fontsize=10, weight="bold", va="top", color="#b00")
        return fig


__all__ = ["Rendered", "km_figure", "lab_figure", "render", "step_value"]
