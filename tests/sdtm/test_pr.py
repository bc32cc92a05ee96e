"""PR and SUPPPR from the sample export: the transplanted planted subject checked by hand."""

from __future__ import annotations

import csv

import pandas as pd
import pytest

from aclf_cdisc.raw.reader import read_export
from aclf_cdisc.sample import edc_dir, scenarios
from aclf_cdisc.sdtm.domains.dm import build_dm
from aclf_cdisc.sdtm.domains.pr import build_pr_supppr
from aclf_cdisc.sdtm.domains.se import build_se
from aclf_cdisc.spec import load_spec
from aclf_cdisc.spec.schemas import dataset_schema

STUDYID = "ACLF-MSC-302"


@pytest.fixture(scope="module")
def spec():
    return load_spec()


@pytest.fixture(scope="module")
def raw(spec):
    return read_export(edc_dir(), spec)


@pytest.fixture(scope="module")
def dm(raw, spec) -> pd.DataFrame:
    return build_dm(raw, spec)


@pytest.fixture(scope="module")
def se(raw, spec, dm) -> pd.DataFrame:
    return build_se(raw, spec, dm=dm)


@pytest.fixture(scope="module")
def built(raw, spec, dm, se) -> tuple[pd.DataFrame, pd.DataFrame]:
    return build_pr_supppr(raw, spec, dm=dm, se=se)


def test_01_one_record_per_transplant_and_the_schemas_hold(built, spec) -> None:
    pr, supppr = built
    with (edc_dir() / "ltx.csv").open(encoding="utf-8") as handle:
        assert len(pr) == len(supppr) == sum(1 for _ in csv.DictReader(handle))
    assert tuple(pr.columns) == spec.dataset("PR").variable_names
    assert tuple(supppr.columns) == spec.dataset("SUPPPR").variable_names
    dataset_schema(spec, "PR").validate(pr, lazy=True)
    dataset_schema(spec, "SUPPPR").validate(supppr, lazy=True)


def test_02_the_transplanted_subject_by_hand(built, dm) -> None:
    subjid = scenarios()["liver_transplant"]
    with (edc_dir() / "ltx.csv").open(encoding="utf-8") as handle:
        (raw_row,) = [r for r in csv.DictReader(handle) if r["SUBJID"] == subjid]
    assert (raw_row["PRSTDAT"], raw_row["PRTRT"], raw_row["PRDONOR"]) == ("30 OCT 2023", "Liver transplantation",
                                                                          "Living")
    pr, supppr = built
    usubjid = f"{STUDYID}-{subjid}"
    (rec,) = pr[pr["USUBJID"] == usubjid].to_dict("records")
    assert dm.set_index("USUBJID").loc[usubjid, "RFSTDTC"].startswith("2023-10-11")
    assert rec == {"STUDYID": STUDYID, "DOMAIN": "PR", "USUBJID": usubjid, "PRSEQ": 1.0,
                   "PRTRT": "LIVER TRANSPLANTATION", "EPOCH": "TREATMENT 1", "PRSTDTC": "2023-10-30",
                   "PRSTDY": 20.0}  # 30 Oct - 11 Oct + 1; placebo stage-1 element spans days 1-21
    (qual,) = supppr[supppr["USUBJID"] == usubjid].to_dict("records")
    assert qual == {"STUDYID": STUDYID, "RDOMAIN": "PR", "USUBJID": usubjid, "IDVAR": "PRSEQ", "IDVARVAL": "1",
                    "QNAM": "PRDONOR", "QLABEL": "Liver Donor Type", "QVAL": "Living", "QORIG": "CRF",
                    "QEVAL": None}
