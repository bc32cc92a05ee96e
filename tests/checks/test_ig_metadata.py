"""The shipped IG metadata equals what tools/derive_ig_metadata.py derives from the CDISC Library exports."""

import importlib.util

from aclf_cdisc.checks.ig import ADAMIG, SDTMIG, adam_structure, ig_datasets, sdtm_dataset


def _tool(repo_root):
    spec = importlib.util.spec_from_file_location("derive_ig_metadata", repo_root / "tools" / "derive_ig_metadata.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_shipped_copy_equals_the_derivation(repo_root, shared):
    shipped = (repo_root / "src" / "aclf_cdisc" / "checks" / "data" / "ig-metadata.json").read_text(encoding="utf-8")
    assert shipped == _tool(repo_root).derive(shared / "standards")


def test_counts_and_a_few_entries_by_hand():
    sdtm = ig_datasets(SDTMIG)
    assert len(sdtm) == 63 and sum(len(d.variables) for d in sdtm.values()) == 1917
    dm = sdtm_dataset("DM")
    assert (dm.label, dm.class_) == ("Demographics", "Special-Purpose")
    assert dm.variable("ARMCD").core == "Exp" and dm.variable("RFSTDTC").label == "Subject Reference Start Date/Time"
    assert [v.name for v in dm.variables[:3]] == ["STUDYID", "DOMAIN", "USUBJID"]
    assert sdtm_dataset("SUPPAE").name == "SUPPQUAL" and sdtm_dataset("XY") is None
    adam = ig_datasets(ADAMIG)
    assert sum(len(d.variables) for d in adam.values()) == 336
    assert adam_structure("ADSL", []).variable("USUBJID").core == "Req"
    assert adam_structure("ADLB", ["PARAMCD"]).name == "BDS" and adam_structure("ADX", ["A"]) is None
