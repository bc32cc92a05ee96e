"""A folder validation from end to end: read, assemble metadata, run the catalogue, write the reports.

``aclf-cdisc validate`` is a thin wrapper around :func:`validate_folder`; benchmarks and tests call
it directly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from aclf_cdisc.checks.catalogue import apply_checklist, load_checklist
from aclf_cdisc.checks.ig import ADAMIG, SDTMIG, ig_version
from aclf_cdisc.checks.inputs import Delivery, codelists_named, delivery_spec, read_delivery
from aclf_cdisc.checks.report import DatasetInfo, render_text_summary, write_reports
from aclf_cdisc.checks.rule import Context
from aclf_cdisc.checks.run import Validation, validate
from aclf_cdisc.errors import AclfError, Issue
from aclf_cdisc.spec.ct import ControlledTerminology, read_ct
from aclf_cdisc.spec.model import Spec


@dataclass(frozen=True)
class Outcome:
    delivery: Delivery
    spec: Spec
    validation: Validation
    reports: dict[str, Path]
    summary: str


def read_terminology(path: Path | None, only: set[str] | None = None) -> ControlledTerminology | None:
    """The CT file (just the codelists in ``only`` when given), or one clear message when it is not an
    NCI EVS text export."""
    if path is None:
        return None
    try:
        return read_ct(path, only=only)
    except AclfError as exc:
        first = exc.issues[0]
        raise AclfError(Issue(rule="validate.ct-invalid", file=str(path), row=first.row,
                              message=f"--ct is not a CDISC CT file in the NCI EVS text export format: {first.message}",
                              value=first.value, expected="the tab-delimited 'SDTM Terminology.txt' (or an archive "
                                                          "holding it) from NCI EVS")) from exc


def define_findings(delivery: Delivery) -> list[Issue]:
    """Each define.xml against its datasets (datasets, variables, types, lengths, codelists, value level).

    One define covers every dataset; several (an eCTD tree: tabulations and analysis) each cover the
    datasets in their own folder.
    """
    issues: list[Issue] = []
    for define in delivery.defines:
        names = [n for n in sorted(delivery.datasets)
                 if len(delivery.defines) == 1 or delivery.files[n].parent == define.parent]
        issues += _one_define(define, {n: (delivery.datasets[n], delivery.metadata[n]) for n in names})
    return issues


def document_element(path: Path) -> tuple[str | None, str] | None:
    """(namespace, name) of the first element of the XML file ``path``, read up to it only (no
    entity expanded, nothing fetched); None when the file is not XML (text, a binary, empty)."""
    from lxml import etree

    try:
        for _, element in etree.iterparse(str(path), events=("start",), resolve_entities=False, no_network=True):
            name = etree.QName(element)
            return name.namespace, name.localname
    except etree.XMLSyntaxError:
        return None
    return None


def _one_define(define: Path, data: dict[str, Any]) -> list[Issue]:
    from aclf_cdisc.define.checks import check_define_against_data
    from aclf_cdisc.define.common import ODM_NS

    root = document_element(define)
    if root is None or root[1] != "ODM":
        return [Issue(rule="define.unreadable", file=define.name,
                      message="define.xml is not a Define-XML file: not XML with an ODM document element",
                      value=None if root is None else root[1], expected="Define-XML 2.0 or 2.1")]
    if root[0] != ODM_NS:
        return [Issue(rule="define.version-unsupported", severity="note", file=define.name,
                      message="define.xml is not Define-XML 2.x (ODM 1.3): define-vs-data checks skipped",
                      expected="Define-XML 2.0 or 2.1")]
    try:
        return [replace(i, file=i.file or define.name) for i in check_define_against_data(define, data)]
    except AclfError as exc:
        return [replace(i, severity="error") for i in exc.issues]
    except Exception as exc:  # a define we cannot parse is a finding, not a crash
        return [Issue(rule="define.unreadable", message=f"cannot read define.xml: {exc}", file=define.name)]


def skipped_notes(delivery: Delivery) -> list[Issue]:
    """A note for each .json file under the folder that is not a dataset, so the report says it was
    not checked (a package's manifest.json, a previous validation.json)."""
    return [Issue(rule="validate.file-skipped", severity="note", file=str(path),
                  message=f"{path.name} is not Dataset-JSON (none of its members): skipped, not validated")
            for path in delivery.skipped]


def _standard_text(delivery: Delivery) -> str:
    kinds = sorted(set(delivery.standards.values()))
    return ", ".join(ig_version(SDTMIG if kind == "SDTM" else ADAMIG) for kind in kinds)


def report_info(delivery: Delivery, path: Path, ct: ControlledTerminology | None, checklist: str,
                validation: Validation) -> dict[str, Any]:
    from aclf_cdisc import __version__

    return {
        "Inputs": str(path),
        "Datasets": len(delivery.datasets),
        "Define.xml": delivery.define.name if delivery.define else "(none)",
        "Standard": _standard_text(delivery),
        "CDISC CT": Path(ct.source).name if ct else "(not given: codelist rules skipped)",
        "MedDRA": "not checked (licensed dictionary)",
        "Checklist": checklist,
        "Rules run": len(validation.rules),
        "Engine": f"aclf-cdisc {__version__}",
    }


def publish_reports(out: Path, write: Callable[[Path], dict[str, Path]]) -> dict[str, Path]:
    """Have ``write`` put the reports into a staging folder that then replaces ``out`` whole, as a
    build publishes its package (:func:`aclf_cdisc.package.atomic.staged_output`, which keeps the
    other files of ``out``): an interrupt, a full disk or an error midway leaves ``out`` as it was,
    never this run's CSV beside the last run's workbook. The reports as they are named in ``out``."""
    from aclf_cdisc.package.atomic import parents_made_for, staged_output

    with parents_made_for(out), staged_output(out, what="the reports") as staging:
        written = write(staging)
    return {kind: out / path.relative_to(staging) for kind, path in written.items()}


def validate_folder(path: Path, *, define: Path | None = None, ct: Path | None = None,
                    standard: str | None = None, checklist: str = "final", out: Path | None = None) -> Outcome:
    chosen = load_checklist(checklist)
    delivery = read_delivery(Path(path), define=define, standard=standard)
    terminology = read_terminology(ct, codelists_named(delivery))
    spec = delivery_spec(delivery, terminology)
    context = Context(define=delivery.define, define_expected=True, file_metadata=delivery.metadata)
    ran = validate(delivery.datasets, spec, checklist=chosen, context=context, study=False)
    issues = (*ran.issues, *apply_checklist([*define_findings(delivery), *skipped_notes(delivery)], chosen))
    validation = replace(ran, issues=issues)
    infos = [DatasetInfo(name, d.label, d.class_.title(), len(delivery.datasets[name]), delivery.files[name].name)
             for name, d in spec.datasets.items()]
    reports: dict[str, Path] = {}
    info = report_info(delivery, Path(path), terminology, chosen.name, validation)
    if out is not None:
        reports = publish_reports(Path(out), lambda folder: write_reports(
            issues, folder, title="Validation report", build_info=info, rules=validation.rules, datasets=infos,
            frames=delivery.datasets))
    summary = render_text_summary(issues)
    if reports:
        summary += f"Reports in {out}: " + ", ".join(p.name for p in reports.values()) + "\n"
    return Outcome(delivery=delivery, spec=spec, validation=validation, reports=reports, summary=summary)
