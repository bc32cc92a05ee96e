"""ACLF-LB-02: a study's standardized units (--STRESU) come from one system of units.

A unit per deciliter (mg/dL, g/dL, ug/dL) is a conventional unit; a molar unit per litre (umol/L,
mmol/L, nmol/L, ...) or g/L is an SI unit; every other unit (U/L, %, RATIO, 10^9/L) belongs to
both. The study's system is the one its spec states (study.yaml ``conventions.lab_unit_system``:
SI or CONVENTIONAL), else the one most standardized results of the dataset use (ties: SI, the
system the FDA Study Data Technical Conformance Guide supports). One finding per test code and unit
of the other system, on its first record.
"""

from __future__ import annotations

import re

import numpy as np

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import datasets_of, distinct_results
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec

SI, CONVENTIONAL = "SI", "CONVENTIONAL"
_CONVENTIONAL = re.compile(r"/\s*dl$", re.IGNORECASE)
_SI = re.compile(r"^([munpf]?|µ|μ)(mol|g)/\s*l$", re.IGNORECASE)


def unit_system(unit: object) -> str | None:
    """SI, CONVENTIONAL or None (a unit both systems use) for one unit text.

    >>> [unit_system(u) for u in ("mg/dL", "umol/L", "g/L", "mmol/L", "U/L", "%", None)]
    ['CONVENTIONAL', 'SI', 'SI', 'SI', None, None, None]
    """
    if not isinstance(unit, str):
        return None
    text = unit.strip()
    if _CONVENTIONAL.search(text):
        return CONVENTIONAL
    return SI if _SI.match(text) else None


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    stated = spec.study.conventions.get("lab_unit_system") if spec.study.conventions else None
    issues = []
    for name, frame in datasets_of(datasets, spec, "SDTM", reads=lambda c: c.endswith(("STRESU", "TESTCD"))):
        prefix = name[:2]
        unit_var, test_var = f"{prefix}STRESU", f"{prefix}TESTCD"
        if unit_var not in frame.columns:
            continue
        systems = distinct_results(frame[unit_var], unit_system, missing=None)  # once per distinct unit
        counts = {s: int(n) for s in (SI, CONVENTIONAL) if (n := np.count_nonzero(systems == s))}
        if stated in (SI, CONVENTIONAL):
            expected = str(stated)
        elif len(counts) > 1:
            expected = SI if counts[SI] >= counts[CONVENTIONAL] else CONVENTIONAL
        else:
            continue
        units = frame[unit_var].to_numpy(dtype=object)
        tests = frame[test_var].to_numpy(dtype=object) if test_var in frame.columns else np.full(len(frame), None)
        seen: set[tuple[object, object]] = set()
        for pos in np.flatnonzero((systems != expected) & (systems != None)).tolist():  # noqa: E711
            system, unit, test = systems[pos], units[pos], tests[pos]
            if (test, unit) in seen:
                continue
            seen.add((test, unit))
            issues.append(rule.issue(
                f"{unit_var} {unit!r} of {test} is a {system.lower()} unit; the study's standard units are "
                f"{expected} units", dataset=name, row=pos + 1, column=unit_var, value=unit,
                expected=f"a unit of the {expected} system for every {unit_var}"))
    return issues
