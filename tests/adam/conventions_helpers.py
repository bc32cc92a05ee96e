"""The study's analysis conventions (specs/study.yaml), typed, for the score and unit tests."""

from __future__ import annotations

from pathlib import Path

from aclf_cdisc.spec import load_spec
from aclf_cdisc.spec.conventions import ctp_convention, lab_units, meld_convention, meld_na_convention

CONVENTIONS = load_spec(Path(__file__).resolve().parents[2] / "specs").study.conventions
MELD_CONV = meld_convention(CONVENTIONS)
MELD_NA_CONV = meld_na_convention(CONVENTIONS)
CTP_CONV = ctp_convention(CONVENTIONS)
LAB_UNITS = lab_units(CONVENTIONS)
