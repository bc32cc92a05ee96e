"""Every check finds the same on a compacted store as on the built frames.

A study built in blocks is held compacted (:mod:`aclf_cdisc.compact`) and its rules read only
the variables they check, or its text as held (coded), never the whole rebuilt dataset. The sample
study is built whole, faults are planted in LB, AE and ADLB (one or more per rule that reads
selectively), and the schemas and every rule of the build's checklist run over the frames as
built and over the same frames compacted, every dataset of them (none held as built): the
findings must be the same, in the same order, and each planted fault must be found.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from aclf_cdisc.checks.run import build_checklist, run_checks
from aclf_cdisc.compact import CompactDatasets, compact_frame
from aclf_cdisc.package.blocks import Schedule
from aclf_cdisc.package.build import BuildOptions, build_datasets, read_raw
from aclf_cdisc.spec.loader import load_spec

REPO_SPECS = Path(__file__).resolve().parents[2] / "specs"
WHOLE = Schedule(block_subjects=10**9, workers=1)


@pytest.fixture(scope="module")
def spec():
    return load_spec(REPO_SPECS)


@pytest.fixture(scope="module")
def built(spec):
    issues: list = []
    return dict(build_datasets(read_raw(BuildOptions(spec_root=REPO_SPECS), spec), spec, blinded=False,
                               issues=issues, schedule=WHOLE))


def _set(frame: pd.DataFrame, row: int, column: str, value: object) -> None:
    frame.iloc[row, frame.columns.get_loc(column)] = value


def _planted(built: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The sample with one fault per rule below, each on its own record (attrs, so lineage, kept)."""
    lb, ae, adlb = built["LB"].copy(), built["AE"].copy(), built["ADLB"].copy()
    numeric = lb.index[lb["LBSTRESN"].notna()]
    first, copy, day0, stresn, dtc, epoch, subject, text = numeric[:8]
    for column in lb.columns:  # SD1117: a record equal to another in every variable but LBSEQ
        if column != "LBSEQ":
            _set(lb, copy, column, lb.at[first, column])
    _set(lb, day0, "LBDY", 0.0)  # SD0038 (and SD1086: not the study day of LBDTC)
    _set(lb, stresn, "LBSTRESN", lb.at[stresn, "LBSTRESN"] + 1)  # SD1212
    _set(lb, dtc, "LBDTC", "2024-13-45")  # SD0003
    _set(lb, epoch, "EPOCH", None)  # SD1339
    _set(lb, subject, "USUBJID", "NOT-IN-DM")  # SD0064, SD0065
    _set(lb, text, "LBORRES", "POSITIVE")  # ACLF-LB-01: a range on a non-numeric result
    _set(lb, text, "LBSTRESU", "mg/dL")  # ACLF-LB-02: a conventional unit among SI ones
    _set(lb, numeric[8], "LBTESTCD", "NOTATEST")  # CT2001/CT2002: a term outside the codelist
    _set(lb, numeric[9], "LBREASND", "X" * 250)  # ACLF-XPT-01: longer than an XPT v5 value can be
    _set(lb, numeric[10], "STUDYID", None)  # SD0002: a Required variable null
    _set(ae, 0, "AESTDTC", "2099-01-01")  # SD0013: starts after it ends
    changed = adlb.index[adlb["CHG"].notna()]
    _set(adlb, changed[0], "CHG", adlb.at[changed[0], "CHG"] + 1)  # ACLF-AD-02
    _set(adlb, changed[1], "PARAM", "Another parameter")  # ACLF-AD-01
    return {**built, "LB": lb, "AE": ae, "ADLB": adlb}


def _findings(datasets, spec) -> list[tuple]:
    issues = run_checks(datasets, spec, checklist=build_checklist(spec))
    return [(i.rule, i.severity, i.dataset, i.row, i.column, str(i.value), i.expected, i.message, i.file)
            for i in issues]


def test_a_compacted_store_gives_every_check_the_same_findings(built, spec, monkeypatch):
    planted = _planted(built)
    whole = _findings(planted, spec)
    monkeypatch.setattr("aclf_cdisc.compact.SMALL_CELLS", 0)  # every dataset compacted, none held as built
    store = CompactDatasets({name: compact_frame(frame) for name, frame in planted.items()})
    assert _findings(store, spec) == whole

    clean = _findings(built, spec)
    fired = {rule for rule, *_ in whole}
    planted_rules = {"SD1117", "SD0038", "SD1086", "SD1212", "SD0003", "SD1339", "SD0064", "SD0065", "ACLF-LB-01",
                     "ACLF-LB-02", "ACLF-XPT-01", "SD0002", "SD0013", "ACLF-AD-02", "ACLF-AD-01"}
    assert planted_rules <= fired
    for rule in planted_rules | {"CT2001"} & fired | {"CT2002"} & fired:
        assert sum(f[0] == rule for f in whole) > sum(f[0] == rule for f in clean), rule
    assert {"CT2001", "CT2002"} & fired


def test_findings_that_cite_their_raw_record_make_the_store_rebuild_nothing(built, spec, monkeypatch):
    # a large study's thousands of dropped duplicate raw records each cite their raw file and row:
    # tracing them back reads no dataset (reading all of them whole was 4.4 GB at 100,000 subjects)
    from aclf_cdisc.errors import Issue
    from aclf_cdisc.sdtm.lineage import cite_sources

    monkeypatch.setattr("aclf_cdisc.compact.SMALL_CELLS", 0)
    store = CompactDatasets({name: compact_frame(frame) for name, frame in built.items()})
    cited = [Issue(rule="sdtm.duplicate-record", severity="warning", dataset="LB", row=n, file="lb.csv",
                   message="repeats another record") for n in range(1, 40)]

    def rebuilt(self, name):
        raise AssertionError(f"{name} rebuilt")

    monkeypatch.setattr(CompactDatasets, "__getitem__", rebuilt)
    assert cite_sources(cited, store, spec) == cited
