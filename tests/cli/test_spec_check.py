"""What spec check passes, build can read: a spec error stops both with exit 1 and the same located line."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .helpers import SPECS, debris, one_error_line, run_cli

# (file under specs/, text in it, its replacement, the Issue as rendered after "[error] ")
BROKEN = {
    "xpt-created-not-a-datetime": (
        "study.yaml", 'created: "2025-03-28T00:00:00"', 'created: "not a date"',
        "spec.convention-datetime: conventions.xpt.created: 'not a date' is not a date and time "
        "(file=specs/study.yaml, row={line}, column=conventions.xpt.created); value='not a date'; "
        "expected an ISO 8601 date and time such as 2025-03-28T00:00:00"),
    "analysis-schema": (
        "analysis.yaml", "cox_ties: efron", "cox_ties: breslow",
        "spec.schema.const: settings.cox_ties: 'efron' was expected (file=specs/analysis.yaml, row={line}, "
        "column=settings.cox_ties); value='breslow'; expected 'efron'"),
    "lab-parameter-unknown": (
        "analysis.yaml", "lab_parameters: [MELD, CTP, TBIL, INR, ALB]", "lab_parameters: [FOO]",
        "spec.analysis-parameter-unknown: settings.lab_parameters[0]: parameter FOO is not defined for ADLB "
        "(file=specs/analysis.yaml, row={line}, column=settings.lab_parameters[0]); value='FOO'; "
        "expected a PARAMCD of ADLB: ALB, BUN, CREAT, CTP, INR, MELD, MELDNA, SODIUM, TBIL"),
    "map-function-unknown": (
        "sdtm/ae.yaml", "function: derive_aeentpt", "function: derive_nothing",
        "spec.map-function-unknown: variables[36].map.function: AEENTPT maps by derivation derive_nothing, which "
        "the AE builder does not have (file=specs/sdtm/ae.yaml, dataset=AE, row={line}, "
        "column=variables[36].map.function); value='derive_nothing'; expected one of derive_aebdsycd, "
        "derive_aebodsys, derive_aeenrtpt, derive_aeentpt, derive_studyid, derive_usubjid"),
    "map-source-of-another-form": (
        "sdtm/ae.yaml", "source: ae.AEGRPID", "source: lb.LBORRES",
        "spec.map-source-not-read: variables[4].map.source: AEGRPID maps from lb.LBORRES, a column of a form the "
        "AE builder does not read (file=specs/sdtm/ae.yaml, dataset=AE, row={line}, column=variables[4].map.source); "
        "value='lb.LBORRES'; expected a column of what AE is built from: form ae"),
}


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if needle in line)


@pytest.fixture
def broken_specs(tmp_path: Path, request: pytest.FixtureRequest) -> tuple[Path, str]:
    """A copy of the specs with one breakage of :data:`BROKEN`, and the error line it must give."""
    file, old, new, rendered = BROKEN[request.param]
    specs = tmp_path / "specs"
    shutil.copytree(SPECS, specs)
    path = specs / file
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {file}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return specs, "[error] " + rendered.format(line=_line_of(path, new.split("\n")[-1]))


@pytest.mark.parametrize("broken_specs", sorted(BROKEN), indirect=True)
def test_01_spec_check_and_build_stop_on_the_same_line(broken_specs: tuple[Path, str], tmp_path: Path) -> None:
    specs, line = broken_specs
    checked = run_cli("spec", "check", "--specs", specs)
    assert checked.returncode == 1
    assert checked.stderr.splitlines()[0] == line
    assert checked.stderr.splitlines()[1:] == [f"spec check: {specs}: 1 error(s), 0 warning(s)"]
    out = tmp_path / "out"
    built = run_cli("build", "--specs", specs, "--out", out)
    assert built.returncode == 1
    assert one_error_line(built.stderr) == f"aclf-cdisc build: {line}"
    assert not out.exists() and debris(out) == []
