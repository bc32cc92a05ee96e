"""Typed views of the analysis conventions in ``specs/study.yaml`` (``conventions:``).

The conventions are data: the score formulas (MELD, MELD-Na, Child-Turcotte-Pugh) and the unit
conversions read their cut-offs, coefficients and factors from these objects, which are built
from the spec and nothing else. The JSON Schema (``study.schema.json``) fixes their shape, so
the accessors here only convert types.

Method and comment texts may quote a convention with a ``{{ path }}`` placeholder (dotted keys,
integer list positions, e.g. ``{{ ctp.albumin_gl.middle_band.0 }}``); :func:`render_conventions`
fills them in when the spec is loaded, so the define states the values the code used.

Example::

    >>> from aclf_cdisc.spec import load_conventions
    >>> ctp = ctp_convention(load_conventions())
    >>> ctp.bands["ALB"].middle
    (28.0, 35.0)
    >>> render_conventions("albumin {{ ctp.albumin_gl.middle_band.0 }}-{{ ctp.albumin_gl.middle_band.1 }} g/L",
    ...                    {"ctp": {"albumin_gl": {"middle_band": [30, 35]}}})
    'albumin 30-35 g/L'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aclf_cdisc.errors import Issue, SpecError

PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_./\-]+)\s*\}\}")

#: CTP lab components (compute_ctp_points codes) -> their key in ``conventions.ctp``.
CTP_LAB_KEYS = {"TBIL": "bili_mgdl", "ALB": "albumin_gl", "INR": "inr"}
#: CTP clinical components (compute_ctp_points codes) -> their grade map in ``conventions.ctp``.
CTP_GRADE_KEYS = {"ASCITES": "ascites", "HE": "encephalopathy"}


@dataclass(frozen=True)
class MeldConvention:
    """UNOS MELD: multiplier x (creat ln Cr + bili ln TBIL + inr ln INR + constant), bounded."""

    creat: float
    bili: float
    inr: float
    constant: float
    multiplier: float
    lab_floor: float
    creat_cap: float
    dialysis_sets_creat_to_cap: bool
    low: float
    high: float


@dataclass(frozen=True)
class MeldNaConvention:
    """OPTN MELD-Na: MELD + sodium (high - Na) - meld_sodium MELD (high - Na) when MELD > threshold."""

    applies_if_meld_above: float
    sodium: float
    meld_sodium: float
    sodium_low: float
    sodium_high: float
    cap: float


@dataclass(frozen=True)
class CtpBand:
    """One CTP lab: the closed middle band scores 2; ``worse`` says which side scores 3."""

    middle: tuple[float, float]
    worse: str  # "higher" | "lower"


@dataclass(frozen=True)
class CtpConvention:
    bands: dict[str, CtpBand]  # TBIL, ALB, INR
    classes: dict[str, tuple[int, int]]  # class -> [low, high] score, inclusive
    grades: dict[str, dict[str, int]]  # ASCITES, HE -> {grade (see grade_key): points}


def grade_key(value: str) -> str:
    """A grade as the CTP grade maps compare it: trimmed, upper case, inner spaces collapsed.

    >>> grade_key("  grade   1 ")
    'GRADE 1'
    """
    return " ".join(str(value).strip().upper().split())


def _pair(value: Any) -> tuple[float, float]:
    low, high = value
    return float(low), float(high)


def meld_convention(conventions: Mapping[str, Any]) -> MeldConvention:
    meld = conventions["meld"]
    coef = meld["coefficients"]
    low, high = _pair(meld["bounds"])
    return MeldConvention(creat=float(coef["creat"]), bili=float(coef["bili"]), inr=float(coef["inr"]),
                          constant=float(coef["constant"]), multiplier=float(coef["multiplier"]),
                          lab_floor=float(meld["lab_floor"]), creat_cap=float(meld["creat_cap"]),
                          dialysis_sets_creat_to_cap=bool(meld["dialysis_sets_creat_to_cap"]),
                          low=low, high=high)


def meld_na_convention(conventions: Mapping[str, Any]) -> MeldNaConvention:
    meld_na = conventions["meld_na"]
    low, high = _pair(meld_na["sodium_bounds"])
    return MeldNaConvention(applies_if_meld_above=float(meld_na["applies_if_meld_above"]),
                            sodium=float(meld_na["coefficients"]["sodium"]),
                            meld_sodium=float(meld_na["coefficients"]["meld_sodium"]),
                            sodium_low=low, sodium_high=high, cap=float(meld_na["cap"]))


def ctp_convention(conventions: Mapping[str, Any]) -> CtpConvention:
    ctp = conventions["ctp"]
    bands = {code: CtpBand(middle=_pair(ctp[key]["middle_band"]), worse=str(ctp[key]["worse"]))
             for code, key in CTP_LAB_KEYS.items()}
    classes = {str(name): (int(low), int(high)) for name, (low, high) in ctp["classes"].items()}
    grades = {code: {grade_key(grade): int(points) for grade, points in ctp[key].items()}
              for code, key in CTP_GRADE_KEYS.items()}
    return CtpConvention(bands=bands, classes=classes, grades=grades)


def required_convention(conventions: Mapping[str, Any], key: str) -> Any:
    """``conventions[key]``; a SpecError naming specs/study.yaml when the study does not state it."""
    if key not in conventions:
        raise SpecError([Issue(rule="spec.convention-missing", file="specs/study.yaml", column=f"conventions.{key}",
                               message=f"study.yaml conventions has no {key}; the derivations read it",
                               expected=f"conventions.{key} (see docs/spec-format.md)")])
    return conventions[key]


def lab_units(conventions: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """``conventions.lab_units``: LBTESTCD -> {standard: unit, from: {original unit: factor}}."""
    return {str(k): dict(v) for k, v in conventions["lab_units"].items()}


def convention_value(conventions: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted ``path`` (integer parts index lists); KeyError when absent."""
    value: Any = conventions
    for part in path.split("."):
        if isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, Mapping) and part in value:
            value = value[part]
        else:
            raise KeyError(path)
    return value


def render_conventions(text: str, conventions: Mapping[str, Any]) -> str:
    """``text`` with every ``{{ path }}`` replaced by the convention's value (KeyError when unknown)."""
    return PLACEHOLDER.sub(lambda m: _text(convention_value(conventions, m.group(1))), text)


def placeholders(text: str) -> list[str]:
    return PLACEHOLDER.findall(text)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping):  # a grade map: "absent = 1, slight = 2, moderate = 3"
        return ", ".join(f"{k} = {_text(v)}" for k, v in value.items())
    if isinstance(value, list):  # a pair is a range (bounds [6, 40] -> 6..40), longer lists are listed
        return "..".join(_text(v) for v in value) if len(value) == 2 else ", ".join(_text(v) for v in value)
    return str(value)
