"""derive_visit_map / derive_vars_visit: TV visits by name, unscheduled visits numbered X.01."""

import pandas as pd

from aclf_cdisc.sdtm.visits import derive_vars_visit, derive_visit_map
from aclf_cdisc.spec.model import Study, Visit

STUDY = Study(
    studyid="S", title="t", protocol="p", sponsor="s", registry_id="r", ct_versions={}, meddra_version="27.1",
    arms=(), elements=(), trial_arms=(), epochs=(),
    visits=(
        Visit(1.0, "SCREENING", -7, -7, -1),
        Visit(2.0, "WEEK 0", 1, 1, 1),
        Visit(3.0, "WEEK 1", 8, 5, 11),
    ),
    trial_summary=(), inclusion_exclusion=(),
)

SV_RAW = pd.DataFrame(
    {
        "USUBJID": ["A", "A", "A", "A", "A", "B"],
        "FOLDER": ["Screening", "Week 0", "Unscheduled 2", "Unscheduled 1", "Week 1", "Unscheduled 1"],
        "SVSTDTC": ["2024-01-01", "2024-01-05", "2024-01-09", "2024-01-07", "2024-01-12", "2023-12-30"],
    }
)


def test_01_unscheduled_visits_follow_the_last_scheduled_visit_in_date_order():
    vm = derive_visit_map(SV_RAW, STUDY, folder_var="FOLDER", dtc_var="SVSTDTC")
    got = {(r.USUBJID, r.FOLDER): (r.VISITNUM, r.VISIT) for r in vm.itertuples()}
    assert got[("A", "unscheduled 1")] == (2.01, "UNSCHEDULED 2.01")
    assert got[("A", "unscheduled 2")] == (2.02, "UNSCHEDULED 2.02")
    assert got[("A", "week 1")] == (3.0, "WEEK 1")
    # before any scheduled visit: numbered from 0
    assert got[("B", "unscheduled 1")] == (0.01, "UNSCHEDULED 0.01")


def test_02_other_domains_reuse_the_subject_visit_map_and_report_unknown_folders():
    vm = derive_visit_map(SV_RAW, STUDY, folder_var="FOLDER", dtc_var="SVSTDTC")
    lb = pd.DataFrame({"USUBJID": ["A", "A", "A"], "VISITRAW": ["WEEK  0", "unscheduled 2", "Week 3"]})
    out, issues = derive_vars_visit(lb, "VISITRAW", vm, STUDY, domain="LB", file="lb.csv")
    assert out["VISITNUM"].tolist()[:2] == [2.0, 2.02]
    assert out["VISIT"].tolist()[:2] == ["WEEK 0", "UNSCHEDULED 2.02"]
    assert [(i.rule, i.row, i.value, i.file) for i in issues] == [("sdtm.visit-unknown", 3, "Week 3", "lb.csv")]
