"""analysis.yaml is checked with the other spec files: spec check and the build report the same Issue."""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from aclf_cdisc.errors import SpecError
from aclf_cdisc.spec import check_spec
from aclf_cdisc.spec.analysis import load_analysis_spec
from aclf_cdisc.spec.model import Spec


@pytest.fixture
def full_specs(tmp_path: Path, repo_root: Path) -> Path:
    root = tmp_path / "specs"
    shutil.copytree(repo_root / "specs", root)
    return root


def _break_analysis(root: Path, old: str, new: str) -> int:
    """Replace ``old`` in analysis.yaml; the line of the replacement."""
    path = root / "analysis.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in analysis.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text[:text.index(old)].count("\n") + 1


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("cox_ties: efron", "cox_ties: breslow", ("spec.schema.const", "settings.cox_ties", "breslow")),
    ("km_timepoints_days: [28, 84, 168]", "km_timepoints_days: [28, -84]",
     ("spec.schema.minimum", "settings.km_timepoints_days[1]", -84)),
    ("lab_parameters: [MELD, CTP, TBIL, INR, ALB]", "lab_parameters: [MELD, CTP, TBILI]",
     ("spec.analysis-parameter-unknown", "settings.lab_parameters[2]", "TBILI")),
    ("{paramcd: OS,", "{paramcd: DEATH,", ("spec.analysis-parameter-unknown", "survival[2].paramcd", "DEATH")),
])
def test_01_spec_check_reports_what_the_build_would(full_specs: Path, repo_root: Path, old: str, new: str,
                                                     expected: tuple[str, str, object]) -> None:
    line = _break_analysis(full_specs, old, new)
    rule, column, value = expected
    spec, issues = check_spec(full_specs)
    assert spec is None
    assert [(i.rule, i.file, i.row, i.column, i.value) for i in issues] == [
        (rule, "specs/analysis.yaml", line, column, value)]
    good, _ = check_spec(repo_root / "specs")  # the build reads analysis.yaml of a spec loaded before
    assert isinstance(good, Spec)
    with pytest.raises(SpecError) as info:
        load_analysis_spec(dataclasses.replace(good, root=str(full_specs)))
    assert [(i.rule, i.file, i.row, i.column, i.value) for i in info.value.issues] == [
        (rule, "specs/analysis.yaml", line, column, value)]


def test_02_a_broken_dataset_spec_is_not_reported_again_through_analysis_yaml(full_specs: Path) -> None:
    adsl = full_specs / "adam" / "adsl.yaml"
    adsl.write_text(adsl.read_text(encoding="utf-8").replace("standard: ADaM", "standard: 7", 1), encoding="utf-8")
    _spec, issues = check_spec(full_specs)
    assert {i.file for i in issues} == {"specs/adam/adsl.yaml"}
