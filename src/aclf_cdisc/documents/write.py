"""Write the submission documents of a build into the package tree.

    tabulations/sdtm/acrf.pdf, csdrg.pdf         annotated CRF, clinical study data reviewer's guide
    analysis/adam/datasets/adrg.pdf              analysis data reviewer's guide (when ADaM was built)
    analysis/adam/programs/*.txt                 the ADaM code and specs as plain text
    reports/documents/*.html                     the same documents as HTML, for review (not filed)

File names are the ``href`` of the matching entry of ``specs/documents.yaml`` (the names the
defines cite). Inputs are the spec and the build's in-memory datasets and issues.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from aclf_cdisc.contents.acrf import acrf_layout
from aclf_cdisc.contents.programs import adam_programs, program_text
from aclf_cdisc.documents.acrf import acrf_document
from aclf_cdisc.documents.guides import BuildFacts, adrg_document, csdrg_document
from aclf_cdisc.documents.html import render_html
from aclf_cdisc.documents.model import Document
from aclf_cdisc.documents.pdf import render_pdf
from aclf_cdisc.errors import Issue
from aclf_cdisc.package.layout import adam_dir, adam_programs_dir, reports_dir, sdtm_dir
from aclf_cdisc.spec.model import Spec
from aclf_cdisc.tasks import MapEach, serial_map

DOCUMENTS_REPORT_DIR = "documents"


def document_href(spec: Spec, role: str) -> str | None:
    """The file name documents.yaml gives the document of a role (``acrf``, ``csdrg``, ``adrg``)."""
    for doc in sorted(spec.documents.values(), key=lambda d: d.oid):
        if Path(doc.href).stem.lower() == role:
            return doc.href
    return None


def _write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def labelled(document: Document, label: str | None) -> Document:
    """``document`` with ``label`` (e.g. DUMMY RANDOMIZATION) heading its title and first page."""
    if not label:
        return document
    return dataclasses.replace(document, title=f"{label}: {document.title}", subtitle=(label, *document.subtitle))


def build_documents(spec: Spec, datasets: Mapping[str, pd.DataFrame], issues: Sequence[Issue],
                    label: str | None = None) -> dict[str, tuple[str, Document]]:
    """role -> (standard folder, document) for every document this build can make; ``label``, when
    given, heads every document's title and first page."""
    layout = acrf_layout(spec)
    has_adam = any(name in datasets for name in (d.name for d in spec.by_standard("ADaM")))
    programs = tuple(p.name for p in adam_programs(spec)) if has_adam else ()
    facts = BuildFacts(datasets=datasets, issues=tuple(issues), programs=programs)
    makers: dict[str, tuple[str, Callable[[], Document]]] = {
        "acrf": ("SDTM", lambda: acrf_document(spec, layout)),
        "csdrg": ("SDTM", lambda: csdrg_document(spec, facts, layout)),
    }
    if has_adam:
        makers["adrg"] = ("ADaM", lambda: adrg_document(spec, facts))
    return {role: (standard, labelled(make(), label)) for role, (standard, make) in makers.items()
            if document_href(spec, role)}


def write_documents(root: Path, spec: Spec, datasets: Mapping[str, pd.DataFrame],
                    issues: Sequence[Issue], label: str | None = None, *,
                    map_each: MapEach = serial_map) -> list[Path]:
    """Write every document and the ADaM programs under ``root`` (the package tree); return the files.

    ``label`` (a dummy-randomization build's) heads every document's title and first page. Each
    document is rendered (PDF and HTML) by ``map_each``: side by side on forked workers in a build,
    the same bytes wherever it ran.
    """
    studyid = spec.study.studyid
    documents = build_documents(spec, datasets, issues, label)
    roles = list(documents)

    def render(role: str) -> tuple[bytes, bytes]:
        document = documents[role][1]
        return (render_pdf(document, author=spec.study.sponsor, subject=studyid),
                render_html(document).encode("utf-8"))

    written = []
    for role, (pdf, html) in zip(roles, map_each(render, roles), strict=True):
        folder = sdtm_dir(root, studyid) if documents[role][0] == "SDTM" else adam_dir(root, studyid)
        href = document_href(spec, role)
        assert href is not None
        written.append(_write(folder / href, pdf))
        written.append(_write(reports_dir(root) / DOCUMENTS_REPORT_DIR / f"{Path(href).stem}.html", html))
    if any(d.name in datasets for d in spec.by_standard("ADaM")):
        for program in adam_programs(spec):
            text = program_text(program, spec)
            written.append(_write(adam_programs_dir(root, studyid) / program.name, text.encode("utf-8")))
    return written
