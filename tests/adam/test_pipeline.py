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
