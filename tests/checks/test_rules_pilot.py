"""Rules against the SAS-written CDISC pilot files and what Pinnacle 21 reported on them."""

import pytest

from aclf_cdisc.checks.catalogue import rule_of
from aclf_cdisc.checks.rules import sd0070_no_exposure, sd0087_rfstdtc_missing, sd1082_length_too_long
from aclf_cdisc.checks.rules._common import datasets_of, variables_of
from aclf_cdisc.spec.model import Spec, Study
from aclf_cdisc.transport.xpt import read_xpt

EMPTY = Spec(study=Study(studyid="CDISCPILOT01", title="t", protocol="p", sponsor="s", registry_id="r",
                         ct_versions={}, meddra_version="", arms=(), elements=(), trial_arms=(), epochs=(), visits=(),
                         trial_summary=(), inclusion_exclusion=()),
             datasets={}, codelists={}, methods={}, comments={}, documents={})


@pytest.fixture(scope="module")
def pilot(shared):
    folder = shared / "anchors" / "cdiscpilot01" / "sdtm"
    return {path.stem.upper(): read_xpt(path, encoding="windows-1252") for path in sorted(folder.glob("*.xpt"))}


def test_sd1082_matches_pinnacle21_on_pilot_ds_ex_ts_tv(pilot):
    # Pinnacle 21 Details sheet, SD1082 (Excess, Variable), for datasets whose variables are all in its model
    expected = {"DS": {("VISIT", 2), ("DSDTC", 3), ("DSDECOD", 36)}, "EX": {("VISIT", 11)},
                "TS": {("TSPARM", 164), ("TSPARMCD", 193), ("TSVAL", 21)},
                "TV": {("TVENRL", 136), ("VISIT", 71), ("TVSTRL", 99)}}
    rule = rule_of(sd1082_length_too_long)
    for name, want in expected.items():
        frame, meta = pilot[name]
        declared = {v.name: v.length for v in meta.variables if v.is_char}
        got = {(i.column, i.value - int(i.expected.split()[-1]))
               for i in sd1082_length_too_long.length_issues(rule, name, frame, declared)}
        assert got == want, name


def test_pilot_screen_failures_are_not_sd0070_or_sd0087(pilot):
    datasets = {name: frame for name, (frame, _) in pilot.items()}
    assert [n for n, _ in datasets_of(datasets, EMPTY, "SDTM")] == sorted(datasets)
    assert [(n, c) for n, c in variables_of(datasets, EMPTY, "SDTM")] == [
        (n, list(datasets[n].columns)) for n in sorted(datasets)]
    assert rule_of(sd0070_no_exposure).run(datasets, EMPTY) == []
    assert rule_of(sd0087_rfstdtc_missing).run(datasets, EMPTY) == []
