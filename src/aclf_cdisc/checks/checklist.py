"""Which checks count, and how severely: a checklist, chosen once at the start of a build.

Two presets:

``final``  every rule at its registry severity (what the submission build uses);
``draft``  the same, but errors become warnings while datasets are being built, except the FDA
           gates (a package failing them is rejected before anyone reads it: TRC 1734/1736, see
           :data:`FDA_GATES`), which stay errors.

A YAML checklist starts from a preset and adjusts it::

    preset: draft            # draft | final (default final)
    skip: [SD1082, "schema.column_ordered"]
    only: ["SD*", "CT*"]     # if given, every other code is dropped
    severity:                # error | warning | note | none (none drops the finding)
      SD0057: note
      "schema.*": warning

Codes are rule IDs from the registry (``SD0003``) or other issue codes (``schema.isin``,
``define.*``); ``*`` and ``?`` match as in shell patterns. A plain ID that is neither a registered
rule nor a dotted code is refused, so a typo cannot silently switch a check off. An explicit
``severity`` entry wins over the draft downgrade; the most specific pattern (fewest wildcards, then
longest) wins among several.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Literal, cast

import yaml

from aclf_cdisc.checks.rule import Rule
from aclf_cdisc.checks.rules import RULES, RULES_BY_ID
from aclf_cdisc.errors import SEVERITIES, AclfError, Issue, Severity

SeverityOverride = Literal["error", "warning", "note", "none"]
OVERRIDES: tuple[str, ...] = (*SEVERITIES, "none")
# FDA gates (standards.md): TS with SSTDTC, DM and define.xml for SDTM, ADSL and define.xml for ADaM.
FDA_GATES: frozenset[str] = frozenset({"SD1115", "SD2232", "SD2247", "SD2247A", "SD1020", "DD0101", "AD0001"})
PRESETS = ("draft", "final")
KEYS = ("preset", "skip", "only", "severity")


@dataclass(frozen=True)
class Checklist:
    name: str = "final"
    skip: tuple[str, ...] = ()
    only: tuple[str, ...] | None = None
    severity: Mapping[str, SeverityOverride] = field(default_factory=dict)
    downgrade_errors: bool = False
    gates: frozenset[str] = FDA_GATES

    def selects(self, code: str) -> bool:
        """Whether findings with this code are kept at all (``skip``/``only``)."""
        if any(fnmatchcase(code, pattern) for pattern in self.skip):
            return False
        return self.only is None or any(fnmatchcase(code, pattern) for pattern in self.only)

    def severity_for(self, code: str, severity: Severity) -> SeverityOverride:
        """The severity a finding ends with ("none": dropped)."""
        matches = [p for p in self.severity if fnmatchcase(code, p)]
        if matches:
            best = min(matches, key=lambda p: (p.count("*") + p.count("?"), -len(p), p))
            return self.severity[best]
        if self.downgrade_errors and severity == "error" and code not in self.gates:
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
    raise _invalid(f"{code} is not a registered rule", file=file, column=key, value=code,
                   expected="a rule ID from the registry, a dotted code (schema.isin) or a pattern (SD*)")


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
                       expected="{code: error|warning|note|none}")
    for code, level in raw.items():
        _check_code(str(code), "severity", file)
        if level not in OVERRIDES:
            raise _invalid(f"severity of {code} must be one of {', '.join(OVERRIDES)}", file=file,
                           column="severity", row=str(code), value=level, expected=" | ".join(OVERRIDES))
        overrides[str(code)] = cast(SeverityOverride, level)
    return replace(base, skip=skip, only=only, severity=overrides)


def load_checklist(source: str | Path) -> Checklist:
    """A preset name (``draft``/``final``) or the path of a YAML checklist."""
    if isinstance(source, str) and source in PRESETS:
        return preset(source)
    path = Path(source)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise _invalid(f"cannot read checklist: {exc}", file=str(path)) from exc
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
