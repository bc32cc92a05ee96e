"""PR and SUPPPR from the sample export: the transplanted planted subject checked by hand."""

from __future__ import annotations

from sdtm_helpers import STUDYID, raw_csv

from aclf_cdisc.spec.schemas import dataset_schema


def test_01_one_record_per_transplant_and_the_schemas_hold(pr_supppr, spec) -> None:
    pr, supppr = pr_supppr
    assert len(pr) == len(supppr) == len(raw_csv("ltx"))
    assert tuple(pr.columns) == spec.dataset("PR").variable_names
    assert tuple(supppr.columns) == spec.dataset("SUPPPR").variable_names
    dataset_schema(spec, "PR").validate(pr, lazy=True)
    dataset_schema(spec, "SUPPPR").validate(supppr, lazy=True)


def test_02_the_transplanted_subject_by_hand(pr_supppr, dm, planted) -> None:
    subjid = planted["liver_transplant"]
    (raw_row,) = [r for r in raw_csv("ltx") if r["SUBJID"] == subjid]
    assert (raw_row["PRSTDAT"], raw_row["PRTRT"], raw_row["PRDONOR"]) == ("30 OCT 2023", "Liver transplantation",
                                                                          "Living")
    pr, supppr = pr_supppr
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
