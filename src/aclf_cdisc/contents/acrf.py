"""The annotated CRF's layout: one page per CRF form, each field with where it goes in SDTM.

Everything comes from the spec. A raw field ``form.FIELD`` goes to a variable when the
variable's map rule names it (``source`` or ``time``) or its ``collected_from`` lists it (for
values built per record or derived from the field); a value-level row's ``collected_from`` gives
the condition (``RSORRES where RSTESTCD = CPS0102``, ``ICVER in SUPPDS``). A field that goes
nowhere is NOT SUBMITTED. Forms marked ``crf: false`` (IRT transfers) are no CRF pages.

:func:`acrf_layout` is a pure function of the spec and renders nothing: the define cites its
page numbers and :func:`aclf_cdisc.documents.acrf.acrf_document` draws the same layout, so the
pages the define cites are the pages the PDF has (a test checks it with pypdf).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from aclf_cdisc.spec.model import UNSCHEDULED_FOLDER, Codelist, Dataset, RawColumn, RawForm, Spec, WhereClause

FIRST_FORM_PAGE = 2  # page 1: title and contents
UNSCHEDULED = UNSCHEDULED_FOLDER
LOG_FORMS = "Log forms (any time)"


@dataclass(frozen=True)
class Target:
    """One SDTM destination of a raw field: a variable, or a variable where a condition holds."""

    dataset: str
    variable: str
    where: WhereClause | None = None

    def text(self, primary: str, domain_prefix: str | None) -> str:
        """The annotation as written on the page, relative to the page's main dataset."""
        if self.where is not None and self.dataset.startswith("SUPP") and self.variable == "QVAL":
            qnam = [c for c in self.where.conditions if c[0] == "QNAM"]
            if qnam:
                return f"{qnam[0][2][0]} in {self.dataset}"
        text = self.variable
        if self.where is not None:
            conditions = " and ".join(f"{var} = {', '.join(values)}" if op == "EQ" else
                                      f"{var} {op} ({', '.join(values)})" for var, op, values in self.where.conditions)
            text = f"{text} where {conditions}"
        if self.dataset != primary and not (domain_prefix and self.variable.startswith(domain_prefix)):
            text = f"{text} in {self.dataset}"
        return text


@dataclass(frozen=True)
class FieldAnnotation:
    column: RawColumn
    targets: tuple[Target, ...]
    options: tuple[tuple[str, str | None], ...]  # (text on the CRF, submitted value when it differs)

    @property
    def submitted(self) -> bool:
        return bool(self.targets)


@dataclass(frozen=True)
class FormPage:
    form: RawForm
    page: int
    anchor: str
    datasets: tuple[str, ...]  # datasets the form feeds, main dataset first
    fields: tuple[FieldAnnotation, ...]
    header_fields: tuple[str, ...]  # subject header columns annotated on the header form only
    assigned: tuple[tuple[str, str], ...]  # (variable, value) hard-coded by the main dataset's spec
    visits: tuple[str, ...]


@dataclass(frozen=True)
class AcrfLayout:
    forms: tuple[FormPage, ...]
    visits: tuple[tuple[str, tuple[str, ...]], ...]  # visit -> forms collected at it, in CRF order
    header_form: str | None

    def form(self, name: str) -> FormPage:
        for page in self.forms:
            if page.form.name == name:
                return page
        raise KeyError(f"the annotated CRF has no form {name}")

    @property
    def page_count(self) -> int:
        return FIRST_FORM_PAGE - 1 + len(self.forms)

    def pages_for(self, dataset: str, variable: str, where_oid: str | None = None) -> tuple[int, ...]:
        """aCRF pages where ``dataset.variable`` (or its value-level row ``where_oid``) is annotated.

        A value-level row with no field of its own is on its variable's pages.
        """
        def pages(match: Iterable[FormPage], test: object) -> tuple[int, ...]:
            return tuple(sorted({p.page for p in match for f in p.fields for t in f.targets if test(t)}))  # type: ignore[operator]

        if where_oid is not None:
            found = pages(self.forms, lambda t: t.dataset == dataset and t.variable == variable
                          and t.where is not None and t.where.oid == where_oid)
            if found:
                return found
        return pages(self.forms, lambda t: t.dataset == dataset and t.variable == variable)


def form_anchor(form: str) -> str:
    return f"form.{form}"


def _targets(spec: Spec, ref: str) -> tuple[Target, ...]:
    found: list[Target] = []
    for name in sorted(spec.datasets):
        dataset = spec.datasets[name]
        if dataset.standard != "SDTM":
            continue
        for var in dataset.variables:
            mapped = var.mapping is not None and ref in (var.mapping.source, var.mapping.time)
            if mapped or ref in var.collected_from:
                found.append(Target(name, var.name))
        for row in dataset.value_level:
            if ref in row.collected_from:
                found.append(Target(name, row.variable, row.where))
    return tuple(found)


def _submitted_value(codelist: Codelist | None, option: str) -> str | None:
    """The codelist term a CRF response option recodes to, when it reads differently (not just in case)."""
    if codelist is None:
        return None
    wanted = option.strip().upper()
    for term in codelist.terms:
        names = {term.submission_value.upper(), *(s.upper() for s in term.synonyms)}
        if term.decode:
            names.add(term.decode.upper())
        if wanted in names:
            return None if term.submission_value.upper() == wanted else term.submission_value
    return None


def _options(spec: Spec, ref: str, column: RawColumn) -> tuple[tuple[str, str | None], ...]:
    codelist = None
    for dataset in spec.datasets.values():
        for var in dataset.variables:
            if var.mapping is not None and var.mapping.rule == "ct" and var.mapping.source == ref and var.codelist:
                codelist = spec.codelists.get(var.codelist)
    return tuple((option, _submitted_value(codelist, option)) for option in column.allowed)


def crf_forms(spec: Spec) -> list[RawForm]:
    """CRF forms in CRF order: by the first visit they are collected at (forms of that visit only
    first), log forms last; then by name."""
    order = [v.edc_folder or v.visit for v in sorted(spec.study.visits, key=lambda v: v.visitnum)] + [UNSCHEDULED]

    def key(form: RawForm) -> tuple[int, int, str]:
        ranks = [order.index(v) for v in form.visits if v in order]
        return (min(ranks) if ranks else len(order), len(form.visits), form.name)

    return sorted((f for f in spec.raw_forms.values() if f.crf), key=key)


def _header(spec: Spec) -> tuple[str | None, tuple[str, ...]]:
    """The form DM.SUBJID is collected on, and that form's keys (the subject header)."""
    for dataset in spec.by_standard("SDTM"):
        if dataset.domain == "DM" and not dataset.name.startswith("SUPP"):
            var = next((v for v in dataset.variables if v.name == "SUBJID"), None)
            if var is not None and var.mapping is not None and var.mapping.source:
                form = var.mapping.source.partition(".")[0]
                raw = spec.raw_forms.get(form)
                return form, raw.keys if raw else ()
    return None, ()


def _datasets(spec: Spec, fields: Iterable[FieldAnnotation]) -> list[str]:
    """Datasets a form feeds, its main dataset first: most collected variables, then most fields."""
    collected: dict[str, int] = {}
    counts: dict[str, int] = {}
    for field in fields:
        for target in field.targets:
            counts[target.dataset] = counts.get(target.dataset, 0) + 1
            if _is_collected(spec, target):
                collected[target.dataset] = collected.get(target.dataset, 0) + 1
    return sorted(counts, key=lambda name: (-collected.get(name, 0), -counts[name], name.startswith("SUPP"), name))


def _is_collected(spec: Spec, target: Target) -> bool:
    dataset = spec.datasets[target.dataset]
    if target.where is not None:
        row = next((r for r in dataset.value_level if r.variable == target.variable and r.where == target.where), None)
        if row is not None:
            return row.origin.type == "Collected"
    return dataset.variable(target.variable).origin.type == "Collected"


def _assigned(dataset: Dataset | None) -> tuple[tuple[str, str], ...]:
    if dataset is None:
        return ()
    return tuple((v.name, str(v.mapping.value)) for v in dataset.variables
                 if v.mapping is not None and v.mapping.rule == "const" and v.name != "DOMAIN")


def acrf_layout(spec: Spec) -> AcrfLayout:
    """Which form is on which page, and every field's SDTM destination (no rendering)."""
    header_form, header_keys = _header(spec)
    drafts = []
    for form in crf_forms(spec):
        header = () if form.name == header_form else tuple(k for k in header_keys if k in
                                                             {c.name for c in form.columns})
        fields = tuple(FieldAnnotation(c, _targets(spec, f"{form.name}.{c.name}"),
                                       _options(spec, f"{form.name}.{c.name}", c))
                       for c in form.columns if c.name not in header)
        drafts.append((form, header, fields, tuple(_datasets(spec, fields))))
    # a dataset's hard-coded values are written on its home form: the form it takes most fields from
    home: dict[str, str] = {}
    most: dict[str, int] = {}
    for form, _, fields, _ in drafts:
        for name in sorted({t.dataset for f in fields for t in f.targets}):
            n = sum(1 for f in fields for t in f.targets if t.dataset == name)
            if n > most.get(name, 0):
                most[name], home[name] = n, form.name
    pages: list[FormPage] = []
    for number, (form, header, fields, datasets) in enumerate(drafts, start=FIRST_FORM_PAGE):
        main = datasets[0] if datasets else None
        assigned = _assigned(spec.datasets[main]) if main and home[main] == form.name else ()
        pages.append(FormPage(form=form, page=number, anchor=form_anchor(form.name), datasets=datasets,
                              fields=fields, header_fields=header, assigned=assigned, visits=form.visits))
    visit_names = [v.edc_folder or v.visit for v in sorted(spec.study.visits, key=lambda v: v.visitnum)]
    visits = [(v, tuple(p.form.name for p in pages if v in p.visits)) for v in [*visit_names, UNSCHEDULED]]
    visits.append((LOG_FORMS, tuple(p.form.name for p in pages if not p.visits)))
    return AcrfLayout(forms=tuple(pages), visits=tuple((v, f) for v, f in visits if f), header_form=header_form)
