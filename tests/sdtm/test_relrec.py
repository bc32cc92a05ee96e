"""RELREC: EC and EX related at dataset level through --LNKID (SDTMIG 3.4 sections 6.1.3, 8.3.2)."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from aclf_cdisc.errors import DerivationError
from aclf_cdisc.sdtm.domains.relrec import build_relrec


def test_01_one_dataset_level_record_per_linked_dataset(spec, ec, ex) -> None:
    relrec = build_relrec({"EC": ec, "EX": ex}, spec)
    assert relrec.to_dict("records") == [
        {"STUDYID": "ACLF-MSC-302", "RDOMAIN": "EC", "USUBJID": None, "IDVAR": "ECLNKID", "IDVARVAL": None,
         "RELTYPE": "ONE", "RELID": "ECEX"},
        {"STUDYID": "ACLF-MSC-302", "RDOMAIN": "EX", "USUBJID": None, "IDVAR": "EXLNKID", "IDVARVAL": None,
         "RELTYPE": "ONE", "RELID": "ECEX"}]
    assert list(relrec.columns) == [v.name for v in spec.dataset("RELREC").variables]


def test_02_the_link_relates_every_ex_record_to_one_given_ec_record(ec, ex) -> None:
    # 603 planned infusions in EC, 591 given; EX holds the 591, each with exactly one EC partner
    assert (len(ec), int((ec["ECOCCUR"] == "Y").sum()), len(ex)) == (603, 591, 591)
    pairs = ex.merge(ec, left_on=["USUBJID", "EXLNKID"], right_on=["USUBJID", "ECLNKID"], how="left")
    assert len(pairs) == 591 and (pairs["ECOCCUR"] == "Y").all()
    unlinked = ec.merge(ex, left_on=["USUBJID", "ECLNKID"], right_on=["USUBJID", "EXLNKID"], how="left")
    assert int(unlinked["EXLNKID"].isna().sum()) == 12 == int((ec["ECOCCUR"] == "N").sum())


def test_03_reltype_many_when_a_link_names_several_records(spec, ec, ex) -> None:
    doubled = pd.concat([ex, ex.iloc[:1]], ignore_index=True)  # one EX link value on two records
    relrec = build_relrec({"EC": ec, "EX": doubled}, spec)
    assert relrec.set_index("RDOMAIN")["RELTYPE"].to_dict() == {"EC": "ONE", "EX": "MANY"}


def test_04_a_relationship_naming_a_dataset_not_built_is_an_error(spec, ec) -> None:
    with pytest.raises(DerivationError) as caught:
        build_relrec({"EC": ec}, spec)
    assert [(i.rule, i.value) for i in caught.value.issues] == [("sdtm.relrec-link-unknown", "EXLNKID")]
    relrec_spec = dataclasses.replace(spec.dataset("RELREC"), conventions={"relationships": []})
    empty = dataclasses.replace(spec, datasets={**spec.datasets, "RELREC": relrec_spec})
    assert build_relrec({"EC": ec}, empty).empty
