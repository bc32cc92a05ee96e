"""The rule catalogue (catalogue.yaml, package data) and the checklists that set each rule's severity.

The catalogue is the single list of rules: each entry names its module under
:mod:`aclf_cdisc.checks.rules`, whose ``check`` function implements it. :data:`RULES` holds them in
catalogue (report) order.

A checklist says which rules count and how severely. Two presets:

``final``  every rule at its catalogue severity (what the submission build uses);
``draft``  the same, but errors become warnings while datasets are being built, except the FDA
           rejection gates (``gate: true`` in the catalogue), which stay errors.

A YAML checklist file starts from a preset and adjusts it::

    preset: draft            # draft | final (default final)
    skip: [SD1082, "schema.column_ordered"]
    only: ["SD*", "CT*"]     # if given, every other code is dropped
    severity:                # error | warning | notice (or note) | none (none drops the finding)
      SD0057: notice
      "schema.*": warning

Codes are rule IDs from the catalogue (``SD0003``) or other issue codes (``schema.isin``,
``define.*``); ``*`` and ``?`` match as in shell patterns. A plain ID that is neither a catalogued
rule nor a dotted code is refused, so a typo cannot silently switch a check off. An explicit
``severity`` entry wins over the draft downgrade (except that a gate can never be set below error);
the most specific pattern (fewest wildcards, then longest) wins among several.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, cast

import yaml

from aclf_cdisc.checks.rule import Rule
from aclf_cdisc.errors import SEVERITIES, AclfError, Issue, Severity, undecodable_at
from aclf_cdisc.spec.yamlio import read_yaml

CATALOGUE_FILE = "catalogue.yaml"
ENTRY_KEYS = frozenset({"id", "module", "standard", "severity", "gate", "scope", "context", "category", "title",
                        "description", "ig", "p21", "cdisc", "core", "fda", "notes"})
REQUIRED_KEYS = ("id", "module", "standard", "severity", "title", "description", "ig")

SeverityOverride = Literal["error", "warning", "note", "none"]
OVERRIDES: tuple[str, ...] = (*SEVERITIES, "none")
ALIASES = {"notice": "note"}  # Pinnacle 21 says Notice; an Issue says note
PRESETS = ("draft", "final")
KEYS = ("preset", "skip", "only", "severity")


# --------------------------------------------------------------------------------------------
# the catalogue
# --------------------------------------------------------------------------------------------
def _catalogue_error(message: str, **where: Any) -> AclfError:
    return AclfError(Issue(rule="checks.catalogue-invalid", message=message, file=CATALOGUE_FILE, **where))


def rule_from_entry(entry: Mapping[str, Any]) -> Rule:
    """A Rule from one catalogue entry, its ``check`` imported from the module the entry names."""
    unknown = sorted(set(entry) - ENTRY_KEYS)
    missing = [k for k in REQUIRED_KEYS if not entry.get(k)]
    if unknown or missing:
        raise _catalogue_error(f"entry {entry.get('id')!r}: " + (f"unknown key {unknown[0]!r}" if unknown
                                                                  else f"missing {missing[0]!r}"),
                               row=str(entry.get("id")))
    if entry["severity"] not in SEVERITIES:
        raise _catalogue_error(f"entry {entry['id']}: severity must be one of {', '.join(SEVERITIES)}",
                               row=entry["id"], value=entry["severity"])
    module = importlib.import_module(f"aclf_cdisc.checks.rules.{entry['module']}")
    return Rule(
        id=entry["id"], title=entry["title"], severity=entry["severity"], standard=entry["standard"],
        check=module.check, module=entry["module"], category=entry.get("category", ""),
        description=entry["description"], ig=entry["ig"], p21=tuple(entry.get("p21", ())),
        cdisc=tuple(entry.get("cdisc", ())), core=tuple(entry.get("core", ())), fda=tuple(entry.get("fda", ())),
        gate=bool(entry.get("gate", False)), scope=entry.get("scope", "standard"),
        needs_context=bool(entry.get("context", False)), notes=entry.get("notes", ""),
    )


@cache
def load_catalogue() -> tuple[Rule, ...]:
    """Every rule of the shipped catalogue, in report order (IDs and modules each used once)."""
    text = resources.files("aclf_cdisc.checks").joinpath(CATALOGUE_FILE).read_text(encoding="utf-8")
    entries = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # libyaml: 8x faster
    rules = tuple(rule_from_entry(entry) for entry in entries)
    for what in ("id", "module"):
        seen: set[str] = set()
        for rule in rules:
            key = getattr(rule, what)
            if key in seen:
                raise _catalogue_error(f"{what} {key} is catalogued twice", row=key)
            seen.add(key)
    return rules


RULES: tuple[Rule, ...] = load_catalogue()
RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}
RULES_BY_MODULE: dict[str, Rule] = {rule.module: rule for rule in RULES}
GATES: frozenset[str] = frozenset(rule.id for rule in RULES if rule.gate)


def rule_of(module: Any) -> Rule:
    """The catalogued rule a rule module implements (``rule_of(sd0005_duplicate_seq)``)."""
    return RULES_BY_MODULE[module.__name__.rsplit(".", 1)[-1]]


# --------------------------------------------------------------------------------------------
# checklists
# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Checklist:
    name: str = "final"
    skip: tuple[str, ...] = ()
    only: tuple[str, ...] | None = None
    severity: Mapping[str, SeverityOverride] = field(default_factory=dict)
    downgrade_errors: bool = False
    gates: frozenset[str] = GATES

    def selects(self, code: str) -> bool:
        """Whether findings with this code are kept at all (``skip``/``only``); gates always are."""
        if code in self.gates:
            return True
        if any(fnmatchcase(code, pattern) for pattern in self.skip):
            return False
        return self.only is None or any(fnmatchcase(code, pattern) for pattern in self.only)

    def severity_for(self, code: str, severity: Severity) -> SeverityOverride:
        """The severity a finding ends with ("none": dropped). A gate is an error under every checklist."""
        if code in self.gates:
            return "error"
        matches = [p for p in self.severity if fnmatchcase(code, p)]
        if matches:
            best = min(matches, key=lambda p: (p.count("*") + p.count("?"), -len(p), p))
            return self.severity[best]
        if self.downgrade_errors and severity == "error":
            return "warning"
        return severity


def preset(name: str, *, file: str | None = None) -> Checklist:
    if name == "final":
        return Checklist("final")
    if name == "draft":
        return Checklist("draft", downgrade_errors=True)
    raise _invalid(f"unknown preset {name!r}", file=file, column="preset", value=name,
                   expected=" or ".join(PRESETS))


def _invalid(message: str, *, file: str | None = None, **where: Any) -> AclfError:
    return AclfError(Issue(rule="checklist.invalid", message=message, file=file, **where))


def _codes(value: Any, key: str, file: str | None) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _invalid(f"{key} must be a list of codes", file=file, column=key, value=value,
                       expected="a list of rule IDs or code patterns")
    for code in value:
        _check_code(code, key, file)
    return tuple(value)


def _check_code(code: str, key: str, file: str | None) -> None:
    if "*" in code or "?" in code or "." in code or code in RULES_BY_ID:
        return
    raise _invalid(f"{code} is not a catalogued rule", file=file, column=key, value=code,
                   expected="a rule ID from the catalogue, a dotted code (schema.isin) or a pattern (SD*)")


def checklist_from_mapping(data: Mapping[str, Any] | None, *, file: str | None = None) -> Checklist:
    """A checklist from its YAML content (already parsed)."""
    data = dict(data or {})
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise _invalid(f"unknown checklist key {unknown[0]!r}", file=file, column=unknown[0],
                       expected="one of " + ", ".join(KEYS))
    base = preset(str(data.get("preset", "final")), file=file)
    skip = _codes(data["skip"], "skip", file) if "skip" in data else base.skip
    only = _codes(data["only"], "only", file) if data.get("only") is not None else base.only
    overrides: dict[str, SeverityOverride] = dict(base.severity)
    raw = data.get("severity") or {}
    if not isinstance(raw, Mapping):
        raise _invalid("severity must map codes to severities", file=file, column="severity", value=raw,
                       expected="{code: error|warning|notice|none}")
    for code, level in raw.items():
        _check_code(str(code), "severity", file)
        level = ALIASES.get(level, level)
        if level not in OVERRIDES:
            raise _invalid(f"severity of {code} must be one of error, warning, notice, none", file=file,
                           column="severity", row=str(code), value=level, expected="error | warning | notice | none")
        overrides[str(code)] = cast(SeverityOverride, level)
    return replace(base, name=Path(file).name if file else base.name, skip=skip, only=only, severity=overrides)


def load_checklist(source: str | Path) -> Checklist:
    """A preset name (``draft``/``final``) or the path of a YAML checklist."""
    if isinstance(source, str) and source in PRESETS:
        return preset(source)
    path = Path(source)
    try:
        data = read_yaml(path).data  # the spec files' reader: libyaml's nesting limit, keys once, aliases bounded
    except OSError as exc:
        raise _invalid(f"cannot read checklist: {exc}", file=str(path)) from exc
    except UnicodeDecodeError as exc:
        line, byte = undecodable_at(exc)
        raise _invalid(f"the checklist is not UTF-8 text: {byte}", file=str(path), row=line,
                       expected="UTF-8 text (save the file as UTF-8)") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise _invalid(f"the checklist is not valid YAML: {' '.join(str(exc).split())}", file=str(path),
                       row=mark.line + 1 if mark is not None else None) from exc
    if data is not None and not isinstance(data, Mapping):
        raise _invalid("a checklist is a mapping", file=str(path), expected="preset/skip/only/severity keys")
    return checklist_from_mapping(data, file=str(path))


def select_rules(checklist: Checklist, rules: Iterable[Rule] = RULES) -> tuple[Rule, ...]:
    """The rules worth running under the checklist (skipped ones, or ones set to ``none``, are not run)."""
    return tuple(r for r in rules
                 if checklist.selects(r.id) and checklist.severity_for(r.id, r.severity) != "none")


def apply_checklist(issues: Iterable[Issue], checklist: Checklist) -> list[Issue]:
    """Drop the findings the checklist skips and give the rest their checklist severity (order kept)."""
    kept: list[Issue] = []
    for issue in issues:
        if not checklist.selects(issue.rule):
            continue
        level = checklist.severity_for(issue.rule, issue.severity)
        if level == "none":
            continue
        kept.append(issue if level == issue.severity else replace(issue, severity=cast(Severity, level)))
    return kept
