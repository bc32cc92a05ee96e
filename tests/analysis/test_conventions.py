"""Conventions are data, once: a change in specs/study.yaml changes ADLB, the define's text and the ADRG."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aclf_cdisc.adam.pipeline import build_adam
from aclf_cdisc.define import build_define
from aclf_cdisc.documents.html import render_html
from aclf_cdisc.documents.write import build_documents
from aclf_cdisc.errors import DerivationError, SpecError
from aclf_cdisc.spec import load_spec
from aclf_cdisc.spec.conventions import lab_units

REPO = Path(__file__).resolve().parents[2]
ODM = "{http://www.cdisc.org/ns/odm/v1.3}"
ALB_BAND = "albumin_gl: {middle_band: [28, 35], worse: lower}"


def _specs_copy(tmp_path, old: str, new: str):
    root = tmp_path / "specs"
    shutil.copytree(REPO / "specs", root)
    study = root / "study.yaml"
    text = study.read_text(encoding="utf-8")
    assert text.count(old) == 1
    study.write_text(text.replace(old, new), encoding="utf-8")
    return root


def _method_text(tree, oid: str) -> str:
    method = tree.getroot().find(f".//{ODM}MethodDef[@OID='{oid}']")
    return "".join(method.find(f"{ODM}Description").itertext())


def _ctp(adam, key: list[str]):
    """ADLB's CTP values indexed by ``key``."""
    return adam["ADLB"].query("PARAMCD == 'CTP'").set_index(key)["AVAL"]


def test_01_albumin_band_30_35_changes_adlb_and_define(tmp_path, sample_spec, sample_sdtm, sample_adam):
    spec30 = load_spec(_specs_copy(tmp_path, ALB_BAND, "albumin_gl: {middle_band: [30, 35], worse: lower}"))
    adam30 = build_adam(sample_sdtm, spec30)

    key = ["USUBJID", "ADT"]
    old, new = _ctp(sample_adam, key), _ctp(adam30, key)
    alb = sample_adam["ADLB"].query("PARAMCD == 'ALB'").groupby(key)["AVAL"].last()  # one per date here
    assert old.index.equals(new.index)
    # Albumin 28 to < 30 g/L leaves the middle band (2 points) for the lowest band (3 points);
    # every other CTP is unchanged.
    moved = alb.reindex(old.index).between(28, 30, inclusive="left").to_numpy()
    assert moved.sum() > 0
    np.testing.assert_array_equal((new - old).to_numpy(), np.where(moved, 1.0, 0.0))
    # ... and the ADSL baseline class follows.
    base_old = sample_adam["ADSL"].set_index("USUBJID")["CTPBL"]
    base_new = adam30["ADSL"].set_index("USUBJID")["CTPBL"]
    assert ((base_new - base_old).dropna().isin([0.0, 1.0])).all() and (base_new > base_old).any()

    defines = {name: build_define(spec, "ADaM", {k: (f, None) for k, f in frames.items()},
                                  creation_datetime="2025-03-28T00:00:00")
               for name, spec, frames in (("28", sample_spec, sample_adam), ("30", spec30, adam30))}
    assert "albumin (> 35, 28-35, < 28 g/L" in _method_text(defines["28"], "MT.ADLB.CTP")
    assert "albumin (> 35, 30-35, < 30 g/L" in _method_text(defines["30"], "MT.ADLB.CTP")
    assert "28-35" not in _method_text(defines["30"], "MT.ADLB.CTP")
    # ... and so does the ADRG, which quotes the same method texts.
    guides = {name: render_html(build_documents(spec, {**sample_sdtm, **frames}, [])["adrg"][1])
              for name, spec, frames in (("28", sample_spec, sample_adam), ("30", spec30, adam30))}
    assert "albumin (&gt; 35, 28-35, &lt; 28 g/L" in guides["28"]
    assert "albumin (&gt; 35, 30-35, &lt; 30 g/L" in guides["30"] and "28-35" not in guides["30"]


def test_02_meld_cap_in_the_spec_reaches_the_method_text(tmp_path):
    spec = load_spec(_specs_copy(tmp_path, "bounds: [6, 40]", "bounds: [6, 42]"))
    assert "bounded to 6..42" in spec.methods["MT.ADLB.MELD"].description
    assert "{{" not in "".join(m.description for m in spec.methods.values())


def test_03_a_placeholder_naming_no_convention_stops_the_spec(tmp_path):
    root = tmp_path / "specs"
    shutil.copytree(REPO / "specs", root)
    methods = root / "methods.yaml"
    methods.write_text(methods.read_text(encoding="utf-8").replace(
        "{{ meld_na.cap }}", "{{ meld_na.ceiling }}", 1), encoding="utf-8")
    with pytest.raises(SpecError) as err:
        load_spec(root)
    issue = next(i for i in err.value.issues if i.rule == "spec.convention-unknown")
    assert (issue.file, issue.value) == ("specs/methods.yaml", "meld_na.ceiling")


def test_04_unit_notes_state_the_factors(sample_spec):
    # The human-readable note beside each factor says the same thing: mg/dL x 17.1 (SI standard units).
    conventions = sample_spec.study.conventions
    units = lab_units(conventions)
    assert conventions["lab_unit_system"] == "SI"
    assert (units["BILI"]["standard"], units["CREAT"]["standard"], units["ALB"]["standard"]) == (
        "umol/L", "umol/L", "g/L")
    assert (units["BILI"]["from"]["mg/dL"], units["CREAT"]["from"]["mg/dL"], units["ALB"]["from"]["g/dL"]) == (
        17.1, 88.4, 10.0)
    assert units["BILI"]["from"]["umol/L"] == units["CREAT"]["from"]["umol/L"] == 1.0
    assert (units["BILI"]["note"], units["CREAT"]["note"], units["ALB"]["note"]) == (
        "mg/dL x 17.1", "mg/dL x 88.4", "g/dL x 10")


def test_05_adlb_uses_the_spec_factor_table(sample_spec, sample_sdtm, sample_adam):
    # ADLB AVAL of TBIL = LB's original mg/dL result x the spec's factor (no second table).
    factor = lab_units(sample_spec.study.conventions)["BILI"]["from"]["mg/dL"]
    lb = sample_sdtm["LB"].query("LBTESTCD == 'BILI' and LBORRESU == 'mg/dL'").copy()
    lb["ORIG"] = pd.to_numeric(lb["LBORRES"], errors="coerce")
    adlb = sample_adam["ADLB"].query("PARAMCD == 'TBIL' and SRCDOM == 'LB'")
    both = adlb.merge(lb, left_on=["USUBJID", "SRCSEQ"], right_on=["USUBJID", "LBSEQ"]).dropna(subset=["ORIG"])
    assert len(both) > 100
    np.testing.assert_allclose(both["AVAL"], both["ORIG"] * factor, rtol=0, atol=0.05 + 1e-9)  # LB: 1 d.p.


ASCITES_MAP = "ascites: {absent: 1, slight: 2, moderate: 3}"


def test_06_ascites_grade_map_changes_adlb_define_and_adrg(tmp_path, sample_spec, sample_sdtm, sample_adam):
    # Slight ascites scored 3 instead of 2: every CTP whose ascites result is "slight" rises by one.
    spec3 = load_spec(_specs_copy(tmp_path, ASCITES_MAP, "ascites: {absent: 1, slight: 3, moderate: 3}"))
    adam3 = build_adam(sample_sdtm, spec3)

    key = ["USUBJID", "ADT"]
    old, new = _ctp(sample_adam, key), _ctp(adam3, key)
    assert old.index.equals(new.index)
    rs = sample_sdtm["RS"].query("RSTESTCD == 'CPS0102'").copy()
    rs["ADT"] = pd.to_datetime(rs["RSDTC"].str[:10])
    rs = rs.sort_values(["USUBJID", "ADT", "RSDTC", "RSSEQ"]).drop_duplicates(key, keep="last")
    slight = (rs.set_index(key)["RSORRES"].str.lower() == "slight").reindex(old.index).fillna(False).to_numpy()
    assert slight.sum() > 50
    np.testing.assert_array_equal((new - old).to_numpy(), np.where(slight, 1.0, 0.0))

    defines = {name: build_define(spec, "ADaM", {k: (f, None) for k, f in frames.items()},
                                  creation_datetime="2025-03-28T00:00:00")
               for name, spec, frames in (("2", sample_spec, sample_adam), ("3", spec3, adam3))}
    assert "absent = 1, slight = 2, moderate = 3" in _method_text(defines["2"], "MT.ADLB.CTP")
    assert "absent = 1, slight = 3, moderate = 3" in _method_text(defines["3"], "MT.ADLB.CTP")
    he_points = "GRADE 0 = 1, GRADE 1 = 2, GRADE 2 = 2, GRADE 3 = 3, GRADE 4 = 3"
    assert he_points in _method_text(defines["3"], "MT.ADLB.CTP")
    guides = {name: render_html(build_documents(spec, {**sample_sdtm, **frames}, [])["adrg"][1])
              for name, spec, frames in (("2", sample_spec, sample_adam), ("3", spec3, adam3))}
    assert "slight = 2" in guides["2"] and "slight = 3" not in guides["2"]
    assert "slight = 3" in guides["3"] and "slight = 2" not in guides["3"]


def test_07_a_result_the_grade_map_does_not_name_stops_adlb(tmp_path, sample_sdtm):
    # Dropping "moderate" from the map: the RS records holding it are named, not silently scored.
    spec = load_spec(_specs_copy(tmp_path, ASCITES_MAP, "ascites: {absent: 1, slight: 2}"))
    with pytest.raises(DerivationError) as err:
        build_adam(sample_sdtm, spec)
    issues = [i for i in err.value.issues if i.rule == "adam.ctp-grade-unknown"]
    moderate = sample_sdtm["RS"].query("RSTESTCD == 'CPS0102' and RSORRES == 'moderate'")
    assert issues and {i.value for i in issues} == {"moderate"} and issues[0].column == "RSORRES"
    assert len(issues) <= len(moderate)


def test_08_a_missing_convention_is_a_spec_error_naming_the_key():
    from aclf_cdisc.spec.conventions import required_convention

    with pytest.raises(SpecError) as err:
        required_convention({"follow_up_weeks": 48}, "teae_window_days")
    issue = err.value.issues[0]
    assert (issue.rule, issue.file, issue.column) == ("spec.convention-missing", "specs/study.yaml",
                                                      "conventions.teae_window_days")


def test_09_age_group_cutoff_in_the_spec_moves_agegr1_and_its_method(tmp_path, sample_sdtm, sample_adam):
    from aclf_cdisc.adam.adsl import build_adsl_core

    spec = load_spec(_specs_copy(tmp_path, "age_group_cutoff: 50 ", "age_group_cutoff: 60 "))
    adsl = build_adsl_core(sample_sdtm, spec).set_index("USUBJID")
    age = sample_adam["ADSL"].set_index("USUBJID")["AGE"]
    assert (sample_adam["ADSL"]["AGEGR1"] == "<50").sum() == (age < 50).sum()
    assert (adsl["AGEGR1"] == "<50").sum() == (age < 60).sum() > (age < 50).sum()
    assert "when AGE < 60" in spec.methods["MT.ADSL.AGEGR1"].description


def test_10_teae_window_in_the_spec_moves_trtemfl_and_its_method(tmp_path, sample_sdtm, sample_adam):
    spec = load_spec(_specs_copy(tmp_path, "teae_window_days: 28 ", "teae_window_days: 7 "))
    assert "no later than 7 days after the last infusion (TRTEDT + 7)" in spec.methods["MT.ADAE.TRTEMFL"].description
    key = ["USUBJID", "AESEQ"]
    old = sample_adam["ADAE"].set_index(key)
    new = build_adam(sample_sdtm, spec)["ADAE"].set_index(key).reindex(old.index)
    late = (old["ASTDT"] > old["TRTEDT"] + pd.Timedelta(days=7)).to_numpy()
    was = (old["TRTEMFL"] == "Y").to_numpy()
    now = (new["TRTEMFL"] == "Y").to_numpy()
    # Emergent records starting 8 to 28 days after the last infusion are no longer emergent; the
    # rest keep their flag.
    assert (was & late).sum() > 0
    np.testing.assert_array_equal(now, was & ~late)


def test_11_birth_date_imputation_comes_from_the_spec(tmp_path, sample_spec):
    from aclf_cdisc.sdtm.domains.dm import derive_age
    from aclf_cdisc.sdtm.mapping import MappingContext

    # consent 2024-03-10; born "1970-03" (day unknown) and "1970" (month and day unknown)
    frame = pd.DataFrame({"BRTHDTC": ["1970-03", "1970"], "RFICDTC": ["2024-03-10", "2024-03-10"],
                          "dm.AGE": [None, None]})
    old = derive_age(frame, MappingContext(spec=sample_spec, dataset=sample_spec.dataset("DM")))
    assert old.tolist() == [53.0, 53.0]  # 15 March and 1 July 1970 not yet reached on 10 March 2024
    spec = load_spec(_specs_copy(tmp_path, "{unknown_day: 15, unknown_month: 7, unknown_month_day: 1}",
                                 "{unknown_day: 1, unknown_month: 1, unknown_month_day: 1}"))
    new = derive_age(frame, MappingContext(spec=spec, dataset=spec.dataset("DM")))
    assert new.tolist() == [54.0, 54.0]  # 1 March and 1 January 1970: birthdays passed
    assert "day 1 of the month is assumed, and month 1 day 1" in " ".join(spec.methods["MT.DM.AGE"].description.split())
