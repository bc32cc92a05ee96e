"""The study at a glance: reports/analysis.html and its CSV and figure files, from the ADaM datasets.

``build_analysis`` is pure: ADaM (and SDTM DM) frames and the spec in, ``{relative path: bytes}``
out; the package build writes the files into ``reports/``. What is analysed, with which
conventions, is ``specs/analysis.yaml``. A dummy-randomization build passes ``dummy_label``: it
is the first line of every file (a comment line in CSV, the banner and an HTML comment in the
page, the top line of every figure) and every arm is labelled with it.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Any

import pandas as pd

from aclf_cdisc.analysis import baseline, labs, page, teae
from aclf_cdisc.compact import held_records
from aclf_cdisc.errors import DerivationError
from aclf_cdisc.spec.analysis import load_analysis_spec
from aclf_cdisc.spec.conventions import required_convention
from aclf_cdisc.spec.model import Spec

REPORT = "analysis.html"
FOLDER = "analysis"
ARM_VARIABLES = ("TRTP", "TRT01P", "TRT01A", "TRT02P", "TRT02A", "TRTA")
DUMMY_ARM_PREFIX = "DUMMY "


def _csv(frame: pd.DataFrame, dummy_label: str | None) -> bytes:
    text = frame.to_csv(index=False, float_format="%.10g", lineterminator="\n")
    return ((f"# {dummy_label}\n" if dummy_label else "") + text).encode("utf-8")


def _svg(svg: bytes, dummy_label: str | None) -> bytes:
    """An SVG file; in a dummy build the label also as a comment after the XML declaration (the
    figure's own top line draws it as glyphs)."""
    if not dummy_label:
        return svg
    end = svg.index(b"?>") + 2
    return svg[:end] + f"\n<!-- {dummy_label} -->".encode() + svg[end:]


READ_DATASETS = ("DM", "ADSL", "ADAE", "ADLB", "ADTTE")  # what the page is computed from
LAB_VARIABLES = ("PARAMCD", "PARAM", "AVISIT", "AVISITN", "AVAL")  # of ADLB, besides arm, population, flag


def _relabel(frame: pd.DataFrame) -> pd.DataFrame:
    """Arm values prefixed with DUMMY, so no figure or table shows a bare arm name."""
    cols = {c: frame[c].map(lambda v: v if v is None or pd.isna(v) else f"{DUMMY_ARM_PREFIX}{v}")
            for c in ARM_VARIABLES if c in frame.columns}
    return frame.assign(**cols)


def import_heavy() -> None:
    """Import what :func:`build_analysis` imports when it runs: matplotlib and lifelines (with
    scipy), about a second, which importing this package does not pay (the build reads
    :data:`READ_DATASETS` from it, and does these imports on the page's worker while the
    datasets are built)."""
    from aclf_cdisc.analysis import figures, survival  # noqa: F401


def _labels(spec: Spec, dataset: str) -> dict[str, str]:
    return {v.name: v.label for v in spec.dataset(dataset).variables} if dataset in spec.datasets else {}


def build_analysis(datasets: Mapping[str, pd.DataFrame], spec: Spec, *,
                   dummy_label: str | None = None) -> dict[str, bytes]:
    """Every file of the analysis page, keyed by its path under ``reports/``; {} without analysis.yaml."""
    from aclf_cdisc.adam.tte_sources import TTE_PARAMETERS
    from aclf_cdisc.analysis import figures, survival  # matplotlib and lifelines (:func:`import_heavy`)

    analyses = load_analysis_spec(spec)
    if analyses is None:
        return {}
    settings: dict[str, Any] = analyses["settings"]
    lab_arm, lab_population, lab_flag = "TRT01P", "ITTFL", settings["lab_record_flag"]
    params = list(settings["lab_parameters"])
    # only the datasets the page reads, and of ADLB only the variables and records the lab summary
    # uses, as held (a compacted store's codes: the summary groups them as it groups values)
    summarised = partial(labs.summarised_records, parameters=params, record_flag=lab_flag, population=lab_population)
    read = {k: (held_records(datasets, k, [*LAB_VARIABLES, lab_arm, lab_population, lab_flag], summarised)
                if k == "ADLB" else datasets[k]) for k in READ_DATASETS if k in datasets}
    frames = {k: (_relabel(v) if dummy_label else v) for k, v in read.items()}
    prefix = DUMMY_ARM_PREFIX if dummy_label else ""
    level = float(settings["confidence_level"])
    points = [int(d) for d in settings["km_timepoints_days"]]
    files: dict[str, bytes] = {}
    sections: list[tuple[str, str, str]] = []

    # Time to event
    follow_up = 7 * int(required_convention(spec.study.conventions, "follow_up_weeks"))
    ticks = sorted({0, *points, follow_up})
    tte_html, summaries, comparisons = [], [], []
    origins = {p.paramcd: p.start_date for p in TTE_PARAMETERS}  # TFS2 counts from RAND2DT, not RANDDT
    for item in analyses["survival"]:
        try:
            result = survival.survival_analysis(
                frames["ADTTE"], paramcd=item["paramcd"], population=item["population"], arm=item["arm"],
                reference=prefix + item["reference"], confidence_level=level, timepoints=points)
        except DerivationError:  # no records of the parameter in this export: nothing to show
            tte_html.append(f"<h3>{page.esc(item['paramcd'])}</h3><p>No records with "
                            f"{page.esc(item['population'])} = Y.</p>")
            continue
        name = f"km_{item['paramcd'].lower()}"
        fig = figures.render(figures.km_figure(result, title=result.param, ticks=ticks, note=dummy_label or "",
                                               origin=origins.get(item["paramcd"], "STARTDT")), name)
        files[f"{FOLDER}/{name}.svg"] = _svg(fig.svg, dummy_label)
        files[f"{FOLDER}/{name}.csv"] = _csv(survival.curve_frame(result), dummy_label)
        summaries.append(survival.summary_frame(result))
        comparisons.append(survival.comparison_frame(result))
        tte_html.append(page.survival_section(result, fig.svg, result.param, level, points))
    files[f"{FOLDER}/survival_summary.csv"] = _csv(pd.concat(summaries, ignore_index=True) if summaries
                                                   else pd.DataFrame(), dummy_label)
    files[f"{FOLDER}/survival_tests.csv"] = _csv(pd.concat(comparisons, ignore_index=True) if comparisons
                                                 else pd.DataFrame(), dummy_label)
    sections.append(("survival", "Transplant-free and overall survival", "".join(tte_html)))

    # Safety
    safety = analyses["safety"]
    overview = teae.overview(frames["ADAE"], frames["ADSL"], safety)
    soc_pt = teae.by_soc_pt(frames["ADAE"], frames["ADSL"], safety)
    files[f"{FOLDER}/teae_overview.csv"] = _csv(overview, dummy_label)
    files[f"{FOLDER}/teae_soc_pt.csv"] = _csv(soc_pt, dummy_label)
    sections.append(("teae", f"Treatment-emergent adverse events by {safety['arm']} (safety population)",
                     page.teae_sections(overview, soc_pt)))

    # Baseline and disposition
    base = baseline.baseline_table(frames["ADSL"], analyses["baseline"], _labels(spec, "ADSL"))
    disp = baseline.disposition(frames["ADSL"], frames.get("DM"))
    files[f"{FOLDER}/baseline.csv"] = _csv(base, dummy_label)
    files[f"{FOLDER}/disposition.csv"] = _csv(disp, dummy_label)
    sections.append(("baseline", f"Baseline characteristics by {analyses['baseline']['arm']} (ITT)",
                     page.baseline_section(base)))
    sections.append(("disposition", "Disposition", page.disposition_section(disp)))

    # Labs over time
    summary = labs.lab_summary(frames["ADLB"], parameters=params, record_flag=lab_flag,
                               arm=lab_arm, population=lab_population)
    files[f"{FOLDER}/labs.csv"] = _csv(summary, dummy_label)
    fig = figures.render(figures.lab_figure(summary, params, note=dummy_label or ""), "labs")
    files[f"{FOLDER}/labs.svg"] = _svg(fig.svg, dummy_label)
    sections.append(("labs", "Liver function over the analysis visits by TRT01P (ITT)",
                     f"<figure>{page.inline_svg(fig.svg)}<figcaption>Median with first and third quartiles per "
                     f"analysis visit ({settings['lab_record_flag']} = Y).</figcaption></figure>"))

    study = spec.study
    files[REPORT] = page.page(
        title=f"{study.studyid}: the study at a glance",
        subtitle=f"{study.registry_id}. {study.title}. Built from the ADaM datasets of this build; "
                 f"conventions in specs/analysis.yaml.",
        banner=dummy_label, sections=sections).encode("utf-8")
    return dict(sorted(files.items()))
