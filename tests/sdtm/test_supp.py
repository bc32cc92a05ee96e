"""build_supp: one record per non-empty qualifier value, metadata from the SUPP-- spec."""

import pandas as pd

from aclf_cdisc.sdtm.supp import build_supp
from aclf_cdisc.spec.model import Dataset, Origin, ValueLevel, WhereClause

SUPPAE = Dataset(
    name="SUPPAE",
    label="Supplemental Qualifiers for AE",
    standard="SDTM",
    class_="RELATIONSHIP",
    structure="One record per IDVAR, IDVARVAL, and QNAM value per subject",
    purpose="Tabulation",
    keys=("STUDYID", "RDOMAIN", "USUBJID", "IDVAR", "IDVARVAL", "QNAM"),
    sort_order=("STUDYID", "RDOMAIN", "USUBJID", "IDVAR", "IDVARVAL", "QNAM"),
    variables=(),
    domain="AE",
    value_level=(
        ValueLevel(
            dataset="SUPPAE",
            variable="QVAL",
            where=WhereClause("WC.SUPPAE.QNAM.AEINFRX", (("QNAM", "EQ", ("AEINFRX",)),)),
            data_type="text",
            length=1,
            origin=Origin(type="Collected", source="Investigator"),
            label="Infusion-Related Reaction",
        ),
    ),
)


def test_01_builds_records_for_non_empty_values_only():
    parent = pd.DataFrame(
        {"STUDYID": ["S", "S", "S"], "USUBJID": ["S-1", "S-1", "S-2"], "AESEQ": [1.0, 2.0, 1.0], "IRR": ["Y", "", None]}
    )
    out = build_supp(parent, SUPPAE, {"AEINFRX": "IRR"}, idvar="AESEQ")
    assert out.to_dict("records") == [
        {
            "STUDYID": "S", "RDOMAIN": "AE", "USUBJID": "S-1", "IDVAR": "AESEQ", "IDVARVAL": "1",
            "QNAM": "AEINFRX", "QLABEL": "Infusion-Related Reaction", "QVAL": "Y", "QORIG": "CRF", "QEVAL": "",
        }
    ]
