"""build_adam output agrees with the ADaM specs: variables, order, codelists, value-level metadata."""

from __future__ import annotations

import pandas as pd
import pytest
from test_pipeline_frames import adam_spec, make_sdtm

from aclf_cdisc.adam.pipeline import ADAM_DATASETS, build_adam
from aclf_cdisc.errors import DerivationError


@pytest.fixture(scope="module")
def spec():
    return adam_spec()


@pytest.fixture(scope="module")
def adam(spec):
    return build_adam(make_sdtm(), spec)


def test_01_each_dataset_has_exactly_the_spec_variables_in_order(adam, spec):
    assert sorted(adam) == sorted(ADAM_DATASETS)
    for name, frame in adam.items():
        assert list(frame.columns) == list(spec.dataset(name).variable_names), name


def test_02_values_are_in_their_codelists(adam, spec):
    for name, frame in adam.items():
        for var in spec.dataset(name).variables:
            if not var.codelist or var.codelist not in spec.codelists or spec.codelists[var.codelist].external:
                continue  # external dictionaries (MedDRA, ISO 3166) list no terms
            allowed = {str(v) for v in spec.codelists[var.codelist].values}
            present = frame[var.name].dropna()
            if var.is_numeric:
                present = present.astype(int).astype(str)
            unknown = set(present.astype(str)) - allowed
            assert not unknown, (name, var.name, unknown)


def test_03_value_level_covers_every_paramcd(adam, spec):
    for name in ("ADLB", "ADTTE"):
        covered = {row.where.conditions[0][2][0] for row in spec.dataset(name).value_level}
        assert set(adam[name]["PARAMCD"]) <= covered, name


def test_04_dates_are_datetime_and_numeric_dates_have_date9(adam, spec):
    for name, frame in adam.items():
        for var in spec.dataset(name).variables:
            if var.display_format == "DATE9.":
                assert pd.api.types.is_datetime64_any_dtype(frame[var.name]), (name, var.name)


def test_05_missing_sdtm_domain_is_reported(spec):
    sdtm = make_sdtm()
    del sdtm["EX"]
    with pytest.raises(DerivationError) as caught:
        build_adam(sdtm, spec)
    assert [(i.rule, i.dataset) for i in caught.value.issues] == [("adam.sdtm-missing", "EX")]


def test_06_adlb_and_the_adsl_core_datasets_side_by_side_build_the_same_frames(adam, spec):
    from functools import partial

    from aclf_cdisc.package.background import forked_map_beside

    beside = build_adam(make_sdtm(), spec, map_each=partial(forked_map_beside, workers=2))
    for name in ADAM_DATASETS:
        pd.testing.assert_frame_equal(beside[name], adam[name], check_exact=True)


def test_07_adae_and_adtte_read_no_adsl_baseline(adam):
    # they are built from ADSL's core, beside ADLB (ADAM_GROUPS): a baseline variable in them would
    # have to wait for ADLB
    from aclf_cdisc.adam.adsl import BASELINE_VARS

    for name in ("ADAE", "ADTTE"):
        assert not set(BASELINE_VARS) & set(adam[name].columns), name
