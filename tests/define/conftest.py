"""Fixtures for the Define-XML tests: the hand-built spec, its frames and the built defines."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixture_spec import CREATED, make_datasets, make_spec

from aclf_cdisc.define import build_define


@pytest.fixture(scope="session")
def spec():
    return make_spec()


@pytest.fixture(scope="session")
def sdtm_data(spec):
    return make_datasets(spec, "SDTM")


@pytest.fixture(scope="session")
def adam_data(spec):
    return make_datasets(spec, "ADaM")


@pytest.fixture()
def sdtm_tree(spec, sdtm_data):
    return build_define(spec, "SDTM", sdtm_data, creation_datetime=CREATED)


@pytest.fixture()
def adam_tree(spec, adam_data):
    return build_define(spec, "ADaM", adam_data, creation_datetime=CREATED)


@pytest.fixture(scope="session")
def schema_dir(shared) -> Path:
    return shared / "schemas" / "define-xml-2.1"


@pytest.fixture(scope="session")
def cdisc_examples(shared) -> list[Path]:
    return sorted((shared / "anchors" / "define-xml-2.1-examples").glob("*.xml"))
