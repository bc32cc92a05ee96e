"""The annotated CRF: one page per CRF form, each field annotated with where it goes in SDTM.

The layout (which form is on which page, every field's destinations) is
:func:`aclf_cdisc.contents.acrf.acrf_layout`, a pure function of the spec the define cites too;
this module draws it. The usual aCRF conventions: a domain banner per form (``DS =
Disposition``), the variable name beside each field, ``VAR = value`` for values the spec
hard-codes (const map rules of the form's main dataset), the submitted value beside a response
option when it differs from the text on the CRF, and the subject header (the identifiers of the
form DM.SUBJID is collected on) annotated once, on that form. A field that goes nowhere is
marked NOT SUBMITTED.
"""

from __future__ import annotations

from aclf_cdisc.contents.acrf import LOG_FORMS, AcrfLayout, FieldAnnotation, FormPage, acrf_layout
from aclf_cdisc.documents.model import Cell, Document, OutlineEntry, Paragraph, Run, Section, Table
from aclf_cdisc.spec.model import Spec

NOT_SUBMITTED = "NOT SUBMITTED"


def _field_row(spec: Spec, page: FormPage, field: FieldAnnotation) -> tuple[Cell, ...]:
    column = field.column
    main = page.datasets[0] if page.datasets else ""
    prompt = Paragraph.of(column.description or column.name, style="cell")
    options = tuple(Paragraph.of(f"( ) {text}" + (f"  = {value}" if value else ""), style="cell")
                    for text, value in field.options) or (Paragraph.of(f"[{column.data_type}]", style="note"),)
    if field.submitted:
        notes = tuple(Paragraph.of(t.text(main, _domain(spec, t.dataset)), style="annotation") for t in field.targets)
    else:
        notes = (Paragraph.of(NOT_SUBMITTED, style="not-submitted"),)
    return (Paragraph.of(column.name, style="cell-bold"), prompt, options, notes)


def _domain(spec: Spec, dataset: str) -> str | None:
    ds = spec.datasets.get(dataset)
    return ds.domain if ds is not None and not dataset.startswith("SUPP") else None


def _form_section(spec: Spec, layout: AcrfLayout, page: FormPage) -> Section:
    form = page.form
    blocks: list[Paragraph | Table] = []
    banner = "; ".join(f"{name} = {spec.datasets[name].label}" for name in page.datasets)
    blocks.append(Paragraph.of(banner or NOT_SUBMITTED, style="banner"))
    if page.assigned:
        blocks.append(Paragraph.of("Hard-coded: " + "; ".join(f"{var} = {value}" for var, value in page.assigned),
                                   style="assigned"))
    when = ", ".join(page.visits) if page.visits else LOG_FORMS
    blocks.append(Paragraph.of(f"Form {form.name}, collected at: {when}. {form.description or ''}".strip(),
                               style="note"))
    if page.header_fields and layout.header_form:
        header_page = layout.form(layout.header_form)
        blocks.append(Paragraph.of(f"Subject header ({', '.join(page.header_fields)}): annotated on the ",
                                   Run(header_page.form.label, link=header_page.anchor), " page.", style="note"))
    blocks.append(Table(("Field", "Prompt", "Response options", "SDTM"),
                        tuple(_field_row(spec, page, f) for f in page.fields), widths=(0.14, 0.3, 0.3, 0.26)))
    return Section(title=f"{form.label} ({form.name})", anchor=page.anchor, blocks=tuple(blocks), new_page=True,
                   fit_page=True)


def _contents(spec: Spec, layout: AcrfLayout) -> Section:
    forms = Table(("Page", "Form", "SDTM datasets"), tuple(
        (Paragraph.of(str(p.page), style="cell"), Paragraph.of(Run(p.form.label, link=p.anchor), style="cell"),
         Paragraph.of(", ".join(p.datasets) or NOT_SUBMITTED, style="cell")) for p in layout.forms),
        widths=(0.1, 0.5, 0.4))
    visits = Table(("Visit", "Forms"), tuple(
        (Paragraph.of(visit, style="cell"),
         Paragraph(tuple(r for i, name in enumerate(names) for r in
                         ((Run(", "),) if i else ()) + (Run(layout.form(name).form.label,
                                                            link=layout.form(name).anchor),)), style="cell"))
        for visit, names in layout.visits), widths=(0.25, 0.75))
    skipped = [f.label for f in spec.raw_forms.values() if not f.crf]
    blocks: list[Paragraph | Table] = [forms, visits]
    if skipped:
        blocks.append(Paragraph.of("Not CRF pages (transfers from other systems, described in the reviewer's "
                                   f"guide): {', '.join(sorted(skipped))}.", style="note"))
    return Section(title="Contents", anchor="contents", blocks=tuple(blocks))


def acrf_document(spec: Spec, layout: AcrfLayout | None = None) -> Document:
    layout = layout or acrf_layout(spec)
    study = spec.study
    visit_outline = tuple(OutlineEntry(visit, layout.form(names[0]).anchor, tuple(
        OutlineEntry(layout.form(n).form.label, layout.form(n).anchor) for n in names))
        for visit, names in layout.visits)
    return Document(
        title="Annotated Case Report Form",
        subtitle=(f"{study.studyid} ({study.registry_id})", study.title),
        sections=(_contents(spec, layout), *(_form_section(spec, layout, p) for p in layout.forms)),
        extra_outline=(OutlineEntry("Visits", "contents", visit_outline),),
    )
