"""Fixtures of the analysis tests: the sample study built once (SDTM, ADaM) per session.

Session fixtures are shared: a test that needs other inputs builds its own copy.
"""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
EDC = REPO / "src" / "aclf_cdisc" / "sample" / "edc"


@pytest.fixture(scope="session")
def sample_spec():
    from aclf_cdisc.spec import load_spec

    return load_spec(REPO / "specs")


@pytest.fixture(scope="session")
def sample_sdtm(sample_spec):
    from aclf_cdisc.raw import read_export
    from aclf_cdisc.sdtm.pipeline import build_sdtm

    return build_sdtm(read_export(EDC, sample_spec), sample_spec)


@pytest.fixture(scope="session")
def sample_adam(sample_sdtm, sample_spec):
    from aclf_cdisc.adam.pipeline import build_adam

    return build_adam(sample_sdtm, sample_spec)
