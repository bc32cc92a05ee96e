"""The reviewer's guides in the PHUSE template structure: cSDRG (SDTM) and ADRG (ADaM).

Every mechanical part comes from the spec (study, datasets, methods, comments, conventions) or
from the build's results (record counts and values from the in-memory datasets, the findings
left in the final build). What only the study team can write is a marked placeholder
(style ``person``), never invented text.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from aclf_cdisc.compact import read_column, read_columns, record_counts
from aclf_cdisc.contents.acrf import AcrfLayout
from aclf_cdisc.documents.model import Document, Paragraph, Run, Section, Table, number_sections
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Dataset, Spec, Variable

PERSON = "To be written by the study team: "
DEFINE_VERSION = "Define-XML 2.1"


@dataclass(frozen=True)
class BuildFacts:
    """What the guides take from a build: its datasets and its remaining findings."""

    datasets: Mapping[str, pd.DataFrame]
    issues: Sequence[Issue]
    programs: tuple[str, ...] = ()  # ADaM program files exported as text (analysis/adam/programs)


def person(what: str) -> Paragraph:
    return Paragraph.of(PERSON + what, style="person")


def p(*parts: str | Run) -> Paragraph:
    return Paragraph.of(*parts)


def cell(text: object, *, bold: bool = False, link: str | None = None) -> Paragraph:
    value = "" if text is None or (isinstance(text, float) and pd.isna(text)) else str(text)
    return Paragraph((Run(value, link=link),), style="cell-bold" if bold else "cell")


def table(header: tuple[str, ...], rows: Sequence[Sequence[object]], widths: tuple[float, ...] | None = None) -> Table:
    return Table(header, tuple(tuple(c if isinstance(c, Paragraph) else cell(c) for c in row) for row in rows),
                 widths)


def dataset_anchor(name: str) -> str:
    return f"ds.{name.lower()}"


def ts_values(spec: Spec, parmcd: str) -> list[str]:
    return [str(row["TSVAL"]) for row in spec.study.trial_summary if row.get("TSPARMCD") == parmcd and row.get("TSVAL")]


# --------------------------------------------------------------------------------------------
# sections shared by both guides
# --------------------------------------------------------------------------------------------
def standards_section(spec: Spec, standard: str, anchor: str) -> Section:
    from aclf_cdisc.define.standards import IG_STANDARDS

    rows: list[tuple[object, ...]] = []
    for std in (("SDTM",) if standard == "SDTM" else ("ADaM", "SDTM")):
        name, version = IG_STANDARDS[std]
        rows.append((f"{std} implementation guide", f"{name} {version}"))
    for key, version in sorted(spec.study.ct_versions.items()):
        rows.append((f"Controlled terminology ({key})", f"CDISC/NCI {version}"))
    rows.append(("Adverse event dictionary", f"MedDRA {spec.study.meddra_version}"))
    rows.append(("Data definition", DEFINE_VERSION))
    rows.append(("Transport format", "SAS XPORT version 5"))
    return Section("Study Data Standards and Dictionary Inventory", anchor,
                   (table(("Standard or dictionary", "Version"), rows, (0.5, 0.5)),))


def protocol_section(spec: Spec, anchor: str, design: tuple[Section, ...]) -> Section:
    study = spec.study
    facts = [("Protocol", study.protocol), ("Title", study.title), ("Registry identifier", study.registry_id),
             ("Sponsor", study.sponsor)]
    for parmcd, label in (("TPHASE", "Phase"), ("TBLIND", "Blinding"), ("TCNTRL", "Control"),
                          ("PLANSUB", "Planned subjects"), ("OBJPRIM", "Primary objective"),
                          ("OUTMSPRI", "Primary outcome measure"), ("OBJSEC", "Secondary objective")):
        facts += [(label, value) for value in ts_values(spec, parmcd)]
    return Section("Protocol Description", anchor, subsections=(
        Section("Protocol Number and Title", f"{anchor}.title", (
            table(("Item", "From the trial summary (TS)"), facts, (0.25, 0.75)),)),
        Section("Protocol Design", f"{anchor}.design", (
            person("a short narrative of the protocol design and any amendments that affect the data."),
            p("How the datasets represent the two-stage randomization:")), subsections=design),
    ))


def design_sections(spec: Spec, facts: BuildFacts, prefix: str) -> tuple[Section, ...]:
    """The two-stage design and how SDTM represents it: arms, TA branches, elements, SE, subjects per arm."""
    study = spec.study
    arms = [(a.armcd, a.arm, "planned arm (TA)" if a.planned else "partial multi-stage path (not a TA arm)")
            for a in study.arms]
    dm = facts.datasets.get("DM")
    counts: dict[str, int] = {}
    if dm is not None and "ARMCD" in dm.columns:
        counts = {str(k): int(v) for k, v in dm["ARMCD"].fillna("(none)").value_counts().items()}
    arm_rows = [(code, arm, kind, counts.get(code, 0)) for code, arm, kind in arms]
    arm_rows += [(code, "(no arm of the spec: see ARMNRS in DM)", "", n)
                 for code, n in sorted(counts.items()) if code not in {a.armcd for a in study.arms}]
    ta = [(r.get("ARMCD"), r.get("TAETORD"), r.get("ETCD"), r.get("EPOCH"), r.get("TABRANCH") or "",
           r.get("TATRANS") or "") for r in study.trial_arms]
    se = facts.datasets.get("SE")
    se_counts: dict[str, int] = {}
    if se is not None and "ETCD" in se.columns:
        se_counts = {str(k): int(v) for k, v in se["ETCD"].value_counts().items()}
    elements = [(e.etcd, e.element, e.start_rule, e.end_rule or "", e.duration or "", se_counts.get(e.etcd, 0))
                for e in study.elements]
    return (
        Section("Arms: multi-stage assignment", f"{prefix}.arms", (
            p("Subjects are randomized twice. DM ARMCD/ARM name the whole multi-stage path; a subject who left "
              "before the second randomization has the partial path (an arm that is not a TA arm). Subjects per "
              "ARMCD in this build:"),
            table(("ARMCD", "ARM", "Kind", "Subjects in DM"), arm_rows, (0.14, 0.46, 0.26, 0.14)))),
        Section("Trial arms (TA): branches and transitions", f"{prefix}.ta", (
            p("TABRANCH sits on the element whose end is a randomization; TATRANS says what happens when a "
              "subject does not follow the planned path."),
            table(("ARMCD", "TAETORD", "ETCD", "EPOCH", "TABRANCH", "TATRANS"), ta,
                  (0.12, 0.08, 0.08, 0.13, 0.28, 0.31)))),
        Section("Elements (TE) and subject elements (SE)", f"{prefix}.se", (
            table(("ETCD", "Element", "Start rule", "End rule", "TEDUR", "SE records"), elements,
                  (0.08, 0.17, 0.27, 0.3, 0.08, 0.1)),
            p(f"Epochs: {', '.join(study.epochs)}."))),
    )


def inventory_table(spec: Spec, facts: BuildFacts, standard: str) -> Table:
    rows = []
    records = record_counts(facts.datasets)  # counted without reading a compacted dataset
    for ds in ordered(spec, standard):
        rows.append((cell(ds.name, bold=True, link=dataset_anchor(ds.name)), ds.label, ds.class_, ds.structure,
                     ", ".join(ds.keys), records.get(ds.name, "not built")))
    return table(("Dataset", "Label", "Class", "Structure", "Keys", "Records"), rows,
                 (0.1, 0.2, 0.15, 0.25, 0.2, 0.1))


def ordered(spec: Spec, standard: str) -> list[Dataset]:
    """Datasets of a standard in the order the define lists them."""
    from aclf_cdisc.define.datasets import dataset_sort_key

    return sorted(spec.by_standard(standard), key=dataset_sort_key)


def derivation_rows(spec: Spec, ds: Dataset) -> list[tuple[object, ...]]:
    """Every method the dataset's variables and value-level rows use, with its text from methods.yaml."""
    rows: list[tuple[object, ...]] = []
    seen: set[str] = set()
    uses = [(v.name, v.method) for v in ds.variables if v.method]
    uses += [(f"{r.variable} ({r.where.oid.split('.')[-1]})", r.method) for r in ds.value_level if r.method]
    for _, oid in uses:
        method = spec.methods.get(oid or "")
        if method is None or method.oid in seen:
            continue
        seen.add(method.oid)
        users = ", ".join(t for t, o in uses if o == oid)
        rows.append((cell(users, bold=True), method.name, method.description))
    return rows


def dataset_sections(spec: Spec, facts: BuildFacts, standard: str) -> tuple[Section, ...]:
    sections = []
    records = record_counts(facts.datasets)
    for ds in ordered(spec, standard):
        blocks: list[Paragraph | Table] = [
            p(f"{ds.label}: {ds.structure}. Keys: {', '.join(ds.keys)}. "
              f"Records: {records.get(ds.name, 'not built')}.")]
        if ds.description:
            blocks.append(p(ds.description))
        comment = spec.comments.get(ds.comment or "")
        if comment is not None:
            blocks.append(p(comment.description))
        rows = derivation_rows(spec, ds)
        if rows:
            blocks.append(table(("Variables", "Method", "Rule (as in the define)"), rows, (0.2, 0.22, 0.58)))
        sections.append(Section(f"{ds.name} ({ds.label})", dataset_anchor(ds.name), tuple(blocks)))
    return tuple(sections)


def guide_issues(spec: Spec, issues: Sequence[Issue], standard: str) -> list[Issue]:
    """The findings a guide reports: those of its standard's datasets or files; build-wide ones in both."""
    names = {d.name for d in spec.by_standard(standard)}
    others = {d.name for d in spec.datasets.values()} - names
    folder = "/tabulations/" if standard == "SDTM" else "/analysis/"
    other_folder = "/analysis/" if standard == "SDTM" else "/tabulations/"

    def mine(issue: Issue) -> bool:
        if issue.dataset:
            return issue.dataset.upper() in names or issue.dataset.upper() not in others
        file = issue.file or ""
        return folder in file or other_folder not in file

    return [i for i in issues if mine(i)]


LISTED_PER_RULE = 50  # findings of one rule listed in a guide; the validation report lists every one


def listed_findings(found: Sequence[Issue]) -> list[Issue]:
    """The findings a guide lists: the first :data:`LISTED_PER_RULE` of each rule, in report order.

    A large study repeats one finding thousands of times (a dropped duplicate raw record each), which
    the summary table counts and the validation report lists; the guide shows enough to read.

    >>> found = [Issue(rule="A", message=str(n)) for n in range(60)] + [Issue(rule="B", message="b")]
    >>> [len([i for i in listed_findings(found) if i.rule == rule]) for rule in ("A", "B")]
    [50, 1]
    """
    seen: dict[str, int] = {}
    listed = []
    for issue in found:
        seen[issue.rule] = seen.get(issue.rule, 0) + 1
        if seen[issue.rule] <= LISTED_PER_RULE:
            listed.append(issue)
    return listed


def conformance_section(spec: Spec, facts: BuildFacts, standard: str, anchor: str) -> Section:
    from aclf_cdisc.checks.catalogue import RULES
    from aclf_cdisc.checks.explanations import spec_explanations
    from aclf_cdisc.checks.report import explanation_for, rule_summaries, rule_title, sorted_issues

    found = sorted_issues(guide_issues(spec, facts.issues, standard))
    summaries = rule_summaries(found)
    sponsor = spec_explanations(spec)  # the study's explanations of expected findings (study.yaml)
    summary_rows = []
    unexplained_rules = 0
    first_of_rule: dict[str, Issue] = {}
    for issue in found:
        first_of_rule.setdefault(issue.rule, issue)
    for s in summaries:
        first = first_of_rule[s.rule]
        explanation = explanation_for(s.rule, first.dataset, sponsor)
        if not explanation:
            unexplained_rules += 1
            explanation = first.message + (f" (expected {first.expected})" if first.expected else "")
        summary_rows.append((cell(s.rule, bold=True), rule_title(s.rule), s.severity, s.count, explanation))
    listed = listed_findings(found)
    detail = [(i.rule, i.severity, i.dataset or "", i.row if i.row is not None else "", i.column or "",
               "" if i.value is None else i.value, i.message) for i in listed]
    rules = [r for r in RULES if r.standard in (standard, "ALL")]
    skipped = [i for i in found if i.rule == "define.schema-skipped"]
    inputs = Section("Conformance Inputs", f"{anchor}.inputs", (
        p(f"Every dataset was checked against its spec-generated schema (variables, types, lengths, codelists, "
          f"keys) and {len(rules)} conformance rules of the project's validation engine applicable to {standard} "
          "(identifiers follow Pinnacle 21 where a rule has a Pinnacle 21 counterpart). The define.xml was "
          "checked for referential integrity and against the XPT files"
          + (", but not against the Define-XML schema in this build (see below)." if skipped else
             " and the Define-XML 2.1 schema.")),
        p(f"Controlled terminology: {', '.join(f'{k} {v}' for k, v in sorted(spec.study.ct_versions.items()))}; "
          f"MedDRA {spec.study.meddra_version}."),
    ))
    blocks: list[Paragraph | Table] = [
        p(f"{len(found)} finding(s) remain in the final build for this package ({len(summaries)} rule(s)); none is "
          "an error (a build with an error publishes nothing). The explanation is the study's own, written "
          "with the specs (the validation report carries the same text); where none is written yet it is the "
          "validation engine's message for the first finding of the rule. The findings are listed after the "
          f"table, at most the first {LISTED_PER_RULE} of each rule; the build's validation report "
          "(validation.csv) lists every one."),
    ]
    if summary_rows:
        blocks.append(table(("Rule", "Title", "Severity", "Count", "Explanation"), summary_rows,
                            (0.19, 0.2, 0.08, 0.06, 0.47)))
        if unexplained_rules:
            blocks.append(person(f"the sponsor's justification for the {unexplained_rules} rule(s) above that "
                                 "have no written explanation (why each remains and why it does not affect "
                                 "the review)."))
    else:
        blocks.append(p("No finding remains."))
    subsections: tuple[Section, ...] = (inputs, Section("Issues Summary", f"{anchor}.summary", tuple(blocks)))
    if detail:
        unlisted = len(found) - len(listed)
        subsections += (Section("Every Remaining Finding", f"{anchor}.all", (
            table(("Rule", "Severity", "Dataset", "Row", "Column", "Value", "Message"), detail,
                  (0.19, 0.08, 0.07, 0.06, 0.08, 0.12, 0.4)),
            *((p(f"{unlisted} more finding(s) of the rules above are not listed here (the first "
                 f"{LISTED_PER_RULE} of each rule are): the validation report (validation.csv) lists every "
                 "one."),) if unlisted else ()))),)
    return Section("Data Conformance Summary", anchor, subsections=subsections, new_page=True)


# --------------------------------------------------------------------------------------------
# cSDRG
# --------------------------------------------------------------------------------------------
def conventions_section(spec: Spec, facts: BuildFacts) -> Section:
    """Units, '<x' results, duplicates and partial dates: the rules from the spec, the counts from the build."""
    conventions = spec.study.conventions
    # only the variables counted here, one dataset at a time (a compacted store rebuilds what is read)
    lb = read_columns(facts.datasets, "LB", ["LBTESTCD", "LBORRESU", "LBORRES"]) if "LB" in facts.datasets else None
    records, seen = lab_units_collected(lb) if lb is not None else ({}, {})
    unit_rows = []
    for testcd, rule in sorted(conventions.get("lab_units", {}).items()):
        factors = "; ".join(f"{unit or '(none)'} x {factor}" for unit, factor in rule.get("from", {}).items())
        unit_rows.append((testcd, rule.get("standard", ""), seen.get(testcd, ""), factors, records.get(testcd, 0)))
    system = conventions.get("lab_unit_system")
    stated = (f" Standard units are one system, {system} units, as the FDA Study Data Technical Conformance "
              "Guide supports; conventional units remain in LBORRESU where a site collected them, and the "
              "ADLB analysis units are the same system." if system else "")
    blocks: list[Paragraph | Table] = [
        p("Laboratory results keep the site's original result and unit (LBORRES/LBORRESU) and are converted to "
          "the study's standard units (LBSTRESC/LBSTRESN/LBSTRESU) by the factors of the spec:" + stated),
        table(("LBTESTCD", "Standard unit", "Units collected", "Factor to the standard unit", "LB records"),
              unit_rows, (0.13, 0.15, 0.22, 0.38, 0.12)),
    ]
    if lb is not None:
        censored = count_where(lb["LBORRES"].fillna(""), LIMIT_RESULT.match)
        texts = method_text(spec, "LB", "LBSTRESC")
        blocks.append(p(f"Results reported as a limit ('<x' or '>x'): {censored} LB record(s). "
                        + texts))
    duplicates = [i for i in facts.issues if i.rule == "sdtm.duplicate-record"]
    by_dataset: dict[str, int] = {}
    for issue in duplicates:
        by_dataset[issue.dataset or "?"] = by_dataset.get(issue.dataset or "?", 0) + 1
    dropped = ", ".join(f"{k}: {v}" for k, v in sorted(by_dataset.items())) or "none"
    blocks.append(p(f"Duplicate entries: {len(duplicates)} raw record(s) repeating another in every mapped "
                    f"variable were dropped ({dropped}); each is listed in the validation report (validation.csv), "
                    f"the first {LISTED_PER_RULE} also in the conformance section."))
    partial_rows = []
    for name, variable in partial_date_variables(spec):
        column = read_column(facts.datasets, name, variable) if name in facts.datasets else None
        if column is None:
            continue
        values = column.dropna()
        partial_rows.append((f"{name}.{variable}", count_where(values, is_partial_date), len(values)))
    iso = spec.methods.get("MT.ISO8601")
    blocks.append(p(f"Partial dates ({conventions.get('partial_date_format', '')}; raw dates "
                    f"{conventions.get('raw_date_format', '')}). " + (iso.description if iso else "")))
    blocks.append(table(("Variable", "Partial dates", "Dates present"),
                        [r for r in partial_rows if r[1]] or [("(none)", 0, 0)], (0.4, 0.3, 0.3)))
    return Section("Data Conventions", "conventions", tuple(blocks))


LIMIT_RESULT = re.compile(r"^\s*[<>]")  # a result reported as a limit: '<0.5', '> 300'


def is_partial_date(text: str) -> bool:
    """An ISO 8601 date shorter than a full date (YYYY-MM-DD): ``2024``, ``2024-05``."""
    return 1 <= len(text) <= 9


def count_where(values: pd.Series, test: Callable[[str], object]) -> int:
    """How many of ``values`` (as text) pass ``test``: each distinct value is tested once, however
    often it occurs.

    >>> count_where(pd.Series(["<0.5", "12", "<0.5", " >3"]), LIMIT_RESULT.match)
    3
    >>> count_where(pd.Series(["2024", "2024-05-01", "2024-05", "", "2024"]), is_partial_date)
    3
    """
    codes, uniques = pd.factorize(values)
    passed = np.fromiter((bool(test(str(u))) for u in uniques), dtype=bool, count=len(uniques))
    return int(np.bincount(codes[codes >= 0], minlength=len(uniques))[passed].sum())


def lab_units_collected(lb: pd.DataFrame) -> tuple[dict[str, int], dict[str, str]]:
    """LB records per LBTESTCD and the original units collected for it (sorted, comma-joined), in
    one pass over LB.

    >>> lb = pd.DataFrame({"LBTESTCD": ["ALB", "ALB", "ALB", "INR"], "LBORRESU": ["g/L", "g/dL", "g/L", None]})
    >>> lab_units_collected(lb)
    ({'ALB': 3, 'INR': 1}, {'ALB': 'g/L, g/dL'})
    """
    records = {str(k): int(v) for k, v in lb["LBTESTCD"].value_counts(sort=False).items()}
    units = lb[["LBTESTCD", "LBORRESU"]].dropna().drop_duplicates()
    seen = {str(testcd): ", ".join(sorted(str(u) for u in part)) for testcd, part in
            units.groupby("LBTESTCD", sort=True)["LBORRESU"]}
    return records, seen


def method_text(spec: Spec, dataset: str, variable: str) -> str:
    ds = spec.datasets.get(dataset)
    if ds is None:
        return ""
    var = next((v for v in ds.variables if v.name == variable), None)
    texts = []
    if var is not None and var.method and var.method in spec.methods:
        texts.append(spec.methods[var.method].description)
    if var is not None and var.comment and var.comment in spec.comments:
        texts.append(spec.comments[var.comment].description)
    return " ".join(texts)


def partial_date_variables(spec: Spec) -> list[tuple[str, str]]:
    """SDTM --DTC variables built with the ISO 8601 method (the ones that can be partial)."""
    return [(d.name, v.name) for d in sorted(spec.by_standard("SDTM"), key=lambda d: d.name) for v in d.variables
            if v.name.endswith("DTC") and v.mapping is not None and v.mapping.rule == "iso_datetime"]


def acrf_section(layout: AcrfLayout, spec: Spec) -> Section:
    forms = [(f.form.label, f.page, ", ".join(f.datasets), sum(1 for x in f.fields if not x.submitted))
             for f in layout.forms]
    vendor = [f"{f.label} ({f.name})" for f in spec.raw_forms.values() if not f.crf]
    blocks: list[Paragraph | Table] = [
        p(f"acrf.pdf has one page per CRF form ({len(layout.forms)} forms, {layout.page_count} pages), bookmarked by "
          "form and by visit. Each field names its SDTM variable; fields not submitted are marked NOT SUBMITTED."),
        table(("Form", "aCRF page", "SDTM datasets", "Fields not submitted"), forms, (0.35, 0.15, 0.3, 0.2)),
    ]
    if vendor:
        blocks.append(p("Data not collected on CRF pages (electronic transfers): " + ", ".join(sorted(vendor)) + "."))
    return Section("Annotated CRFs", "acrf", tuple(blocks))


def csdrg_document(spec: Spec, facts: BuildFacts, layout: AcrfLayout) -> Document:
    """The cSDRG in the PHUSE template's outline (introduction, protocol, subject data, conformance)."""
    study = spec.study
    intro = Section("Introduction", "introduction", subsections=(
        Section("Purpose", "purpose", (
            p("This guide describes the SDTM tabulation datasets of the study for a reviewer: the standards used, "
              "the trial design and how SDTM represents it, the data conventions and the findings left in the "
              "final build. Every table is generated from the study's specifications and the build that produced "
              "the datasets in this folder; text in yellow boxes is for the study team to write."),
            person("anything about the study's data a reviewer should know first (data cut, interim analyses)."))),
        standards_section(spec, "SDTM", "standards")), new_page=True)
    protocol = protocol_section(spec, "protocol", design_sections(spec, facts, "design"))
    subject = Section("Subject Data Description", "subject-data", subsections=(
        Section("Overview", "overview", (
            p("Dataset inventory (records are this build's counts):"), inventory_table(spec, facts, "SDTM"))),
        acrf_section(layout, spec), conventions_section(spec, facts),
        Section("Dataset-specific Information", "datasets", (
            person("observations on individual datasets beyond the derivations below."),),
            subsections=dataset_sections(spec, facts, "SDTM"))), new_page=True)
    conformance = conformance_section(spec, facts, "SDTM", "conformance")
    return Document(title="Clinical Study Data Reviewer's Guide",
                    subtitle=(f"{study.studyid} ({study.registry_id})", study.title),
                    sections=number_sections((intro, protocol, subject, conformance)))


# --------------------------------------------------------------------------------------------
# ADRG
# --------------------------------------------------------------------------------------------
def adsl_variables_carried(spec: Spec) -> list[tuple[Variable, str]]:
    """ADSL variables (other than identifiers) that other ADaM datasets carry, with those datasets."""
    adsl = spec.datasets.get("ADSL")
    if adsl is None:
        return []
    others = [d for d in sorted(spec.by_standard("ADaM"), key=lambda d: d.name) if d.name != "ADSL"]
    found = []
    for var in adsl.variables:
        users = [d.name for d in others if var.name in d.variable_names]
        if users and var.name not in adsl.keys:
            found.append((var, ", ".join(users)))
    return found


def adrg_document(spec: Spec, facts: BuildFacts) -> Document:
    """The ADRG in the PHUSE template's outline."""
    study = spec.study
    carried = adsl_variables_carried(spec)
    intro = Section("Introduction", "introduction", subsections=(
        Section("Purpose", "purpose", (
            p("This guide describes the ADaM analysis datasets of the study: their sources, the derivations and "
              "analysis conventions, and the findings left in the final build. Every table is generated from the "
              "study's specifications and the build that produced the datasets in this folder; text in yellow "
              "boxes is for the study team to write."),)),
        standards_section(spec, "ADaM", "standards"),
        Section("Source Data Used for Analysis Dataset Creation", "source-data", (
            p("The SDTM datasets of the same package (see the cSDRG); no analysis dataset reads the raw data."),))),
        new_page=True)
    protocol = protocol_section(spec, "protocol", design_sections(spec, facts, "design"))
    considerations = Section("Analysis Considerations Related to Multiple Analysis Datasets", "considerations",
                             subsections=(Section("Core Variables", "core-variables", (
        p("ADSL variables carried into the other analysis datasets (treatment, populations, stages, key "
          "dates), with the datasets that carry them:"),
        table(("Variable", "Label", "Carried into", "Derivation (in ADSL)"),
              [(cell(v.name, bold=True), v.label, users, spec.methods[v.method].description
                if v.method in spec.methods else v.origin.type) for v, users in carried],
              (0.12, 0.2, 0.13, 0.55)),
        person("planned analyses that combine datasets (subgroups, sensitivity analyses)."))),), new_page=True)
    description = Section("Analysis Data Description", "analysis-data", subsections=(
        Section("Overview", "overview", (
            p("Dataset inventory (records are this build's counts):"), inventory_table(spec, facts, "ADaM"))),
        Section("Analysis Datasets", "datasets", subsections=dataset_sections(spec, facts, "ADaM"))),
        new_page=True)
    conformance = conformance_section(spec, facts, "ADaM", "conformance")
    programs = Section("Submission of Programs", "programs", (
        p("The code and specifications that produced the ADaM datasets are in analysis/adam/programs as plain "
          "text (the define's methods link them):"),
        table(("File",), [(name,) for name in facts.programs] or [("(none)",)], (1.0,)),
        person("the software environment and the order to run the programs in a reviewer's environment."),
    ), new_page=True)
    return Document(title="Analysis Data Reviewer's Guide",
                    subtitle=(f"{study.studyid} ({study.registry_id})", study.title),
                    sections=number_sections((intro, protocol, considerations, description, conformance, programs)))
