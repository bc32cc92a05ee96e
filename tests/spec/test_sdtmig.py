"""Every SDTM dataset spec against the SDTMIG 3.4 variable metadata (CDISC Library export).

Generic: it covers whatever specs/sdtm/*.yaml exist, so datasets added later are checked too.
Deviations from the IG must be listed here, with the reason, or the test fails.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import pytest

from aclf_cdisc.spec import load_dataset_file
from aclf_cdisc.spec.model import Dataset

REPO_SPECS = Path(__file__).resolve().parents[2] / "specs"
SDTM_FILES = sorted((REPO_SPECS / "sdtm").glob("*.yaml")) if (REPO_SPECS / "sdtm").is_dir() else []

# SUPP-- datasets follow the SUPPQUAL structure.
IG_DATASET_ALIASES = {"SUPP": "SUPPQUAL"}
# Datasets that are not in the IG (custom domains): name -> reason. None for this study.
CUSTOM_DATASETS: dict[str, str] = {}
# Expected IG variables deliberately left out: (dataset, variable) -> reason.
EXPECTED_NOT_USED: dict[tuple[str, str], str] = {}
# Variables not in the IG for that dataset but allowed there: (dataset, variable) -> reason.
# SDTM v2.0 timing variables of the general observation classes may be added to any
# general-observation domain (SDTMIG 3.4 section 2.7), so they need no SUPP--.
_VISIT_TIMING = "SDTM general-class timing variable (SDTMIG 3.4 2.7): the infusion log is visit-based"
NON_IG_VARIABLES: dict[tuple[str, str], str] = {
    ("EX", "VISITNUM"): _VISIT_TIMING,
    ("EX", "VISIT"): _VISIT_TIMING,
    ("EC", "VISITNUM"): _VISIT_TIMING,
    ("EC", "VISIT"): _VISIT_TIMING,
}


@dataclass(frozen=True)
class IgVariable:
    order: int
    name: str
    label: str
    type: str  # Char | Num
    core: str  # Req | Exp | Perm


def read_ig(path: Path) -> dict[str, list[IgVariable]]:
    by_dataset: dict[str, list[IgVariable]] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            by_dataset.setdefault(row["Dataset Name"], []).append(IgVariable(
                order=int(row["Variable Order"]), name=row["Variable Name"], label=row["Variable Label"],
                type=row["Type"], core=row["Core"]))
    for variables in by_dataset.values():
        variables.sort(key=lambda v: v.order)
    return by_dataset


def ig_dataset_name(ds: Dataset) -> str:
    if ds.name.startswith("SUPP") and ds.name != "SUPPQUAL":
        return IG_DATASET_ALIASES["SUPP"]
    return ds.name


def compare_with_ig(ds: Dataset, ig: dict[str, list[IgVariable]]) -> list[str]:
    """Every disagreement between a dataset spec and the IG, as readable lines (empty = conforms)."""
    name = ig_dataset_name(ds)
    if name not in ig:
        if ds.name in CUSTOM_DATASETS:
            return []
        return [f"{ds.name}: not an SDTMIG 3.4 dataset (list it in CUSTOM_DATASETS)"]
    problems: list[str] = []
    ig_vars = {v.name: v for v in ig[name]}
    spec_names = list(ds.variable_names)
    for ig_var in ig[name]:
        if ig_var.core in ("Req", "Exp") and ig_var.name not in spec_names \
                and (ds.name, ig_var.name) not in EXPECTED_NOT_USED:
            problems.append(f"{ds.name}.{ig_var.name}: {ig_var.core} variable missing")
    for var in ds.variables:
        ig_var = ig_vars.get(var.name)
        if ig_var is None:
            if (ds.name, var.name) not in NON_IG_VARIABLES:
                problems.append(f"{ds.name}.{var.name}: not an SDTMIG variable of {name} (use SUPP{ds.name})")
            continue
        if var.label != ig_var.label:
            problems.append(f"{ds.name}.{var.name}: label {var.label!r} != IG {ig_var.label!r}")
        if (ig_var.type == "Num") != var.is_numeric:
            problems.append(f"{ds.name}.{var.name}: type {var.data_type} but IG type {ig_var.type}")
        if ig_var.core == "Req" and var.core != "Req":
            problems.append(f"{ds.name}.{var.name}: core {var.core} but IG core Req")
    ig_positions = [ig_vars[n].order for n in spec_names if n in ig_vars]
    if ig_positions != sorted(ig_positions):
        in_ig = [n for n in spec_names if n in ig_vars]
        expected = sorted(in_ig, key=lambda n: ig_vars[n].order)
        problems.append(f"{ds.name}: variables not in IG order: {in_ig} (IG order {expected})")
    return problems


@pytest.fixture(scope="module")
def ig(shared: Path) -> dict[str, list[IgVariable]]:
    return read_ig(shared / "standards" / "sdtmig-3-4" / "Variables.csv")


@pytest.mark.parametrize("path", SDTM_FILES or [None], ids=[p.stem for p in SDTM_FILES] or ["none"])
def test_01_sdtm_dataset_spec_follows_the_ig(path: Path | None, ig: dict[str, list[IgVariable]]) -> None:
    if path is None:
        pytest.skip("no SDTM dataset specs in specs/sdtm yet")
    ds = load_dataset_file(path, root=REPO_SPECS)
    assert compare_with_ig(ds, ig) == []


def test_02_the_comparison_catches_disagreements(ig: dict[str, list[IgVariable]], spec_root: Path) -> None:
    path = spec_root / "sdtm" / "dm.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("label: Sex\n", "label: Gender\n"), encoding="utf-8")
    problems = compare_with_ig(load_dataset_file(path), ig)
    assert "DM.SEX: label 'Gender' != IG 'Sex'" in problems
    assert "DM.DOMAIN: Req variable missing" in problems
    assert "DM.RFSTDTC: Exp variable missing" in problems
    assert any(p.startswith("DM: variables not in IG order") for p in problems)  # AGE after SEX
