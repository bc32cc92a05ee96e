"""``specs/analysis.yaml``: the study's analyses (the analysis page and the define's ARM), checked.

The file is optional for a build (a spec root without it has no analysis page and no ARM);
when present it is validated against ``analysis.schema.json`` (by the loader, like every spec
file, so ``spec check`` reports what a build would), every variable it names must be a variable
of the dataset it names, and every parameter a PARAMCD term of ADLB (``lab_parameters``) or
ADTTE (``survival``). Documentation texts may quote a setting with ``{{ name }}``, filled in
here so the define states the values the page used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aclf_cdisc.errors import Issue, SpecError, raise_if_errors
from aclf_cdisc.spec.conventions import placeholders, render_conventions
from aclf_cdisc.spec.loader import ANALYSIS_FILE, read_spec_file
from aclf_cdisc.spec.model import Spec
from aclf_cdisc.spec.yamlio import YamlDoc, format_path

SCHEMA = "analysis"
# The datasets the analysis page reads its parameters from: lab_parameters name ADLB PARAMCD
# values, each survival analysis an ADTTE PARAMCD value.
LAB_DATASET, TTE_DATASET = "ADLB", "ADTTE"

Where = list[str | int]


def analysis_spec_path(spec: Spec) -> Path | None:
    """``analysis.yaml`` beside the spec's study.yaml, or None when the study has none."""
    if not spec.root:
        return None
    path = Path(spec.root) / ANALYSIS_FILE
    return path if path.is_file() else None


def read_analysis(path: Path, spec: Spec, *, references: bool = True) -> tuple[YamlDoc | None, list[Issue]]:
    """Parse and check ``analysis.yaml`` against its schema and ``spec``: (the doc when it has no
    error, every issue). ``spec check`` and the build both read it here, so both report the same.

    ``references=False`` checks the schema alone (a dataset spec that failed its own schema is
    not in ``spec``, and every name in it would be reported again here).
    """
    issues: list[Issue] = []
    doc = read_spec_file(path, Path(spec.root) if spec.root else None, SCHEMA, issues)
    if doc is not None and references:
        issues += analysis_reference_issues(doc, spec)
    return (doc if not any(i.severity == "error" for i in issues) else None), issues


def load_analysis_spec(spec: Spec) -> dict[str, Any] | None:
    """The analyses of ``spec`` (None without analysis.yaml), documentation placeholders filled in;
    SpecError lists every problem."""
    path = analysis_spec_path(spec)
    if path is None:
        return None
    doc, issues = read_analysis(path, spec)
    raise_if_errors(issues, SpecError, f"{ANALYSIS_FILE} has problems")
    assert doc is not None  # no error was found
    data = dict(doc.data)
    data["displays"] = [
        {**display, "results": [{**result, "documentation": render_conventions(result["documentation"],
                                                                                data["settings"])}
                                for result in display["results"]]}
        for display in data["displays"]]
    return data


def _paramcd_terms(spec: Spec, dataset: str) -> set[str] | None:
    """The PARAMCD values ``dataset`` defines (its PARAMCD codelist's terms); None when it names none."""
    ds = spec.datasets.get(dataset)
    variable = next((v for v in ds.variables if v.name == "PARAMCD"), None) if ds is not None else None
    codelist = spec.codelists.get(variable.codelist or "") if variable is not None else None
    return {t.submission_value for t in codelist.terms} if codelist is not None else None


def analysis_reference_issues(doc: YamlDoc, spec: Spec) -> list[Issue]:
    """Every dataset, variable, parameter, document, comment and setting a schema-valid analysis.yaml
    names must be in the spec; one Issue per name that is not, at its line."""
    data = doc.data

    def issue(where: Where, value: Any, message: str, rule: str = "spec.analysis-reference",
              expected: str | None = None) -> Issue:
        return Issue(rule=rule, file=doc.file, row=doc.line(where), column=format_path(where), value=value,
                     message=f"{format_path(where)}: {message}", expected=expected)

    def check(dataset: str, variable: str, where: Where) -> Issue | None:
        if dataset not in spec.datasets:
            return issue(where, dataset, f"dataset {dataset} is not in the spec")
        if variable not in {v.name for v in spec.datasets[dataset].variables}:
            return issue(where, variable, f"{variable} is not a variable of {dataset}")
        return None

    def parameter(dataset: str, paramcd: str, where: Where) -> Issue | None:
        defined = _paramcd_terms(spec, dataset)
        if defined is None or paramcd in defined:
            return None
        return issue(where, paramcd, f"parameter {paramcd} is not defined for {dataset}",
                     "spec.analysis-parameter-unknown", f"a PARAMCD of {dataset}: {', '.join(sorted(defined))}")

    found: list[Issue | None] = []
    for i, code in enumerate(data["settings"]["lab_parameters"]):
        found.append(parameter(LAB_DATASET, code, ["settings", "lab_parameters", i]))
    for i, tte in enumerate(data["survival"]):
        found.append(parameter(TTE_DATASET, tte["paramcd"], ["survival", i, "paramcd"]))
        found += [check(TTE_DATASET, tte[k], ["survival", i, k]) for k in ("population", "arm")]
    safety = data["safety"]
    for key in ("arm", "teae_flag", "soc", "pt", "serious"):
        found.append(check("ADAE", safety[key], ["safety", key]))
    for key in ("related", "withdrawal", "severity"):
        found.append(check("ADAE", safety[key]["variable"], ["safety", key, "variable"]))
    found.append(check("ADSL", safety["population"], ["safety", "population"]))
    base = data["baseline"]
    found += [check("ADSL", base[k], ["baseline", k]) for k in ("population", "arm")]
    found += [check("ADSL", v, ["baseline", "variables", i]) for i, v in enumerate(base["variables"])]
    for d, display in enumerate(data["displays"]):
        if display.get("document") and display["document"]["oid"] not in spec.documents:
            found.append(issue(["displays", d, "document", "oid"], display["document"]["oid"],
                               "the document is not in documents.yaml"))
        for r, result in enumerate(display["results"]):
            at: Where = ["displays", d, "results", r]
            if "parameter" in result:
                found.append(check(result["parameter"]["dataset"], result["parameter"]["variable"],
                                   [*at, "parameter"]))
            if result.get("comment") and result["comment"] not in spec.comments:
                found.append(issue([*at, "comment"], result["comment"], "the comment is not in comments.yaml"))
            for k, ds in enumerate(result["datasets"]):
                for var in [c[0] for c in ds["where"]] + list(ds["variables"]):
                    found.append(check(ds["dataset"], var, [*at, "datasets", k]))
            for key in placeholders(result["documentation"]):
                if key not in data["settings"]:
                    found.append(issue([*at, "documentation"], key, f"the text quotes {{{{ {key} }}}}, which is "
                                       "not a setting", "spec.convention-unknown", "a key of settings"))
    return [i for i in found if i is not None]
