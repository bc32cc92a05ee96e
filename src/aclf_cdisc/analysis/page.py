"""reports/analysis.html: one self-contained page (inline CSS and SVG, no script, no network)."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:  # the survival module imports lifelines: only its result's type is needed here
    from aclf_cdisc.analysis.survival import SurvivalResult

CSS = """
body{font-family:"DejaVu Sans",Arial,sans-serif;font-size:13px;margin:24px auto;max-width:1040px;color:#222}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid #ccc}
h3{font-size:14px;margin:18px 0 6px}.meta{color:#555;margin-bottom:10px}
.banner{background:#b00;color:#fff;font-weight:bold;font-size:16px;padding:8px 12px;margin-bottom:12px}
table{border-collapse:collapse;margin:6px 0 12px}th,td{border:1px solid #ccc;padding:3px 7px;text-align:right}
th{background:#f1f3f6}td.l,th.l{text-align:left}tr.soc td{font-weight:bold;background:#fafafa}
figure{margin:8px 0}figure svg{max-width:100%;height:auto}figcaption{color:#555;font-size:12px}
nav a{margin-right:12px}
"""


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def num(value: float, digits: int = 3) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "NE"
    if isinstance(value, float) and math.isinf(value):
        return "not reached"
    return f"{value:.{digits}f}"


def pval(p: float) -> str:
    """'p < 0.0001' or 'p = 0.1234'."""
    return "p < 0.0001" if p < 1e-4 else f"p = {p:.4f}"


def table(header: Sequence[str], rows: Sequence[Sequence[object]], left: int = 1,
          row_classes: Sequence[str] | None = None) -> str:
    head = "".join(f'<th class="l">{esc(h)}</th>' if i < left else f"<th>{esc(h)}</th>"
                   for i, h in enumerate(header))
    body = []
    for k, row in enumerate(rows):
        cls = f' class="{row_classes[k]}"' if row_classes and row_classes[k] else ""
        cells = "".join(f'<td class="l">{esc(v)}</td>' if i < left else f"<td>{esc(v)}</td>"
                        for i, v in enumerate(row))
        body.append(f"<tr{cls}>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def inline_svg(svg: bytes) -> str:
    text = svg.decode("utf-8")
    return text[text.index("<svg"):]


def survival_section(result: SurvivalResult, svg: bytes, title: str, level: float,
                     timepoints: Sequence[int]) -> str:
    pct = f"{100 * level:g}%"
    rows = []
    for arm in result.arms:
        row: list[object] = [arm.arm, arm.n, arm.events,
                             f"{num(arm.median, 0)} ({num(arm.median_lower, 0)}, {num(arm.median_upper, 0)})"]
        for day in timepoints:
            p = result.timepoints[(result.timepoints["arm"] == arm.arm) & (result.timepoints["day"] == day)].iloc[0]
            row.append(f"{num(p.survival)} ({num(p.lower)}, {num(p.upper)})")
        rows.append(row)
    header = ["Arm", "N", "Events", f"Median days ({pct} CI)", *[f"S(day {d}) ({pct} CI)" for d in timepoints]]
    comparison = (f"<p>Log-rank test: chi-square {result.logrank_chisq:.3f}, {pval(result.logrank_p)}. "
                  f"Cox proportional hazards (Efron ties): hazard ratio {esc(result.experimental)} vs "
                  f"{esc(result.reference)} = {result.hazard_ratio:.3f} ({pct} CI {result.hr_lower:.3f}, "
                  f"{result.hr_upper:.3f}).</p>")
    return (f'<h3 id="{esc(result.paramcd)}">{esc(title)}</h3>'
            f"<figure>{inline_svg(svg)}<figcaption>Kaplan-Meier estimate by arm ({esc(result.population)} = Y); "
            f"| marks censored subjects; shaded: pointwise {pct} confidence band (log-log); numbers at risk "
            f"under the axis.</figcaption></figure>"
            + table(header, rows) + comparison)


def teae_sections(overview: pd.DataFrame, soc_pt: pd.DataFrame) -> str:
    arms = list(dict.fromkeys(overview["arm"]))
    den = overview.drop_duplicates("arm").set_index("arm")["denominator"]
    header = ["Category", *[f"{a} (N={den[a]}) subjects n (%)" for a in arms], *[f"{a} events" for a in arms]]
    rows = []
    for cat, part in overview.groupby("category", sort=False):
        p = part.set_index("arm")
        rows.append([cat, *[f"{p.loc[a, 'subjects']} ({100 * p.loc[a, 'subjects'] / den[a]:.1f}%)" for a in arms],
                     *[p.loc[a, "events"] for a in arms]])
    out = table(header, rows)
    rows, classes = [], []
    for (soc, pt), part in soc_pt.groupby(["soc", "pt"], sort=False):
        p = part.set_index("arm")
        rows.append([soc if pt == "" else f"\u2003{pt}",
                     *[f"{p.loc[a, 'subjects']} ({100 * p.loc[a, 'subjects'] / den[a]:.1f}%)" for a in arms],
                     *[p.loc[a, "events"] for a in arms]])
        classes.append("soc" if pt == "" else "")
    header = ["System organ class / preferred term", *[f"{a} subjects n (%)" for a in arms],
              *[f"{a} events" for a in arms]]
    return out + "<h3>By system organ class and preferred term</h3>" + table(header, rows, row_classes=classes)


def baseline_section(base: pd.DataFrame) -> str:
    arms = list(dict.fromkeys(base["arm"]))
    rows = []
    for (label, stat), part in base.groupby(["label", "statistic"], sort=False):
        p = part.set_index("arm")["value"]
        rows.append([label, stat, *[p.get(a, "") for a in arms]])
    return table(["Characteristic", "Statistic", *arms], rows, left=2)


def disposition_section(disp: pd.DataFrame) -> str:
    rows = [[r.step, r.arm, r.subjects] for r in disp.itertuples()]
    return table(["Step", "Arm", "Subjects"], rows, left=2)


def page(*, title: str, subtitle: str, banner: str | None, sections: Sequence[tuple[str, str, str]]) -> str:
    """The HTML text; ``sections`` are (anchor, heading, body html). ``banner`` is the first line shown."""
    nav = " ".join(f'<a href="#{esc(a)}">{esc(h)}</a>' for a, h, _ in sections)
    top = f'<div class="banner">{esc(banner)}</div>' if banner else ""
    body = "".join(f'<h2 id="{esc(a)}">{esc(h)}</h2>{b}' for a, h, b in sections)
    comment = f"<!-- {esc(banner)} -->\n" if banner else ""
    return (f"<!DOCTYPE html>\n{comment}<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{esc(banner + ': ' if banner else '')}{esc(title)}</title><style>{CSS}</style></head><body>"
            f"{top}<h1>{esc(title)}</h1><div class=\"meta\">{esc(subtitle)}</div><nav>{nav}</nav>{body}"
            "</body></html>\n")
