"""MELD, MELD-Na and CTP do not depend on the unit system of the standardized results.

The study standardizes to SI units (study.yaml lab_unit_system); the scores are defined on
conventional units and read their inputs through adlb.yaml score_input_units/score_input_digits.
Building the sample with the former conventional standard (bilirubin and creatinine in mg/dL to 2
decimals in LBSTRESN and in ADLB AVAL) must give every score record the same value.
"""

from __future__ import annotations

import dataclasses

import pytest
from test_pipeline_sample import sample_adam, sample_sdtm, sample_spec  # noqa: F401


def _conventional(spec):
    """The sample spec as it was before the switch to SI: mg/dL standard and analysis units."""
    units = {k: dict(v) for k, v in spec.study.conventions["lab_units"].items()}
    units["BILI"] = {"standard": "mg/dL", "from": {"umol/L": 0.05847953216374269, "mg/dL": 1.0}}
    units["CREAT"] = {"standard": "mg/dL", "from": {"umol/L": 0.011312217194570135, "mg/dL": 1.0}}
    conventions = {**spec.study.conventions, "lab_units": units, "lab_unit_system": "CONVENTIONAL"}
    lb = spec.dataset("LB")
    lb_rows = tuple(dataclasses.replace(r, unit="mg/dL", significant_digits=2)
                    if r.variable == "LBSTRESN" and r.where.conditions[0][2] in (("BILI",), ("CREAT",)) else r
                    for r in lb.value_level)
    adlb = spec.dataset("ADLB")
    adlb_rows = tuple(dataclasses.replace(r, unit="mg/dL", significant_digits=2)
                      if r.variable == "AVAL" and r.where.conditions[0][2] in (("TBIL",), ("CREAT",)) else r
                      for r in adlb.value_level)
    datasets = {**spec.datasets, "LB": dataclasses.replace(lb, value_level=lb_rows),
                "ADLB": dataclasses.replace(adlb, value_level=adlb_rows)}
    return dataclasses.replace(spec, study=dataclasses.replace(spec.study, conventions=conventions),
                               datasets=datasets)


def test_scores_are_the_same_with_si_and_conventional_standard_units(sample_spec, sample_sdtm, sample_adam):  # noqa: F811
    from aclf_cdisc.adam.pipeline import build_adam
    from aclf_cdisc.raw import read_export
    from aclf_cdisc.sample import edc_dir
    from aclf_cdisc.sdtm.pipeline import build_sdtm

    old_spec = _conventional(sample_spec)
    old_sdtm = build_sdtm(read_export(edc_dir(), old_spec), old_spec)
    old_lb = old_sdtm["LB"]
    assert set(old_lb.loc[old_lb["LBTESTCD"] == "BILI", "LBSTRESU"].dropna()) == {"mg/dL"}  # really the old system
    old = build_adam(old_sdtm, old_spec)["ADLB"]
    new = sample_adam["ADLB"]
    assert set(new.loc[new["PARAMCD"] == "TBIL", "PARAM"]) == {"Total Bilirubin (umol/L)"}
    keys = ["USUBJID", "BASETYPE", "PARAMCD", "ADT"]
    for paramcd, count in (("MELD", 2080), ("MELDNA", 2058), ("CTP", 2072)):
        before = old[old["PARAMCD"] == paramcd].set_index(keys)["AVAL"].sort_index()
        after = new[new["PARAMCD"] == paramcd].set_index(keys)["AVAL"].sort_index()
        assert len(before) == len(after) == count
        assert before.index.equals(after.index)
        assert (before.to_numpy() == after.to_numpy()).all(), paramcd
    # the components differ only by the unit: 101-0002 week 4 TBIL 80.7 umol/L = 4.72 mg/dL
    u = "ACLF-MSC-302-101-0002"
    pick = {"USUBJID": u, "PARAMCD": "TBIL", "SRCSEQ": 42, "BASETYPE": "STAGE 1"}
    old_row = old.loc[(old[list(pick)] == list(pick.values())).all(axis=1), "AVAL"]
    new_row = new.loc[(new[list(pick)] == list(pick.values())).all(axis=1), "AVAL"]
    assert (old_row.tolist(), new_row.tolist()) == ([4.72], [80.7])
    assert new_row.iloc[0] / 17.1 == pytest.approx(4.72, abs=0.005)
