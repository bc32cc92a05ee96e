"""Load the ``specs/`` folder into a frozen :class:`~aclf_cdisc.spec.model.Spec`, checking it first.

Two passes, both collecting every problem before anything is raised:

1. each YAML file is parsed and validated against its JSON Schema (``spec/schema/*.schema.json``);
2. the files that passed are converted to model objects and cross-checked: every codelist,
   method, comment, document and value-list OID resolves; keys and sort order name variables;
   names are unique; Derived origins carry a method; Predecessor origins name their source;
   ``map.source`` names a declared raw form column; numeric variables have a fixed length.

Every problem is an :class:`~aclf_cdisc.errors.Issue` with ``file`` (path under the spec root's
parent, e.g. ``specs/sdtm/dm.yaml``), ``row`` (the YAML line), ``column`` (the location inside the
file as a JSON path such as ``variables[3].length``) and ``dataset`` when one applies.

A spec already checked loads from its cache (:mod:`aclf_cdisc.spec.cache`) without either pass:
the YAML parser and the JSON Schema validator are imported by the passes that use them, so a
command that loads a cached spec never pays their imports (about a tenth of a second).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from aclf_cdisc.errors import Issue, SpecError, raise_if_errors, undecodable_at
from aclf_cdisc.spec.conventions import convention_value, placeholders, render_conventions
from aclf_cdisc.spec.model import (
    UNSCHEDULED_FOLDER,
    Arm,
    Codelist,
    Comment,
    Dataset,
    Document,
    Element,
    Mapping,
    Method,
    OdmMapping,
    Origin,
    RawColumn,
    RawForm,
    Spec,
    Study,
    Term,
    ValueLevel,
    Variable,
    Visit,
    WhereClause,
)
from aclf_cdisc.spec_search import SPECS_ENV

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError as JsonSchemaError
    from referencing import Registry

    from aclf_cdisc.sdtm.map_inputs import MapInputs
    from aclf_cdisc.spec.yamlio import YamlDoc

SCHEMA_NAMES: tuple[str, ...] = (
    "common", "study", "codelists", "methods", "comments", "documents", "raw_form", "dataset", "analysis",
)
# The study-level files every spec root has, and the schema each one follows.
STUDY_FILES: dict[str, str] = {
    "study.yaml": "study",
    "codelists.yaml": "codelists",
    "methods.yaml": "methods",
    "comments.yaml": "comments",
    "documents.yaml": "documents",
}
DATASET_FOLDERS: dict[str, str] = {"sdtm": "SDTM", "adam": "ADaM"}
ANALYSIS_FILE = "analysis.yaml"  # optional: checked (spec.analysis) when the root holds it
RAW_FOLDER = "raw"
NUMERIC_LENGTHS = range(3, 9)  # SAS numeric storage lengths


# --------------------------------------------------------------------------------------------
# JSON Schemas (package data)
# --------------------------------------------------------------------------------------------
@cache
def load_schema(name: str) -> dict[str, Any]:
    """The JSON Schema named ``name`` (one of :data:`SCHEMA_NAMES`) as a dict."""
    if name not in SCHEMA_NAMES:
        raise KeyError(f"no spec schema named {name!r}; known: {', '.join(SCHEMA_NAMES)}")
    text = resources.files("aclf_cdisc.spec").joinpath("schema", f"{name}.schema.json").read_text("utf-8")
    return json.loads(text)


@cache
def _registry() -> Registry:
    from referencing import Registry, Resource

    registry: Registry = Registry()
    for name in SCHEMA_NAMES:
        schema = load_schema(name)
        resource = Resource.from_contents(schema)
        registry = registry.with_resource(schema["$id"], resource)
        registry = registry.with_resource(f"{name}.schema.json", resource)
    return registry


@cache
def schema_validator(name: str) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, registry=_registry())


def _expected(error: JsonSchemaError) -> str | None:
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator == "enum":
        return "one of " + ", ".join(repr(v) for v in error.validator_value)
    if error.validator == "const":
        return repr(error.validator_value)
    if error.validator == "type":
        return f"type {error.validator_value}"
    if error.validator == "pattern":
        return f"text matching {error.validator_value}"
    if error.validator in ("maxLength", "minLength", "maximum", "minimum", "minItems", "maxItems"):
        return f"{error.validator} {error.validator_value}"
    if error.validator == "oneOf":
        return "; or ".join(_describe(branch) for branch in schema.get("oneOf", []))
    if error.validator == "additionalProperties":
        return "one of the keys " + ", ".join(sorted(schema.get("properties", {})))
    return None


def _describe(branch: Any) -> str:
    if not isinstance(branch, dict):
        return str(branch)
    if "$ref" in branch:
        return branch["$ref"].rsplit("/", 1)[-1]
    if "const" in branch:
        return repr(branch["const"])
    if "enum" in branch:
        return "one of " + ", ".join(repr(v) for v in branch["enum"])
    parts = [str(branch.get("type", "value"))]
    for key in ("minimum", "maximum", "pattern"):
        if key in branch:
            parts.append(f"{key} {branch[key]}")
    return " ".join(parts)


def _leaf_errors(error: JsonSchemaError) -> Iterator[JsonSchemaError]:
    """For combinators whose branches all fail on the same key, report the most specific error."""
    if error.validator in ("allOf", "anyOf") and error.context:
        for sub in error.context:
            yield from _leaf_errors(sub)
    else:
        yield error


def schema_issues(doc: YamlDoc, schema_name: str, dataset: str | None = None) -> list[Issue]:
    """Validate ``doc.data`` against a schema; one Issue per violation, located in the file."""
    from aclf_cdisc.spec.yamlio import format_path

    issues: list[Issue] = []
    errors = sorted(schema_validator(schema_name).iter_errors(doc.data),
                    key=lambda e: (list(map(str, e.absolute_path)), e.validator))
    for top in errors:
        for error in _leaf_errors(top):
            path = list(error.absolute_path)
            value: Any = error.instance
            if error.validator == "additionalProperties" and isinstance(error.instance, dict):
                allowed = set(error.schema.get("properties", {})) if isinstance(error.schema, dict) else set()
                for key in sorted(set(error.instance) - allowed, key=str):
                    where = [*path, key]
                    issues.append(Issue(
                        rule="spec.schema.unknown-key",
                        message=f"{format_path(where)}: unknown key {key!r}",
                        file=doc.file, dataset=dataset, row=doc.line(where), column=format_path(where),
                        value=key, expected=_expected(error)))
                continue
            if error.validator == "required":
                missing = error.message.split("'")[1] if "'" in error.message else error.message
                where = [*path, missing]
                issues.append(Issue(
                    rule="spec.schema.required",
                    message=f"{format_path(where)}: required key {missing!r} is missing",
                    file=doc.file, dataset=dataset, row=doc.line(path), column=format_path(where),
                    expected=f"a {missing!r} key"))
                continue
            if isinstance(value, dict | list):
                value = None
            issues.append(Issue(
                rule=f"spec.schema.{error.validator}",
                message=f"{format_path(path)}: {error.message}",
                file=doc.file, dataset=dataset, row=doc.line(path), column=format_path(path),
                value=value, expected=_expected(error)))
    return _dedupe(issues)


def _dedupe(issues: Iterable[Issue]) -> list[Issue]:
    seen: set[tuple[Any, ...]] = set()
    out = []
    for issue in issues:
        key = (issue.rule, issue.file, issue.column, issue.message)
        if key not in seen:
            seen.add(key)
            out.append(issue)
    return out


# --------------------------------------------------------------------------------------------
# Reading one file
# --------------------------------------------------------------------------------------------
def _display_name(path: Path, root: Path | None) -> str:
    if root is not None:
        try:
            return path.resolve().relative_to(root.resolve().parent).as_posix()
        except ValueError:
            pass
    return path.as_posix()


def read_spec_file(path: Path, root: Path | None, schema_name: str,
          issues: list[Issue]) -> YamlDoc | None:
    """Parse and schema-validate one file; append issues; return the doc only if it is valid."""
    import yaml

    from aclf_cdisc.spec.yamlio import read_yaml

    name = _display_name(path, root)
    try:
        doc = read_yaml(path, name)
    except OSError as exc:
        issues.append(Issue(rule="spec.file-unreadable", message=f"cannot read spec file: {exc}", file=name))
        return None
    except UnicodeDecodeError as exc:  # the bytes that are not UTF-8, on the line they are on
        line, byte = undecodable_at(exc)
        issues.append(Issue(rule="spec.file-not-utf8", file=name, row=line,
                            message=f"spec file is not UTF-8 text: {byte}",
                            value=repr(exc.object[max(exc.start - 20, 0):exc.start + 1]),
                            expected="UTF-8 text (save the file as UTF-8)"))
        return None
    except SpecError as exc:  # a key given twice, aliases that expand without bound
        issues.extend(exc.issues)
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        issues.append(Issue(rule="spec.yaml-syntax", message=f"not valid YAML: {exc}".replace("\n", " "),
                            file=name, row=(mark.line + 1) if mark is not None else None))
        return None
    dataset = doc.data.get("dataset") if isinstance(doc.data, dict) else None
    found = schema_issues(doc, schema_name, dataset=dataset if isinstance(dataset, str) else None)
    issues.extend(found)
    return None if found else doc


# --------------------------------------------------------------------------------------------
# YAML data -> model objects (only called on schema-valid data)
# --------------------------------------------------------------------------------------------
def _origin(data: dict[str, Any]) -> Origin:
    return Origin(type=data["type"], source=data.get("source"),
                  pages=tuple(str(p) for p in data.get("pages", ()) or ()),
                  predecessor=data.get("predecessor"), description=data.get("description"))


def _length(value: Any) -> int | None:
    return None if value in (None, "auto") else int(value)


def _variable(data: dict[str, Any]) -> Variable:
    raw_map = data.get("map")
    mapping = None
    if raw_map:
        mapping = Mapping(rule=raw_map["rule"], source=raw_map.get("source"), time=raw_map.get("time"),
                          value=raw_map.get("value"), function=raw_map.get("function"))
    return Variable(
        name=data["name"], label=data["label"], data_type=data["data_type"],
        length=_length(data.get("length")), core=data["core"], origin=_origin(data["origin"]),
        role=data.get("role"), codelist=data.get("codelist"), method=data.get("method"),
        comment=data.get("comment"), display_format=data.get("display_format"),
        significant_digits=data.get("significant_digits"), mapping=mapping,
        value_list=data.get("value_list"), collected_from=tuple(data.get("collected_from", ()) or ()),
    )


def _where(data: dict[str, Any]) -> WhereClause:
    return WhereClause(oid=data["oid"], conditions=tuple(
        (str(var), str(op), tuple(str(v) for v in values)) for var, op, values in data["conditions"]))


def dataset_from_data(data: dict[str, Any], source_file: str | None = None) -> Dataset:
    """Build a :class:`Dataset` from schema-valid YAML data."""
    name = data["dataset"]
    value_level = tuple(
        ValueLevel(
            dataset=name, variable=row["variable"], where=_where(row["where"]),
            data_type=row["data_type"], length=_length(row.get("length")), origin=_origin(row["origin"]),
            label=row.get("label"), codelist=row.get("codelist"), method=row.get("method"),
            comment=row.get("comment"), significant_digits=row.get("significant_digits"),
            display_format=row.get("display_format"), mandatory=bool(row.get("mandatory", False)),
            unit=row.get("unit"), collected_from=tuple(row.get("collected_from", ()) or ()),
        )
        for row in data.get("value_level", ()) or ()
    )
    return Dataset(
        name=name, label=data["label"], standard=data["standard"], class_=data["class"],
        structure=data["structure"], purpose=data["purpose"], keys=tuple(data["keys"]),
        sort_order=tuple(data.get("sort_order") or data["keys"]),
        variables=tuple(_variable(v) for v in data["variables"]),
        repeating=bool(data.get("repeating", True)), reference_data=bool(data.get("reference_data", False)),
        subclass=data.get("subclass"), domain=data.get("domain"), description=data.get("description"),
        comment=data.get("comment"), value_level=value_level, source_file=source_file,
        conventions=dict(data.get("conventions") or {}),
    )


def raw_form_from_data(data: dict[str, Any]) -> RawForm:
    """Build a :class:`RawForm` from schema-valid YAML data."""
    return RawForm(
        name=data["form"], label=data["label"], blinded=bool(data.get("blinded", False)),
        keys=tuple(data.get("keys", ()) or ()), description=data.get("description"),
        crf=bool(data.get("crf", True)), visits=tuple(data.get("visits", ()) or ()),
        columns=tuple(
            RawColumn(name=c["name"], data_type=c["type"], required=bool(c.get("required", False)),
                      allowed=tuple(str(a) for a in c.get("allowed", ()) or ()),
                      description=c.get("description"), odm_item=c.get("odm"))
            for c in data["columns"]
        ),
        odm=odm_mapping_from_data(data.get("odm") or {}, {c["name"] for c in data["columns"]}),
    )


def odm_mapping_from_data(data: dict[str, Any], columns: set[str]) -> OdmMapping:
    """The ``odm:`` block of a raw layout; a structural column defaults to its usual name when declared."""
    def column(key: str, default: str | None) -> str | None:
        if key in data:
            return cast(str | None, data[key])
        return default if default in columns else None

    return OdmMapping(form_oid=data.get("form"), item_group_oid=data.get("item_group"),
                      study=column("study", "STUDYID"), subject=column("subject", "SUBJID"),
                      site=column("site", "SITEID"), visit=column("visit", None))


def study_from_data(data: dict[str, Any]) -> Study:
    return Study(
        studyid=data["studyid"], title=data["title"], protocol=data["protocol"], sponsor=data["sponsor"],
        registry_id=data["registry_id"], ct_versions=dict(data["ct_versions"]),
        meddra_version=str(data["meddra_version"]),
        arms=tuple(Arm(armcd=a["armcd"], arm=a["arm"], planned=bool(a.get("planned", True)))
                   for a in data["arms"]),
        elements=tuple(Element(etcd=e["etcd"], element=e["element"], start_rule=e["start_rule"],
                               end_rule=e.get("end_rule"), duration=e.get("duration"))
                       for e in data["elements"]),
        trial_arms=tuple(dict(row) for row in data["trial_arms"]),
        epochs=tuple(data["epochs"]),
        visits=tuple(Visit(visitnum=float(v["visitnum"]), visit=v["visit"], visitdy=v.get("visitdy"),
                           window_low=v.get("window_low"), window_high=v.get("window_high"),
                           start_rule=v.get("start_rule"), end_rule=v.get("end_rule"),
                           armcd=v.get("armcd"), edc_folder=v.get("edc_folder"))
                     for v in data["visits"]),
        trial_summary=tuple(dict(row) for row in data["trial_summary"]),
        inclusion_exclusion=tuple(dict(row) for row in data["inclusion_exclusion"]),
        conventions=dict(data.get("conventions") or {}),
    )


def codelists_from_data(data: dict[str, Any]) -> list[Codelist]:
    return [
        Codelist(
            oid=c["oid"], name=c["name"], data_type=c["data_type"], nci_code=c.get("nci_code"),
            extensible=bool(c.get("extensible", False)),
            external=({k: str(v) for k, v in c["external"].items()} if c.get("external") else None),
            ct=(c.get("ct") or "SDTM") if c.get("nci_code") and not c.get("external") else None,
            terms=tuple(
                Term(submission_value=str(t["value"]), decode=t.get("decode"), nci_code=t.get("nci_code"),
                     extended=bool(t.get("extended", False)),
                     synonyms=tuple(str(s) for s in t.get("synonyms", ()) or ()), order=t.get("order"))
                for t in c.get("terms", ()) or ()
            ),
        )
        for c in data["codelists"]
    ]


# --------------------------------------------------------------------------------------------
# Checks inside one file / across files
# --------------------------------------------------------------------------------------------
class _Ctx:
    """Where issues for one file go, with its line map."""

    def __init__(self, doc: YamlDoc, issues: list[Issue], dataset: str | None = None) -> None:
        self.doc, self.issues, self.dataset = doc, issues, dataset

    def add(self, rule: str, path: list[str | int], message: str, value: Any = None,
            expected: str | None = None, severity: str = "error") -> None:
        from aclf_cdisc.spec.yamlio import format_path

        self.issues.append(Issue(
            rule=rule, message=f"{format_path(path)}: {message}", severity=severity,  # type: ignore[arg-type]
            file=self.doc.file, dataset=self.dataset, row=self.doc.line(path), column=format_path(path),
            value=value, expected=expected))


def _duplicates(values: Iterable[str]) -> set[str]:
    return {v for v, n in Counter(values).items() if n > 1}


def dataset_issues(ds: Dataset, ctx: _Ctx) -> None:
    """Checks a dataset spec can pass on its own (no other spec file needed)."""
    names = [v.name for v in ds.variables]
    dupes = _duplicates(names)
    seen: set[str] = set()
    for i, var in enumerate(ds.variables):
        if var.name in dupes and var.name in seen:
            ctx.add("spec.variable-duplicate", ["variables", i, "name"],
                    f"variable {var.name} is declared more than once", var.name, "unique variable names")
        seen.add(var.name)
        if var.is_numeric:
            if var.length is None:
                ctx.add("spec.length-auto-numeric", ["variables", i, "length"],
                        f"numeric variable {var.name} needs a fixed length ('auto' is for character only)",
                        "auto", "an integer 3..8 (normally 8)")
            elif var.length not in NUMERIC_LENGTHS:
                ctx.add("spec.length-numeric-range", ["variables", i, "length"],
                        f"numeric variable {var.name} has length {var.length}", var.length, "3..8")
        if var.origin.type == "Derived" and not var.method:
            ctx.add("spec.derived-no-method", ["variables", i, "origin"],
                    f"{var.name} has origin Derived but no method", None, "a method OID from methods.yaml")
        if var.origin.type == "Predecessor" and not var.origin.predecessor:
            ctx.add("spec.predecessor-missing", ["variables", i, "origin"],
                    f"{var.name} has origin Predecessor but does not name it", None,
                    "origin.predecessor: DATASET.VARIABLE")
        if var.origin.type == "Collected" and ds.standard == "SDTM" and not var.origin.source:
            ctx.add("spec.collected-no-source", ["variables", i, "origin"],
                    f"{var.name} has origin Collected but no source", None,
                    "origin.source: Investigator | Subject | Vendor | Sponsor")
        if var.mapping is not None and var.mapping.rule == "ct" and not var.codelist:
            ctx.add("spec.map-ct-no-codelist", ["variables", i, "map"],
                    f"{var.name} maps by rule ct but has no codelist to recode to", None, "a codelist OID")
    declared = ctx.doc.data if isinstance(ctx.doc.data, dict) else {}
    for field_name in ("keys", "sort_order"):
        if field_name not in declared:  # sort_order defaults to keys: report it once
            continue
        for j, key in enumerate(getattr(ds, field_name)):
            if key not in names:
                ctx.add(f"spec.{field_name.replace('_', '-')}-unknown", [field_name, j],
                        f"{key} is not a variable of {ds.name}", key, "a variable declared under variables")
    if (ds.standard == "SDTM") != (ds.purpose == "Tabulation"):
        ctx.add("spec.purpose-mismatch", ["purpose"], f"standard {ds.standard} with purpose {ds.purpose}",
                ds.purpose, "Tabulation for SDTM, Analysis for ADaM")
    var_lists = {v.name: v.value_list for v in ds.variables}
    vl_vars = {row.variable for row in ds.value_level}
    for i, var in enumerate(ds.variables):
        if var.value_list and var.name not in vl_vars:
            ctx.add("spec.value-list-unknown", ["variables", i, "value_list"],
                    f"{var.name} names value list {var.value_list} but no value_level row is for {var.name}",
                    var.value_list, f"value_level rows with variable: {var.name}")
    where_oids: dict[str, tuple[Any, ...]] = {}
    for k, row in enumerate(ds.value_level):
        if row.variable not in var_lists:
            ctx.add("spec.value-level-variable-unknown", ["value_level", k, "variable"],
                    f"{row.variable} is not a variable of {ds.name}", row.variable, "a declared variable")
        elif not var_lists[row.variable]:
            ctx.add("spec.value-list-missing", ["value_level", k, "variable"],
                    f"{row.variable} has value-level rows but no value_list OID", row.variable,
                    f"variables[{names.index(row.variable)}].value_list set")
        for c, (cond_var, _op, _vals) in enumerate(row.where.conditions):
            if cond_var not in var_lists:
                ctx.add("spec.where-variable-unknown", ["value_level", k, "where", "conditions", c],
                        f"where clause {row.where.oid} tests {cond_var}, not a variable of {ds.name}",
                        cond_var, "a declared variable")
        previous = where_oids.setdefault(row.where.oid, row.where.conditions)
        if previous != row.where.conditions:
            ctx.add("spec.where-oid-conflict", ["value_level", k, "where", "oid"],
                    f"where clause {row.where.oid} is declared with different conditions", row.where.oid,
                    "one OID per distinct where clause")
        if row.origin.type == "Derived" and not row.method:
            ctx.add("spec.derived-no-method", ["value_level", k, "origin"],
                    f"value-level {row.variable} ({row.where.oid}) has origin Derived but no method",
                    None, "a method OID from methods.yaml")
        if row.data_type in ("integer", "float") and row.length is None:
            ctx.add("spec.length-auto-numeric", ["value_level", k, "length"],
                    f"numeric value-level {row.variable} ({row.where.oid}) needs a fixed length", "auto",
                    "an integer")


def dataset_reference_issues(ds: Dataset, ctx: _Ctx, spec: Spec) -> None:
    """Checks that need the shared definitions (codelists, methods, comments) and raw forms."""
    def ref(kind: str, oid: str | None, table: dict[str, Any], path: list[str | int], owner: str) -> None:
        if oid and oid not in table:
            ctx.add(f"spec.{kind}-unknown", path, f"{owner} refers to {kind} {oid}, which is not defined",
                    oid, f"an OID from {kind}s.yaml")

    ref("comment", ds.comment, spec.comments, ["comment"], ds.name)
    for i, var in enumerate(ds.variables):
        ref("codelist", var.codelist, spec.codelists, ["variables", i, "codelist"], var.name)
        ref("method", var.method, spec.methods, ["variables", i, "method"], var.name)
        ref("comment", var.comment, spec.comments, ["variables", i, "comment"], var.name)
        codelist = spec.codelists.get(var.codelist or "")
        if codelist is not None and codelist.data_type != var.data_type and not codelist.external:
            ctx.add("spec.codelist-type-mismatch", ["variables", i, "codelist"],
                    f"{var.name} is {var.data_type} but codelist {codelist.oid} is {codelist.data_type}",
                    codelist.data_type, f"a {var.data_type} codelist")
        pred = var.origin.predecessor
        if pred:
            pds, _, pvar = pred.partition(".")
            if pds in spec.datasets and pvar not in spec.datasets[pds].variable_names:
                ctx.add("spec.predecessor-unknown", ["variables", i, "origin", "predecessor"],
                        f"predecessor {pred} is not a variable of {pds}", pred, f"a variable of {pds}")
        if var.mapping is not None and spec.raw_forms:
            for key in ("source", "time"):
                target = getattr(var.mapping, key)
                if not target:
                    continue
                form, _, column = target.partition(".")
                raw = spec.raw_forms.get(form)
                if raw is None or column not in {c.name for c in raw.columns}:
                    where = f"form {form!r} is not declared" if raw is None else f"form {form} has no {column}"
                    ctx.add("spec.map-source-unknown", ["variables", i, "map", key],
                            f"{var.name} maps from {target}: {where}", target,
                            "form.COLUMN of a column declared in specs/raw/<form>.yaml")
        _collected_from_issues(spec, var.name, var.collected_from, ["variables", i], ctx)
    for k, row in enumerate(ds.value_level):
        _collected_from_issues(spec, row.variable, row.collected_from, ["value_level", k], ctx)
        ref("codelist", row.codelist, spec.codelists, ["value_level", k, "codelist"], row.variable)
        ref("method", row.method, spec.methods, ["value_level", k, "method"], row.variable)
        ref("comment", row.comment, spec.comments, ["value_level", k, "comment"], row.variable)


def _map_inputs() -> dict[str, MapInputs]:
    """What each SDTM builder hands to its spec's map rules (:mod:`aclf_cdisc.sdtm.map_inputs`)."""
    from aclf_cdisc.sdtm.map_inputs import map_inputs  # the builders import this package: read them late

    return map_inputs()


def builder_map_issues(ds: Dataset, inputs: MapInputs, spec: Spec, ctx: _Ctx) -> None:
    """Every ``map`` of ``ds`` names what its builder has: a derivation of its registry, and (for a
    source that is a declared raw column, see :func:`dataset_reference_issues`) a column it reads."""
    declared = {f"{form.name}.{c.name}" for form in spec.raw_forms.values() for c in form.columns}
    for i, var in enumerate(ds.variables):
        mapping = var.mapping
        if mapping is None:
            continue
        if mapping.rule == "derive" and mapping.function not in inputs.derivations:
            ctx.add("spec.map-function-unknown", ["variables", i, "map", "function"],
                    f"{var.name} maps by derivation {mapping.function}, which the {ds.name} builder does not have",
                    mapping.function, f"one of {', '.join(sorted(inputs.derivations))}")
        for key in ("source", "time"):
            target = getattr(mapping, key)
            if target and target in declared and not inputs.reads(target):
                ctx.add("spec.map-source-not-read", ["variables", i, "map", key],
                        f"{var.name} maps from {target}, a column of a form the {ds.name} builder does not read",
                        target, f"a column of what {ds.name} is built from: {inputs.read_text()}")


def _collected_from_issues(spec: Spec, name: str, fields: tuple[str, ...], path: list[Any], ctx: _Ctx) -> None:
    """Every ``collected_from`` entry names a declared raw form column (form.COLUMN)."""
    if not spec.raw_forms:
        return
    for j, target in enumerate(fields):
        form, _, column = target.partition(".")
        raw = spec.raw_forms.get(form)
        if raw is None or column not in {c.name for c in raw.columns}:
            where = f"form {form!r} is not declared" if raw is None else f"form {form} has no {column}"
            ctx.add("spec.collected-from-unknown", [*path, "collected_from", j],
                    f"{name} is collected from {target}: {where}", target,
                    "form.COLUMN of a column declared in specs/raw/<form>.yaml")


def codelist_issues(codelists: list[Codelist], ctx: _Ctx) -> None:
    oids = _duplicates(c.oid for c in codelists)
    for i, cl in enumerate(codelists):
        if cl.oid in oids:
            ctx.add("spec.oid-duplicate", ["codelists", i, "oid"], f"codelist {cl.oid} is declared twice", cl.oid)
        if not cl.terms and not cl.external:
            ctx.add("spec.codelist-empty", ["codelists", i], f"codelist {cl.oid} has no terms", None,
                    "terms, or external: {dictionary, version}")
        for value in _duplicates(t.submission_value for t in cl.terms):
            ctx.add("spec.term-duplicate", ["codelists", i, "terms"], f"{cl.oid} lists {value!r} twice", value)
        owners: dict[str, str] = {}
        for j, term in enumerate(cl.terms):
            if term.extended and cl.kind != "cdisc":
                ctx.add("spec.term-extended-not-cdisc", ["codelists", i, "terms", j, "extended"],
                        f"{cl.oid} is not a CDISC codelist: its terms are the sponsor's own, not extensions "
                        f"(drop extended from {term.submission_value!r})", term.submission_value,
                        "extended only on a term added to an extensible CDISC codelist")
            if term.extended and not cl.extensible and cl.nci_code:
                ctx.add("spec.term-extends-closed-codelist", ["codelists", i, "terms", j, "extended"],
                        f"{cl.oid} is not extensible but term {term.submission_value!r} is a sponsor extension",
                        term.submission_value, "an extensible codelist")
            for raw in (term.submission_value, *(term.synonyms), *((term.decode,) if term.decode else ())):
                key = raw.strip().upper()
                other = owners.setdefault(key, term.submission_value)
                if other != term.submission_value:
                    ctx.add("spec.synonym-ambiguous", ["codelists", i, "terms", j],
                            f"raw value {raw!r} would recode to both {other!r} and {term.submission_value!r}"
                            f" in {cl.oid}", raw, "each raw value recodes to one term")


def _oid_table_issues(kind: str, items: list[Any], ctx: _Ctx, documents: dict[str, Document] | None) -> None:
    dupes = _duplicates(item.oid for item in items)
    for i, item in enumerate(items):
        if item.oid in dupes:
            ctx.add("spec.oid-duplicate", [kind, i, "oid"], f"{item.oid} is declared twice", item.oid)
        doc_ref = getattr(item, "document", None)
        if documents is not None and doc_ref and doc_ref not in documents:
            ctx.add("spec.document-unknown", [kind, i, "document"],
                    f"{item.oid} refers to document {doc_ref}, which is not defined", doc_ref,
                    "an OID from documents.yaml")


def study_issues(study: Study, ctx: _Ctx) -> None:
    armcds = [a.armcd for a in study.arms]
    for value in _duplicates(armcds):
        ctx.add("spec.study-arm-duplicate", ["arms"], f"ARMCD {value} is declared twice", value)
    etcds = {e.etcd for e in study.elements}
    epochs = set(study.epochs)
    ta_arms = set()
    for i, row in enumerate(study.trial_arms):
        ta_arms.add(row["ARMCD"])
        if row["ARMCD"] not in armcds:
            ctx.add("spec.study-ta-arm-unknown", ["trial_arms", i, "ARMCD"],
                    f"TA row names ARMCD {row['ARMCD']}, not in arms", row["ARMCD"], "an ARMCD from arms")
        if row["ETCD"] not in etcds:
            ctx.add("spec.study-ta-element-unknown", ["trial_arms", i, "ETCD"],
                    f"TA row names ETCD {row['ETCD']}, not in elements", row["ETCD"], "an ETCD from elements")
        if row["EPOCH"] not in epochs:
            ctx.add("spec.study-ta-epoch-unknown", ["trial_arms", i, "EPOCH"],
                    f"TA row names EPOCH {row['EPOCH']}, not in epochs", row["EPOCH"], "an epoch from epochs")
    for i, arm in enumerate(study.arms):
        if arm.planned and arm.armcd not in ta_arms:
            ctx.add("spec.study-arm-no-ta", ["arms", i], f"planned arm {arm.armcd} has no TA rows", arm.armcd)
        if not arm.planned and arm.armcd in ta_arms:
            ctx.add("spec.study-unplanned-arm-in-ta", ["arms", i],
                    f"arm {arm.armcd} is planned: false but has TA rows", arm.armcd)
    for value in _duplicates(str(v.visitnum) for v in study.visits):
        ctx.add("spec.study-visitnum-duplicate", ["visits"], f"VISITNUM {value} is declared twice", value)
    for i, visit in enumerate(study.visits):
        if (visit.window_low is not None and visit.window_high is not None
                and visit.window_low > visit.window_high):
            ctx.add("spec.study-visit-window", ["visits", i], f"{visit.visit}: window low > high",
                    f"{visit.window_low}..{visit.window_high}")
    for i, row in enumerate(study.trial_summary):
        has_value = row.get("TSVAL") not in (None, "")
        if not has_value and not row.get("TSVALNF") and not row.get("derived"):
            ctx.add("spec.study-ts-value-missing", ["trial_summary", i],
                    f"TS {row['TSPARMCD']} has neither TSVAL nor TSVALNF", row["TSPARMCD"],
                    "TSVAL, TSVALNF, or derived: true")
        if has_value and row.get("TSVALNF"):
            ctx.add("spec.study-ts-value-and-nf", ["trial_summary", i],
                    f"TS {row['TSPARMCD']} has both TSVAL and TSVALNF", row["TSPARMCD"])
    for value in _duplicates(r["IETESTCD"] for r in study.inclusion_exclusion):
        ctx.add("spec.study-ti-duplicate", ["inclusion_exclusion"], f"IETESTCD {value} is declared twice", value)
    for path, text in convention_datetimes(study.conventions):
        if not is_iso_datetime(text):
            ctx.add("spec.convention-datetime", ["conventions", *path], f"{text!r} is not a date and time",
                    text, "an ISO 8601 date and time such as 2025-03-28T00:00:00")


# The conventions that hold a fixed timestamp (the XPT headers, the ODM export's CreationDateTime).
CONVENTION_DATETIMES: tuple[tuple[str, str], ...] = (
    ("xpt", "created"), ("xpt", "modified"), ("odm", "creation_datetime"))


def convention_datetimes(conventions: dict[str, Any]) -> list[tuple[tuple[str, str], str]]:
    """(path, text) of each timestamp of :data:`CONVENTION_DATETIMES` the conventions state."""
    found = []
    for block, key in CONVENTION_DATETIMES:
        section = conventions.get(block)
        if isinstance(section, dict) and isinstance(section.get(key), str):
            found.append(((block, key), section[key]))
    return found


def is_iso_datetime(text: str) -> bool:
    """True when ``datetime.fromisoformat`` (what the build reads the timestamp with) accepts ``text``.

    >>> is_iso_datetime("2025-03-28T00:00:00"), is_iso_datetime("2025-13-01T00:00:00"), is_iso_datetime("soon")
    (True, False, False)
    """
    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def raw_form_issues(form: RawForm, ctx: _Ctx) -> None:
    names = [c.name for c in form.columns]
    for value in _duplicates(names):
        ctx.add("spec.raw-column-duplicate", ["columns"], f"column {value} is declared twice", value)
    for j, key in enumerate(form.keys):
        if key not in names:
            ctx.add("spec.keys-unknown", ["keys", j], f"{key} is not a column of form {form.name}", key,
                    "a declared column")
    for role in ("study", "subject", "site", "visit"):
        target = getattr(form.odm, role)
        if target is not None and target not in names:
            ctx.add("spec.odm-column-unknown", ["odm", role], f"odm.{role} names {target}, not a column of "
                    f"form {form.name}", target, "a declared column")
    oids = [c.odm_item or f"IT.{form.name.upper()}.{c.name}" for c in form.columns]
    for value in _duplicates(oids):
        ctx.add("spec.odm-item-duplicate", ["columns"], f"ItemOID {value} is given to two columns", value)


def raw_visit_issues(form: RawForm, study: Study, ctx: _Ctx) -> None:
    """A form's CRF visits are study visits (their EDC folder) or the unscheduled folders."""
    folders = [v.edc_folder or v.visit for v in study.visits] + [UNSCHEDULED_FOLDER]
    for j, visit in enumerate(form.visits):
        if visit not in folders:
            ctx.add("spec.raw-visit-unknown", ["visits", j], f"form {form.name} is collected at {visit!r}, "
                    "which is no visit of study.yaml", visit, f"one of {', '.join(folders)}")


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------
def checkout_spec_root() -> Path | None:
    """``specs/`` of the source checkout this module runs from (src layout), None when installed.

    Installed, this file sits in ``site-packages/aclf_cdisc/spec/``: there is no ``src/`` folder
    with a ``pyproject.toml`` beside it, so no study's specs are guessed from the install.
    """
    src = Path(__file__).resolve().parents[2]
    checkout = src.parent
    if src.name == "src" and (checkout / "pyproject.toml").is_file() and (checkout / "specs" / "study.yaml").is_file():
        return checkout / "specs"
    return None


def locate_spec_root(explicit: Path | None = None, start: Path | None = None) -> tuple[Path, str]:
    """Where the specs are and how they were found: (folder, "--specs" | "$ACLF_SPECS" | "./specs" | "checkout").

    The order is :data:`aclf_cdisc.spec_search.SPECS_SEARCH`. A folder named by ``--specs`` or
    ``$ACLF_SPECS`` is used as
    given (checked later by :func:`check_spec`), never silently replaced by another.
    """
    if explicit is not None:
        return Path(explicit), "--specs"
    env = os.environ.get(SPECS_ENV)
    if env:
        return Path(env), f"${SPECS_ENV}"
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "specs" / "study.yaml").is_file():
            return folder / "specs", "./specs"
        if folder.name == "specs" and (folder / "study.yaml").is_file():
            return folder, "./specs"
    checkout = checkout_spec_root()
    if checkout is not None:
        return checkout, "checkout"
    raise SpecError(Issue(rule="spec.root-not-found",
                          message=f"no specs found (no --specs, ${SPECS_ENV} unset, no specs/study.yaml in "
                                  f"{here} or a parent). The study's specs do not ship with the program: "
                                  f"pass --specs DIR or set {SPECS_ENV}=DIR, DIR being the folder that "
                                  f"holds study.yaml (specs/ of the aclf-cdisc repository)",
                          file=str(here)))


def default_spec_root(start: Path | None = None) -> Path:
    """The ``specs/`` folder when no ``--specs`` is given (see :func:`locate_spec_root`)."""
    return locate_spec_root(None, start)[0]


def load_dataset_file(path: Path, *, root: Path | None = None) -> Dataset:
    """Load and check one dataset spec file on its own (no cross-file references checked)."""
    issues: list[Issue] = []
    doc = read_spec_file(Path(path), root, "dataset", issues)
    dataset = None
    if doc is not None:
        dataset = dataset_from_data(doc.data, doc.file)
        dataset_issues(dataset, _Ctx(doc, issues, dataset.name))
    raise_if_errors(issues, SpecError, f"{_display_name(Path(path), root)}: spec problems")
    assert dataset is not None
    return dataset


def load_raw_form_file(path: Path, *, root: Path | None = None) -> RawForm:
    """Load and check one raw form layout file."""
    issues: list[Issue] = []
    doc = read_spec_file(Path(path), root, "raw_form", issues)
    form = None
    if doc is not None:
        form = raw_form_from_data(doc.data)
        raw_form_issues(form, _Ctx(doc, issues))
    raise_if_errors(issues, SpecError, f"{_display_name(Path(path), root)}: spec problems")
    assert form is not None
    return form


def check_spec(root: Path) -> tuple[Spec | None, list[Issue]]:
    """Load everything under ``root`` and return (spec or None, every issue found).

    The spec is None when any file failed its schema or a required file is missing; cross-file
    checks run only on files that passed their schema, so one typo does not cascade.
    """
    root = Path(root)
    issues: list[Issue] = []
    if not root.is_dir():
        return None, [Issue(rule="spec.root-not-found", message=f"spec folder {root} does not exist",
                            file=str(root))]
    docs: dict[str, YamlDoc | None] = {}
    for filename, schema_name in STUDY_FILES.items():
        path = root / filename
        if not path.is_file():
            issues.append(Issue(rule="spec.file-missing", message=f"required spec file {filename} is missing",
                                file=_display_name(path, root)))
            docs[filename] = None
            continue
        docs[filename] = read_spec_file(path, root, schema_name, issues)

    raw_forms: dict[str, RawForm] = {}
    raw_docs: dict[str, YamlDoc] = {}
    raw_ok = True
    for path in sorted((root / RAW_FOLDER).glob("*.yaml")) if (root / RAW_FOLDER).is_dir() else []:
        doc = read_spec_file(path, root, "raw_form", issues)
        if doc is None:
            raw_ok = False
            continue
        form = raw_form_from_data(doc.data)
        ctx = _Ctx(doc, issues)
        raw_form_issues(form, ctx)
        if path.stem != form.name:
            ctx.add("spec.raw-file-name", ["form"], f"form {form.name} is declared in {path.name}",
                    path.name, f"{form.name}.yaml")
        if form.name in raw_forms:
            ctx.add("spec.raw-form-duplicate", ["form"], f"form {form.name} is declared twice", form.name)
        raw_forms[form.name] = form
        raw_docs[form.name] = doc

    datasets: dict[str, Dataset] = {}
    dataset_docs: dict[str, YamlDoc] = {}
    datasets_ok = True
    for folder, standard in DATASET_FOLDERS.items():
        folder_path = root / folder
        for path in sorted(folder_path.glob("*.yaml")) if folder_path.is_dir() else []:
            doc = read_spec_file(path, root, "dataset", issues)
            if doc is None:
                datasets_ok = False
                continue
            ds = dataset_from_data(doc.data, doc.file)
            ctx = _Ctx(doc, issues, ds.name)
            dataset_issues(ds, ctx)
            if ds.standard != standard:
                ctx.add("spec.dataset-folder", ["standard"], f"{ds.standard} dataset in the {folder}/ folder",
                        ds.standard, standard)
            if path.stem != ds.name.lower():
                ctx.add("spec.dataset-file-name", ["dataset"], f"dataset {ds.name} is declared in {path.name}",
                        path.name, f"{ds.name.lower()}.yaml")
            if ds.name in datasets:
                ctx.add("spec.dataset-duplicate", ["dataset"], f"dataset {ds.name} is declared twice", ds.name)
                continue
            datasets[ds.name] = ds
            dataset_docs[ds.name] = doc

    if any(doc is None for doc in docs.values()):
        return None, issues

    study_doc, cl_doc = docs["study.yaml"], docs["codelists.yaml"]
    mt_doc, cm_doc, dc_doc = docs["methods.yaml"], docs["comments.yaml"], docs["documents.yaml"]
    assert study_doc and cl_doc and mt_doc and cm_doc and dc_doc
    study = study_from_data(study_doc.data)
    study_issues(study, _Ctx(study_doc, issues))
    codelists = codelists_from_data(cl_doc.data)
    codelist_issues(codelists, _Ctx(cl_doc, issues))
    documents = [Document(oid=d["oid"], title=d["title"], href=d["href"]) for d in dc_doc.data["documents"]]
    _oid_table_issues("documents", documents, _Ctx(dc_doc, issues), None)
    doc_table = {d.oid: d for d in documents}
    methods = [Method(oid=m["oid"], name=m["name"], type=m["type"],
                      description=_with_conventions(m["description"], study, _Ctx(mt_doc, issues),
                                                    ["methods", i, "description"]),
                      document=m.get("document"), expression=m.get("expression"))
               for i, m in enumerate(mt_doc.data["methods"])]
    _oid_table_issues("methods", methods, _Ctx(mt_doc, issues), doc_table)
    comments = [Comment(oid=c["oid"], description=_with_conventions(c["description"], study, _Ctx(cm_doc, issues),
                                                                    ["comments", i, "description"]),
                        document=c.get("document"))
                for i, c in enumerate(cm_doc.data["comments"])]
    _oid_table_issues("comments", comments, _Ctx(cm_doc, issues), doc_table)

    spec = Spec(
        study=study, datasets=datasets, codelists={c.oid: c for c in codelists},
        methods={m.oid: m for m in methods}, comments={c.oid: c for c in comments}, documents=doc_table,
        raw_forms=raw_forms if raw_ok else {}, root=str(root),
    )
    for name, ds in datasets.items():
        dataset_reference_issues(ds, _Ctx(dataset_docs[name], issues, name), spec)
    builders = _map_inputs() if any(ds.standard == "SDTM" for ds in datasets.values()) else {}
    for name, inputs in builders.items():
        if name in datasets:
            builder_map_issues(datasets[name], inputs, spec, _Ctx(dataset_docs[name], issues, name))
    for name, form in raw_forms.items():
        raw_visit_issues(form, study, _Ctx(raw_docs[name], issues))
    if (root / ANALYSIS_FILE).is_file():
        from aclf_cdisc.spec.analysis import read_analysis  # it reads its file through this module

        issues.extend(read_analysis(root / ANALYSIS_FILE, spec, references=datasets_ok)[1])
    if any(i.severity == "error" for i in issues):
        return None, issues
    return spec, issues


def _with_conventions(text: str, study: Study, ctx: _Ctx, path: list[str | int]) -> str:
    """A method/comment text with its ``{{ path }}`` placeholders filled from study.yaml conventions."""
    for name in placeholders(text):
        try:
            convention_value(study.conventions, name)
        except KeyError:
            ctx.add("spec.convention-unknown", path, f"the text quotes {{{{ {name} }}}}, which is not a "
                    "key of conventions in study.yaml", name, "a dotted path into conventions")
            return text
    return render_conventions(text, study.conventions)


def load_conventions(root: Path | None = None) -> dict[str, Any]:
    """The ``conventions`` of ``study.yaml`` alone, schema-checked (SpecError otherwise).

    For examples and tools that need a convention but not the whole spec; a build reads them
    from :func:`load_spec` (``spec.study.conventions``), which checks every file.
    """
    root = Path(root) if root is not None else default_spec_root()
    issues: list[Issue] = []
    doc = read_spec_file(root / "study.yaml", root, "study", issues)
    raise_if_errors(issues, SpecError, f"{root / 'study.yaml'} has problems")
    assert doc is not None
    return dict(doc.data.get("conventions") or {})


def load_spec(root: Path | None = None) -> Spec:
    """Load and check the whole spec; raise :class:`SpecError` listing every problem found."""
    from aclf_cdisc.spec.cache import read_cached, spec_fingerprint, write_cached

    root = Path(root) if root is not None else default_spec_root()
    key = spec_fingerprint(root) if root.is_dir() else None
    cached = read_cached(key, root) if key else None
    if cached is not None:
        return cached
    spec, issues = check_spec(root)
    raise_if_errors(issues, SpecError, f"the spec in {root} has problems")
    assert spec is not None
    if key:
        write_cached(key, spec)
    return spec
