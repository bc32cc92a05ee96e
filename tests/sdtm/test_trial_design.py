"""TS, TA, TE, TV and TI from study.yaml; TS ACTSUB from DM; spec variables against SDTMIG 3.4."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pandas as pd
import pytest
from sdtm_helpers import raw_csv

from aclf_cdisc.sdtm.domains.trial_design import build_ta, build_te, build_ti, build_ts, build_tv

MY_DATASETS = ("DM", "DS", "EX", "SE", "SV", "TS", "TA", "TE", "TV", "TI", "SUPPDS")
REVIEWER_TS = ("SSTDTC", "TITLE", "TPHASE", "TTYPE", "TBLIND", "TCNTRL", "RANDOM", "PLANSUB", "ACTSUB", "AGEMIN",
               "AGEMAX", "SEXPOP", "REGID", "SPONSOR", "TRT", "INDIC", "SDTIGVER", "SDTMVER", "STYPE", "INTMODEL",
               "INTTYPE", "ADDON", "HLTSUBJI", "LENGTH", "NARMS", "FCNTRY", "DCUTDTC", "OBJPRIM", "OUTMSPRI",
               # FDA validator presence checks (SD2227, SD2233, SD2276-SD2278) and TDIGRP for patients
               "DCUTDESC", "SENDTC", "ONGOSIND", "PDSTIND", "PDPSTIND", "PIPIND", "TDIGRP")


@pytest.fixture(scope="module")
def ts(spec, dm) -> pd.DataFrame:
    return build_ts(spec, dm=dm, data_cutoff="2025-01-31")


def value(ts: pd.DataFrame, parmcd: str) -> list:
    return ts.loc[ts["TSPARMCD"] == parmcd, "TSVAL"].tolist()


def test_01_ts_has_a_complete_iso_study_start_date(ts) -> None:
    assert value(ts, "SSTDTC") == ["2023-09-30"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value(ts, "SSTDTC")[0])
    row = ts[ts["TSPARMCD"] == "SSTDTC"].iloc[0]
    assert (row["TSPARM"], row["TSVCDREF"]) == ("Study Start Date", "ISO 8601")


def test_02_ts_has_every_parameter_a_reviewer_expects(ts) -> None:
    assert set(REVIEWER_TS) <= set(ts["TSPARMCD"])


def test_03_actsub_counts_randomized_subjects_in_dm(ts, dm) -> None:
    stage1 = {r["SUBJID"] for r in raw_csv("irt_rand") if r["RANDSTG"] == "1"}
    assert value(ts, "ACTSUB") == [str(len(stage1))] == ["150"]
    assert value(ts, "DCUTDTC") == ["2025-01-31"]


def test_04_tsparm_is_the_ct_decode_and_tsseq_numbers_within_a_parameter(ts, spec) -> None:
    decodes = {t.submission_value: t.decode for t in spec.codelists["CL.TSPARMCD"].terms}
    assert (ts["TSPARM"] == ts["TSPARMCD"].map(decodes)).all()
    assert value(ts, "REGID") == ["NCT05985863"]
    assert ts.loc[ts["TSPARMCD"] == "OUTMSSEC", "TSSEQ"].tolist() == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    assert not ts.duplicated(["TSPARMCD", "TSSEQ"]).any()
    assert (ts["TSVAL"].notna() | ts["TSVALNF"].notna()).all()


def test_05_dcutdtc_without_a_cutoff_is_a_null_flavor(spec, dm) -> None:
    ts = build_ts(spec, dm=dm)
    row = ts[ts["TSPARMCD"] == "DCUTDTC"].iloc[0]
    assert (pd.isna(row["TSVAL"]), row["TSVALNF"]) == (True, "NI")


def test_06_ta_te_tv_ti_follow_the_design(spec) -> None:
    ta = build_ta(spec)
    assert ta.groupby("ARMCD")["ETCD"].agg(list).to_dict() == {
        "MSC-PBO": ["SCRN", "MSC1", "INT", "PBO2", "FU"],
        "MSC-MSC": ["SCRN", "MSC1", "INT", "MSC2", "FU"],
        "PBO": ["SCRN", "PBO1", "INT", "FU"],
    }
    assert set(ta["ARM"]) == {"Placebo x3", "hUC-MSC x3, then Placebo x2", "hUC-MSC x3, then hUC-MSC x2"}
    assert ta.loc[ta["ETCD"] == "SCRN", "TABRANCH"].notna().all()
    assert ta.loc[(ta["ETCD"] == "INT") & (ta["ARMCD"] != "PBO"), "TABRANCH"].notna().all()
    te = build_te(spec)
    assert set(te["ETCD"]) == set(ta["ETCD"])
    assert te.set_index("ETCD").loc["MSC1", "TEDUR"] == "P3W"
    tv = build_tv(spec)
    assert tv["VISITNUM"].tolist() == [float(n) for n in range(1, 13)]
    assert tv.loc[tv["VISIT"] == "Week 4", "VISITDY"].tolist() == [29.0]
    ti = build_ti(spec)
    assert len(ti) == 15 and set(ti["IECAT"]) == {"INCLUSION", "EXCLUSION"}


@pytest.mark.parametrize("name", MY_DATASETS)
def test_07_spec_variables_follow_sdtmig_order_labels_and_core(spec, shared: Path, name: str) -> None:
    ig_name = "SUPPQUAL" if name.startswith("SUPP") else name
    with (shared / "standards" / "sdtmig-3-4" / "Variables.csv").open(encoding="utf-8") as handle:
        ig = {r["Variable Name"]: r for r in csv.DictReader(handle) if r["Dataset Name"] == ig_name}
    general = {"VISITNUM": 1000.1, "VISIT": 1000.2, "VISITDY": 1000.3}
    dataset = spec.dataset(name)
    positions = []
    for variable in dataset.variables:
        row = ig.get(variable.name)
        if row is None:  # general-observation timing variables sit before EPOCH/--DTC
            assert variable.name in general, f"{name}.{variable.name} is not an SDTMIG 3.4 {ig_name} variable"
            continue
        assert variable.label == row["Variable Label"], f"{name}.{variable.name} label"
        assert variable.core == row["Core"], f"{name}.{variable.name} core"
        assert variable.is_numeric == (row["Type"] == "Num"), f"{name}.{variable.name} type"
        positions.append(int(row["Variable Order"]))
    assert positions == sorted(positions)
    required = {v for v, r in ig.items() if r["Core"] == "Req"}
    assert required <= set(dataset.variable_names)


def test_08_ongosind_and_sendtc_follow_the_data(spec, dm) -> None:
    # Every one of the 150 randomized subjects in the sample has an end of study (98 completed,
    # 29 deaths, 12 transplants, 11 other discontinuations): the study is not ongoing. TS said
    # ONGOSIND = Y with no SENDTC; the last end of participation is 2025-09-27.
    ts = build_ts(spec, dm=dm)
    assert value(ts, "ONGOSIND") == ["N"]
    row = ts[ts["TSPARMCD"] == "ONGOSIND"].iloc[0]
    assert (row["TSVALCD"], row["TSVCDREF"]) == ("C49487", "CDISC CT")
    assert value(ts, "SENDTC") == ["2025-09-27"]
    assert ts.loc[ts["TSPARMCD"] == "SENDTC", "TSVCDREF"].tolist() == ["ISO 8601"]
    dcutdesc = ts[ts["TSPARMCD"] == "DCUTDESC"].iloc[0]
    assert (pd.isna(dcutdesc["TSVAL"]), dcutdesc["TSVALNF"]) == (True, "NI")
    assert value(ts, "PDSTIND") == value(ts, "PIPIND") == value(ts, "PDPSTIND") == ["N"]
    # a randomized subject without an end of study makes the study ongoing, with SENDTC unknown
    open_dm = dm.copy()
    first = open_dm.index[open_dm["ARMCD"].notna()][0]
    open_dm.loc[first, "RFENDTC"] = None
    ongoing = build_ts(spec, dm=open_dm)
    assert value(ongoing, "ONGOSIND") == ["Y"]
    assert ongoing.loc[ongoing["TSPARMCD"] == "ONGOSIND", "TSVALCD"].tolist() == ["C49488"]
    sendtc = ongoing[ongoing["TSPARMCD"] == "SENDTC"].iloc[0]
    assert (pd.isna(sendtc["TSVAL"]), sendtc["TSVALNF"], sendtc["TSVCDREF"]) == (True, "NI", None)


def test_08_ts_fills_or_explains_the_reviewer_parameters(ts, spec) -> None:
    rows = {p: ts[ts["TSPARMCD"] == p].iloc[0] for p in ("INDIC", "TDIGRP", "TRT", "PCLAS", "STRATFCT",
                                                          "INTMODEL", "INTTYPE")}
    assert rows["STRATFCT"]["TSVAL"] == "Study site"
    assert (pd.isna(rows["PCLAS"]["TSVAL"]), rows["PCLAS"]["TSVALNF"]) == (True, "NA")
    assert (rows["INTMODEL"]["TSVALCD"], rows["INTTYPE"]["TSVALCD"]) == ("C82639", "C307")
    # no unverifiable code is written; the comment on TSVALCD says why for each
    assert all(pd.isna(rows[p]["TSVALCD"]) for p in ("INDIC", "TDIGRP", "TRT"))
    comment = spec.comments["COM.TS.TSVALCD"].description
    assert all(word in comment for word in ("INDIC", "TDIGRP", "UNII", "PCLAS", "STRATFCT", "INTMODEL"))
