"""The validation engine: the spec-generated schemas and the catalogued rules over a set of datasets.

The build (:func:`run_checks`) and ``aclf-cdisc validate`` (:func:`validate`) run the same rules;
they differ only in the spec they pass (the study's own spec, or metadata assembled from the files,
the shipped IG metadata and a CT file: :mod:`aclf_cdisc.checks.inputs`) and in the context
(define.xml, file headers).

Every Issue that names a dataset record is traced back to the raw record it came from
(:func:`aclf_cdisc.sdtm.lineage.cite_sources`): ``file`` and ``row`` name the raw export. Datasets
read from files carry no lineage and keep their own record numbers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from aclf_cdisc.checks.catalogue import RULES, Checklist, apply_checklist, preset, select_rules
from aclf_cdisc.checks.rule import Context, Datasets, Rule
from aclf_cdisc.compact import compact_frame, dataset_cells, distinct_of, held_dataset, record_counts
from aclf_cdisc.errors import Issue
from aclf_cdisc.sdtm.lineage import cite_sources
from aclf_cdisc.spec.model import Spec
from aclf_cdisc.spec.schemas import dataset_schema, validate_frame, validate_held
from aclf_cdisc.tasks import MapEach, serial_map

REPORT_COLUMNS = ("rule", "severity", "dataset", "row", "column", "value", "expected", "message", "file")


@dataclass(frozen=True)
class Validation:
    """What a run found and what it checked: ``rules`` are the rules that ran (fired or not)."""

    issues: tuple[Issue, ...]
    rules: tuple[Rule, ...]
    checklist: Checklist

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i.severity == "error")


HELD_CELLS = 4_000_000  # a dataset of more cells is schema-checked as held (on its codes), not rebuilt whole
BLOCK_RECORDS = 100_000  # the records a frame-level (value-level) check reads at a time, rebuilt


def schema_issues(datasets: Datasets, spec: Spec, name: str, *, held_cells: int = HELD_CELLS,
                  block_records: int = BLOCK_RECORDS) -> list[Issue]:
    """One dataset against the pandera schema generated from its spec (lazily), then the transport's
    character rule (:func:`non_ascii_issues`); records not yet cited back to the raw export.

    A dataset of more than ``held_cells`` cells is checked as the store holds it, on its codes
    (:func:`aclf_cdisc.spec.schemas.validate_held`): the same findings, in the same order; one
    held as built is coded first (:func:`coded_as_stored`). Where a strict check fails, the whole
    dataset is rebuilt and validated as one frame.
    """
    schema = dataset_schema(spec, name)
    if dataset_cells(datasets, name) > held_cells:
        held = coded_as_stored(held_dataset(datasets, name))
        found = validate_held(held, schema, dataset=name, block_records=block_records)
        if found is not None:
            return [*found, *non_ascii_issues(held, name)]
        del held
    frame = datasets[name]  # read once: a compacted store rebuilds it on every read
    return [*validate_frame(frame, schema, dataset=name), *non_ascii_issues(frame, name)]


def coded_as_stored(frame: pd.DataFrame) -> pd.DataFrame:
    """A dataset held as built (a store keeps a smaller one so: no column coded) coded as a store
    codes it (:func:`aclf_cdisc.compact.compact_frame`), so its checks and the non-ASCII scan read
    each distinct value once; a coded one as it is.

    >>> coded_as_stored(pd.DataFrame({"SEX": ["F", "M", "F"]}, dtype=object))["SEX"].cat.codes.tolist()
    [0, 1, 0]
    """
    if any(isinstance(dtype, pd.CategoricalDtype) for dtype in frame.dtypes):
        return frame
    return compact_frame(frame)


def _size(datasets: Datasets, name: str) -> float:
    return float(dataset_cells(datasets, name))


def run_checks(datasets: Datasets, spec: Spec, *, checklist: Checklist | None = None,
               context: Context | None = None, map_each: MapEach = serial_map) -> list[Issue]:
    """Every dataset against its spec-generated schema (:func:`schema_issues`, by dataset name), then
    the rules the checklist keeps (as :func:`validate` runs them): both kinds of task are handed to
    ``map_each`` together, largest datasets first, so the workers share them; the findings come
    back in that order whatever ran where."""
    names = sorted(datasets)
    rules = rules_to_run(checklist or preset("final"), study=True)
    tasks: list[str | Rule] = [*names, *rules]
    mean = sum(_size(datasets, n) for n in names) / max(len(names), 1)

    def run(task: str | Rule) -> list[Issue]:
        return schema_issues(datasets, spec, task) if isinstance(task, str) else task.run(datasets, spec, context)

    def cost(task: str | Rule) -> float:  # a rule's work is unknown: an average dataset's
        return _size(datasets, task) if isinstance(task, str) else mean

    found = list(map_each(run, tasks, cost=cost))
    schemas = cite_sources([i for part in found[:len(names)] for i in part], datasets, spec)
    return [*schemas, *_finish(found[len(names):], datasets, spec, checklist or preset("final"))]


def non_ascii_issues(frame: pd.DataFrame, dataset: str) -> list[Issue]:
    """Text the XPT writer would refuse (``xpt.char-non-ascii``: XPT v5 files are written ASCII), one
    Issue per record, found here so the build stops before writing and names the raw record. A
    coded text column (held by a store, :mod:`aclf_cdisc.compact`) is judged on its categories,
    its distinct values."""
    issues: list[Issue] = []
    for column in frame.columns:
        series = frame[column]
        if not (isinstance(series.dtype, pd.CategoricalDtype) or series.dtype == object
                or pd.api.types.is_string_dtype(series)):
            continue
        bad = [v for v in distinct_of(series) if isinstance(v, str) and not v.isascii()]
        if not bad:
            continue
        for position in np.flatnonzero(series.isin(bad).to_numpy()).tolist():
            issues.append(Issue(rule="xpt.char-non-ascii", dataset=dataset, row=position + 1,
                                column=str(column), value=series.iloc[position], message="value is not ASCII",
                                expected="ASCII text: XPT v5 files are written ASCII"))
    return issues


def rules_to_run(checklist: Checklist, *, study: bool) -> tuple[Rule, ...]:
    """The catalogued rules the checklist keeps; study-scope rules only when the study's spec is at hand."""
    return tuple(r for r in select_rules(checklist, RULES) if study or r.scope != "study")


def validate(datasets: Datasets, spec: Spec, *, checklist: Checklist | None = None, context: Context | None = None,
             study: bool = True) -> Validation:
    """Run every rule the checklist keeps and give each finding its checklist severity."""
    checklist = checklist or preset("final")
    rules = rules_to_run(checklist, study=study)
    found = [rule.run(datasets, spec, context) for rule in rules]
    return Validation(issues=tuple(_finish(found, datasets, spec, checklist)), rules=rules, checklist=checklist)


def _finish(found: Iterable[list[Issue]], datasets: Datasets, spec: Spec, checklist: Checklist) -> list[Issue]:
    """The rules' findings, in rule order, cited back to the raw export, with checklist severities."""
    return apply_checklist(cite_sources([i for part in found for i in part], datasets, spec), checklist)


def issues_frame(issues: list[Issue]) -> pd.DataFrame:
    """The report as a table, one row per Issue, in a stable order."""
    rows = [{c: getattr(i, c) for c in REPORT_COLUMNS} for i in issues]
    frame = pd.DataFrame(rows, columns=list(REPORT_COLUMNS))
    order = {"error": 0, "warning": 1, "note": 2}
    frame["_sev"] = frame["severity"].map(order)
    frame = frame.sort_values(["_sev", "rule", "dataset"], kind="mergesort").drop(columns="_sev")
    return frame.astype(object).where(frame.notna(), None).reset_index(drop=True)


def build_checklist(spec: Spec, *, blinded: bool = False) -> Checklist:
    """The checklist a build runs: ``final``, adjusted by the spec's ``conventions.validation.checklist``
    (or ``blinded_checklist`` for a blinded build, whose treatment variables are masked)."""
    from aclf_cdisc.checks.catalogue import checklist_from_mapping

    settings = spec.study.conventions.get("validation", {})
    return checklist_from_mapping(settings.get("blinded_checklist" if blinded else "checklist") or {},
                                  file="specs/study.yaml")


def report_content(datasets: Datasets, spec: Spec, *, checklist: Checklist | None = None) -> dict[str, Any]:
    """What the build's report shows besides the findings: the rules that ran, every dataset (label,
    class, records), the frames (for USUBJID/--SEQ in the Details sheet) and the spec's explanations."""
    from aclf_cdisc.checks.explanations import spec_explanations
    from aclf_cdisc.checks.report import DatasetInfo

    records = record_counts(datasets)  # no dataset is read for its length
    infos = [DatasetInfo(name, spec.datasets[name].label if name in spec.datasets else "",
                         spec.datasets[name].class_.title() if name in spec.datasets else "", records[name],
                         f"{name.lower()}.xpt") for name in sorted(datasets)]
    return {"rules": rules_to_run(checklist or preset("final"), study=True), "datasets": infos,
            "frames": datasets, "explanations": spec_explanations(spec)}
