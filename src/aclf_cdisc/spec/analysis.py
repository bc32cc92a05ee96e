"""``specs/analysis.yaml``: the study's analyses (the analysis page and the define's ARM), checked.

The file is optional for a build (a spec root without it has no analysis page and no ARM);
when present it is validated against ``analysis.schema.json`` and every variable it names must
be a variable of the dataset it names. Documentation texts may quote a setting with
``{{ name }}``, filled in here so the define states the values the page used.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator

from aclf_cdisc.errors import Issue, SpecError, raise_if_errors
from aclf_cdisc.spec.conventions import placeholders, render_conventions
from aclf_cdisc.spec.model import Spec

FILE_NAME = "analysis.yaml"


def analysis_spec_path(spec: Spec) -> Path | None:
    """``analysis.yaml`` beside the spec's study.yaml, or None when the study has none."""
    if not spec.root:
        return None
    path = Path(spec.root) / FILE_NAME
    return path if path.is_file() else None


def load_analysis_spec(spec: Spec) -> dict[str, Any] | None:
    """The analyses of ``spec`` (None without analysis.yaml); SpecError lists every problem."""
    path = analysis_spec_path(spec)
    if path is None:
        return None
    name = f"specs/{FILE_NAME}"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SpecError([Issue(rule="spec.analysis-unreadable", message=str(exc).replace("\n", " "),
                               file=name)], f"{name} cannot be read") from None
    schema = json.loads(resources.files("aclf_cdisc.spec").joinpath("schema/analysis.schema.json")
                        .read_text(encoding="utf-8"))
    issues = [Issue(rule="spec.schema", file=name, column="/".join(str(p) for p in err.absolute_path) or None,
                    value=err.instance if not isinstance(err.instance, (dict, list)) else None,
                    message=err.message)
              for err in sorted(Draft202012Validator(schema).iter_errors(data), key=lambda e: list(e.path))]
    raise_if_errors(issues, SpecError, f"{name} breaks its schema")
    issues = list(_reference_issues(data, spec, name))
    for d, display in enumerate(data["displays"]):
        for r, result in enumerate(display["results"]):
            for key in placeholders(result["documentation"]):
                if key not in data["settings"]:
                    issues.append(Issue(rule="spec.convention-unknown", file=name, value=key,
                                        column=f"displays/{d}/results/{r}/documentation",
                                        message=f"the text quotes {{{{ {key} }}}}, which is not a setting"))
            result["documentation"] = render_conventions(result["documentation"], data["settings"])
    raise_if_errors(issues, SpecError, f"{name} names what the spec does not have")
    return dict(data)


def _reference_issues(data: dict[str, Any], spec: Spec, name: str) -> list[Issue]:
    def check(dataset: str, variable: str, where: str) -> Issue | None:
        if dataset not in spec.datasets:
            return Issue(rule="spec.analysis-reference", file=name, column=where, value=dataset,
                         message=f"dataset {dataset} is not in the spec")
        if variable not in {v.name for v in spec.datasets[dataset].variables}:
            return Issue(rule="spec.analysis-reference", file=name, column=where, value=variable,
                         message=f"{variable} is not a variable of {dataset}")
        return None

    found: list[Issue | None] = []
    for i, tte in enumerate(data["survival"]):
        found += [check("ADTTE", tte[k], f"survival/{i}/{k}") for k in ("population", "arm")]
    safety = data["safety"]
    for key in ("arm", "teae_flag", "soc", "pt", "serious"):
        found.append(check("ADAE", safety[key], f"safety/{key}"))
    for key in ("related", "withdrawal", "severity"):
        found.append(check("ADAE", safety[key]["variable"], f"safety/{key}/variable"))
    found.append(check("ADSL", safety["population"], "safety/population"))
    base = data["baseline"]
    found += [check("ADSL", v, "baseline/variables") for v in (base["population"], base["arm"], *base["variables"])]
    for d, display in enumerate(data["displays"]):
        if display.get("document") and display["document"]["oid"] not in spec.documents:
            found.append(Issue(rule="spec.analysis-reference", file=name, column=f"displays/{d}/document",
                               value=display["document"]["oid"], message="the document is not in documents.yaml"))
        for r, result in enumerate(display["results"]):
            at = f"displays/{d}/results/{r}"
            if "parameter" in result:
                found.append(check(result["parameter"]["dataset"], result["parameter"]["variable"], f"{at}/parameter"))
            if result.get("comment") and result["comment"] not in spec.comments:
                found.append(Issue(rule="spec.analysis-reference", file=name, column=f"{at}/comment",
                                   value=result["comment"], message="the comment is not in comments.yaml"))
            for k, ds in enumerate(result["datasets"]):
                for var in [c[0] for c in ds["where"]] + list(ds["variables"]):
                    found.append(check(ds["dataset"], var, f"{at}/datasets/{k}"))
    return [i for i in found if i is not None]
