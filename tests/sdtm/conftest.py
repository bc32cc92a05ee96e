"""Session fixtures of the SDTM tests: the spec, the sample export and each domain, built once.

Every fixture here is shared by the whole session, so no test may change one in place: a test
that needs different inputs edits a copy (``sdtm_helpers.with_form``). Each fixture's content is
fingerprinted when it is built and checked again when the session ends; a change fails the run.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pytest
from sdtm_helpers import fingerprint, without_irt

from aclf_cdisc.raw.reader import read_export
from aclf_cdisc.sample import edc_dir, scenarios
from aclf_cdisc.sdtm.domains.ae import build_ae
from aclf_cdisc.sdtm.domains.dm import build_dm
from aclf_cdisc.sdtm.domains.ds import build_ds_suppds
from aclf_cdisc.sdtm.domains.ec import build_ec
from aclf_cdisc.sdtm.domains.ex import build_ex
from aclf_cdisc.sdtm.domains.lb import build_lb
from aclf_cdisc.sdtm.domains.pr import build_pr_supppr
from aclf_cdisc.sdtm.domains.rs import build_rs
from aclf_cdisc.sdtm.domains.se import build_se
from aclf_cdisc.sdtm.domains.sv import build_sv
from aclf_cdisc.sdtm.visits import subject_visit_map
from aclf_cdisc.spec import load_spec


def frozen(request: pytest.FixtureRequest, value: Any) -> Any:
    """Hand out ``value`` and check at the end of the session that nobody changed it in place."""
    before = fingerprint(value)

    def unchanged() -> None:
        assert fingerprint(value) == before, f"session fixture {request.fixturename} was changed in place"

    request.addfinalizer(unchanged)
    return value


@pytest.fixture(scope="session")
def spec(request, repo_root):
    return frozen(request, load_spec(repo_root / "specs"))


@pytest.fixture(scope="session")
def raw(request, spec):
    return frozen(request, read_export(edc_dir(), spec))


@pytest.fixture(scope="session")
def planted(request) -> dict[str, str]:
    return frozen(request, scenarios())


@pytest.fixture(scope="session")
def dm(request, raw, spec) -> pd.DataFrame:
    return frozen(request, build_dm(raw, spec))


@pytest.fixture(scope="session")
def se(request, raw, spec, dm) -> pd.DataFrame:
    return frozen(request, build_se(raw, spec, dm=dm))


@pytest.fixture(scope="session")
def visits(request, raw, spec) -> pd.DataFrame:
    return frozen(request, subject_visit_map(raw, spec))


@pytest.fixture(scope="session")
def sv(request, raw, spec, dm, se) -> pd.DataFrame:
    return frozen(request, build_sv(raw, spec, dm=dm, se=se))


@pytest.fixture(scope="session")
def ec(request, raw, spec, dm, se, visits) -> pd.DataFrame:
    return frozen(request, build_ec(raw, spec, dm=dm, se=se, visit_map=visits))


@pytest.fixture(scope="session")
def ex(request, raw, spec, dm, se, visits, ec) -> pd.DataFrame:
    return frozen(request, build_ex(raw, spec, dm=dm, se=se, ec=ec, visit_map=visits))


@pytest.fixture(scope="session")
def ds_supp(request, raw, spec, dm, se) -> tuple[pd.DataFrame, pd.DataFrame]:
    return frozen(request, build_ds_suppds(raw, spec, dm=dm, se=se))


@pytest.fixture(scope="session")
def ds(ds_supp) -> pd.DataFrame:
    return ds_supp[0]


@pytest.fixture(scope="session")
def lb_built(request, raw, spec, dm, se, visits) -> tuple[pd.DataFrame, list]:
    """LB and the warnings its build reported."""
    issues: list = []
    return frozen(request, (build_lb(raw, spec, dm=dm, se=se, visit_map=visits, issues=issues), issues))


@pytest.fixture(scope="session")
def lb(lb_built) -> pd.DataFrame:
    return lb_built[0]


@pytest.fixture(scope="session")
def ae(request, raw, spec, dm, se) -> pd.DataFrame:
    return frozen(request, build_ae(raw, spec, dm=dm, se=se))


@pytest.fixture(scope="session")
def rs(request, raw, spec, dm, se, visits) -> pd.DataFrame:
    return frozen(request, build_rs(raw, spec, dm=dm, se=se, visit_map=visits))


@pytest.fixture(scope="session")
def pr_supppr(request, raw, spec, dm, se) -> tuple[pd.DataFrame, pd.DataFrame]:
    return frozen(request, build_pr_supppr(raw, spec, dm=dm, se=se))


@pytest.fixture(scope="session")
def blinded(request, raw, spec) -> dict[str, Any]:
    """A blinded build (no IRT files): its raw forms, DM and SE."""
    forms = without_irt(raw)
    dm = build_dm(forms, spec, blinded=True)
    return frozen(request, {"forms": forms, "dm": dm, "se": build_se(forms, spec, dm=dm, blinded=True)})


@pytest.fixture(scope="session")
def never_infused(request, raw, spec, planted) -> dict[str, Any]:
    """The placebo_completed subject with no infusion record: its raw forms and DM."""
    forms = dict(raw.forms)
    forms["ex"] = forms["ex"][forms["ex"]["SUBJID"] != planted["placebo_completed"]].reset_index(drop=True)
    return frozen(request, {"forms": forms, "dm": build_dm(forms, spec)})
