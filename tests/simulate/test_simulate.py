"""The simulator: determinism, clinical plausibility in numbers, the embedded sample, planted scenarios."""

from __future__ import annotations

import argparse
from importlib import resources
from pathlib import Path

import pandas as pd
import pytest

from aclf_cdisc.commands import simulate as simulate_command
from aclf_cdisc.sample import SAMPLE_SEED, SAMPLE_SUBJECTS, edc_dir, regenerate, scenarios
from aclf_cdisc.simulate import SCENARIOS, simulate_export, write_export

FORMS = {"ae", "cla", "dd", "dm", "eos", "ex", "ic", "ie", "irt_kits", "irt_rand", "lb", "ltx", "sv"}


def _date(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s.str.strip(), format="%d %b %Y")


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.csv"))}


@pytest.fixture(scope="module")
def big() -> dict[str, pd.DataFrame]:
    return simulate_export(3000, 7)


def test_01_same_seed_gives_byte_identical_csvs(tmp_path: Path) -> None:
    write_export(simulate_export(60, 11), tmp_path / "a")
    write_export(simulate_export(60, 11), tmp_path / "b")
    a, b = _bytes(tmp_path / "a"), _bytes(tmp_path / "b")
    assert set(a) == {f"{f}.csv" for f in FORMS}
    assert a == b
    assert all(b"\r" not in v for v in a.values())


def test_02_another_seed_gives_other_data(tmp_path: Path) -> None:
    write_export(simulate_export(60, 11), tmp_path / "a")
    write_export(simulate_export(60, 12), tmp_path / "b")
    assert _bytes(tmp_path / "a")["lb.csv"] != _bytes(tmp_path / "b")["lb.csv"]


def test_03_committed_sample_equals_a_fresh_simulation(tmp_path: Path) -> None:
    regenerate(tmp_path)
    fresh = {**_bytes(tmp_path)}
    committed = _bytes(edc_dir())
    assert set(committed) == set(fresh)
    assert committed == fresh


def test_04_sample_is_package_data() -> None:
    folder = resources.files("aclf_cdisc.sample").joinpath("edc")
    assert folder.joinpath("dm.csv").is_file() and folder.joinpath("README.md").is_file()
    assert folder.joinpath("scenarios.csv").is_file()


def test_05_cli_writes_the_sample(tmp_path: Path) -> None:
    parser = argparse.ArgumentParser()
    simulate_command.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["simulate", "--subjects", str(SAMPLE_SUBJECTS), "--seed", str(SAMPLE_SEED),
                              "--out", str(tmp_path)])
    assert args.run(args) == 0
    assert _bytes(tmp_path) == {k: v for k, v in _bytes(edc_dir()).items() if k != "scenarios.csv"}


def test_06_stage1_randomization_is_2_to_1(big: dict[str, pd.DataFrame]) -> None:
    r1 = big["irt_rand"][big["irt_rand"].RANDSTG == "1"]
    assert len(r1) == 3000 and r1.SUBJID.is_unique
    share = (r1.TRTGRP == "hUC-MSC").mean()
    assert abs(share - 2 / 3) < 0.02
    # permuted blocks of 6 per site: each site's running imbalance stays within one block
    for _site, g in r1.assign(d=_date(r1.RANDDAT)).sort_values(["d", "RANDNO"]).groupby("SITEID"):
        diff = ((g.TRTGRP == "hUC-MSC").astype(int) * 1 - (g.TRTGRP == "Placebo").astype(int) * 2).cumsum()
        assert diff.abs().max() <= 6


def test_07_placebo_28day_tfs_mortality_is_20_to_35_percent(big: dict[str, pd.DataFrame]) -> None:
    r1 = big["irt_rand"][big["irt_rand"].RANDSTG == "1"]
    eos = big["eos"].merge(r1[["SUBJID", "RANDDAT", "TRTGRP"]], on="SUBJID")
    day = (_date(eos.DSSTDAT) - _date(eos.RANDDAT)).dt.days + 1
    event = eos.DSDECOD.str.strip().str.lower().isin(["death", "liver transplant"])
    rate = (event & (day <= 28)).groupby(eos.TRTGRP).mean()
    assert 0.20 <= rate["Placebo"] <= 0.35
    assert rate["hUC-MSC"] < rate["Placebo"]
    # events are mostly early (weeks 1-8)
    assert ((day[event] <= 57).mean()) > 0.6


def test_08_stage2_only_for_msc_patients_alive_in_study_at_week4(big: dict[str, pd.DataFrame]) -> None:
    rand = big["irt_rand"]
    r1 = rand[rand.RANDSTG == "1"].set_index("SUBJID")
    r2 = rand[rand.RANDSTG == "2"].set_index("SUBJID")
    assert (r1.loc[r2.index, "TRTGRP"] == "hUC-MSC").all()
    days = (_date(r2.RANDDAT) - _date(r1.loc[r2.index, "RANDDAT"])).dt.days + 1
    assert days.between(27, 31).all()
    eos = big["eos"].set_index("SUBJID")
    assert (_date(eos.loc[r2.index, "DSSTDAT"]) >= _date(r2.RANDDAT)).all()
    assert abs((r2.TRTGRP == "hUC-MSC").mean() - 0.5) < 0.04
    # MSC patients without stage 2 ended the study (death, transplant, left) before week 4
    msc_only = r1.index[(r1.TRTGRP == "hUC-MSC") & ~r1.index.isin(r2.index)]
    left = (_date(eos.loc[msc_only, "DSSTDAT"]) - _date(r1.loc[msc_only, "RANDDAT"])).dt.days + 1
    assert (left <= 31).all()
    # stage-2 infusions only for re-randomized subjects
    ex = big["ex"]
    assert set(ex[ex.VISIT.isin(["Week 4", "Week 5"])].SUBJID) <= set(r2.index)


def test_09_dates_are_ordered_consent_randomization_first_infusion(big: dict[str, pd.DataFrame]) -> None:
    r1 = big["irt_rand"][big["irt_rand"].RANDSTG == "1"].set_index("SUBJID")
    ic = big["ic"].set_index("SUBJID")
    ex = big["ex"][big["ex"].EXYN == "Y"]
    first = _date(ex.EXDAT).groupby(ex.SUBJID).min()
    consent = _date(ic.loc[r1.index, "DSSTDAT"])
    rand = _date(r1.RANDDAT)
    assert (consent <= rand).all()
    assert (rand <= first.loc[r1.index]).all()
    eos = big["eos"].set_index("SUBJID")
    assert (rand <= _date(eos.loc[r1.index, "DSSTDAT"])).all()


def test_10_screen_failures_and_disposition(big: dict[str, pd.DataFrame]) -> None:
    ie = big["ie"]
    sf = ie[ie.IEYN == "N"]
    assert 0.10 <= len(sf) / len(ie) <= 0.15
    assert sf.IETESTCD.ne("").all()
    assert set(big["eos"].SUBJID) == set(ie[ie.IEYN == "Y"].SUBJID)
    assert not set(sf.SUBJID) & set(big["ex"].SUBJID)
    dd, ltx, eos = big["dd"], big["ltx"], big["eos"]
    decod = eos.set_index("SUBJID").DSDECOD.str.strip().str.lower()
    assert (decod.loc[dd.SUBJID] == "death").all() and (decod.loc[ltx.SUBJID] == "liver transplant").all()
    fatal = big["ae"][big["ae"].AEOUT == "Fatal"]
    assert set(fatal.SUBJID) == set(dd.SUBJID)


def test_11_baseline_labs_fit_aclf(big: dict[str, pd.DataFrame]) -> None:
    lb = big["lb"]
    r1 = set(big["irt_rand"].SUBJID)
    base = lb[(lb.VISIT == "Week 0") & lb.SUBJID.isin(r1) & (lb.LBSTAT == "")].copy()
    base["test"] = base.LBTEST.str.strip().str.lower()
    tbil = base[base.test == "total bilirubin"]
    mgdl = pd.to_numeric(tbil.LBORRES) / tbil.LBORRESU.str.strip().map({"umol/L": 17.1, "mg/dL": 1.0})
    assert mgdl.between(4, 40).mean() > 0.97 and mgdl.median() > 8
    inr = pd.to_numeric(base[base.test == "inr"].LBORRES)
    assert inr.between(1.3, 4.5).mean() > 0.97
    assert set(lb[lb.SITEID == "104"].LBORRESU.str.strip()) >= {"mg/dL", "g/dL"}
    assert lb.LBORRES.str.startswith("<").any() and (lb.LBSTAT == "NOT DONE").any()


@pytest.mark.parametrize("scenario", [s.scenario for s in SCENARIOS])
def test_12_planted_scenarios_exist_in_the_sample(scenario: str) -> None:
    subj = scenarios()[scenario]
    read = {f: pd.read_csv(edc_dir() / f"{f}.csv", dtype=str, keep_default_na=False) for f in FORMS}
    rand = read["irt_rand"][subj == read["irt_rand"].SUBJID]
    ae = read["ae"][subj == read["ae"].SUBJID]
    spec = next(s for s in SCENARIOS if s.scenario == scenario)
    if spec.arm_stage1:
        assert rand[rand.RANDSTG == "1"].TRTGRP.tolist() == [spec.arm_stage1]
    assert rand[rand.RANDSTG == "2"].TRTGRP.tolist() == ([spec.arm_stage2] if spec.arm_stage2 else [])
    ex = read["ex"][(subj == read["ex"].SUBJID) & (read["ex"].EXYN == "Y")]
    last_inf = _date(ex.EXDAT).max() if len(ex) else None
    first_inf = _date(ex.EXDAT).min() if len(ex) else None
    if scenario == "screen_failure":
        assert read["ie"].set_index("SUBJID").loc[subj, "IETESTCD"] == "EXCL03" and rand.empty
    elif scenario == "death_before_week4":
        assert len(read["dd"][subj == read["dd"].SUBJID]) == 1 and (ae.AEOUT == "Fatal").sum() == 1
    elif scenario == "liver_transplant":
        assert len(read["ltx"][subj == read["ltx"].SUBJID]) == 1
    elif scenario == "lab_below_limit":
        lb = read["lb"][(subj == read["lb"].SUBJID) & (read["lb"].VISIT == "Week 1")]
        assert "<44" in lb[lb.LBTEST == "Creatinine"].LBORRES.tolist()
    elif scenario == "ae_partial_dates":
        assert ae.AESTDAT.str.startswith("UN UNK").any() and ae.AEENDAT.str.startswith("UN ").any()
    elif scenario == "ae_unknown_start_day":
        assert ae.AESTDAT.str.match(r"^UN [A-Z]{3} \d{4}$").any()
    elif scenario == "ae_before_first_infusion":
        assert (_date(ae.AESTDAT) < first_inf).any()
    elif scenario == "ae_within_28d_after_last_infusion":
        gap = (_date(ae.AESTDAT) - last_inf).dt.days
        assert gap.between(1, 28).any()
    elif scenario == "ae_after_28d_window":
        assert ((_date(ae.AESTDAT) - last_inf).dt.days > 28).any()
    elif scenario == "ae_preexisting_worsened":
        grp = ae[ae.AEGRPID != ""]
        assert len(grp) == 2 and grp.AEGRPID.nunique() == 1
        assert grp.AESEV.tolist() == ["Mild", "Severe"]
        assert _date(grp.AESTDAT).iloc[0] < first_inf <= _date(grp.AESTDAT).iloc[1]


def test_13_small_runs_work_without_planting() -> None:
    frames = simulate_export(5, 3)
    assert len(frames["irt_rand"][frames["irt_rand"].RANDSTG == "1"]) == 5
