"""TEAE incidence of the analysis page against a plain pandas recount from ADAE and ADSL."""

from __future__ import annotations

import pytest

from aclf_cdisc.analysis.teae import by_soc_pt, overview
from aclf_cdisc.spec.analysis import load_analysis_spec


@pytest.fixture(scope="module")
def safety(sample_spec):
    return load_analysis_spec(sample_spec)["safety"]


def _recount(adae, adsl):
    """Hand-written: safety subjects per TRT01A, TEAE records of those subjects."""
    pop = adsl[adsl["SAFFL"] == "Y"]
    n = {arm: len(g) for arm, g in pop.groupby("TRT01A")}
    te = adae[(adae["TRTEMFL"] == "Y") & adae["USUBJID"].isin(pop["USUBJID"])]
    return n, te


def test_01_overview_equals_recount(safety, sample_adam):
    adae, adsl = sample_adam["ADAE"], sample_adam["ADSL"]
    n, te = _recount(adae, adsl)
    got = overview(adae, adsl, safety).set_index(["category", "arm"])
    for arm, denom in n.items():
        mine = te[te["TRT01A"] == arm]
        serious = mine[mine["AESER"] == "Y"]
        related = mine[mine["AEREL"].isin(["RELATED", "PROBABLY RELATED", "POSSIBLY RELATED"])]
        withdrawn = mine[mine["AEACN"] == "DRUG WITHDRAWN"]
        for cat, part in (("ANY TEAE", mine), ("SERIOUS", serious), ("RELATED", related),
                          ("LEADING TO WITHDRAWAL", withdrawn)):
            row = got.loc[(cat, arm)]
            assert (row["subjects"], row["events"], row["denominator"]) == (
                part["USUBJID"].nunique(), len(part), denom), (cat, arm)
        # maximum severity: each subject counted once, at the worst grade
        worst = {}
        for subject, grades in mine.groupby("USUBJID")["ASEV"]:
            worst[subject] = max(grades, key=["MILD", "MODERATE", "SEVERE"].index)
        for grade in ("MILD", "MODERATE", "SEVERE"):
            subjects = sum(1 for g in worst.values() if g == grade)
            assert got.loc[(f"MAX SEVERITY {grade}", arm), "subjects"] == subjects
    # the totals the page shows
    assert sum(got.loc[("ANY TEAE", a), "events"] for a in n) == len(te)


def test_02_soc_pt_equals_recount(safety, sample_adam):
    adae, adsl = sample_adam["ADAE"], sample_adam["ADSL"]
    n, te = _recount(adae, adsl)
    got = by_soc_pt(adae, adsl, safety).set_index(["soc", "pt", "arm"])
    for (soc, pt, arm), part in te.groupby(["AEBODSYS", "AEDECOD", "TRT01A"]):
        assert tuple(got.loc[(soc, pt, arm), ["subjects", "events"]]) == (part["USUBJID"].nunique(), len(part))
    for (soc, arm), part in te.groupby(["AEBODSYS", "TRT01A"]):
        assert tuple(got.loc[(soc, "", arm), ["subjects", "events"]]) == (part["USUBJID"].nunique(), len(part))
    # a PT that one arm never had is a zero row, not a missing one
    assert len(got) == (te[["AEBODSYS", "AEDECOD"]].drop_duplicates().shape[0]
                        + te["AEBODSYS"].nunique()) * len(n)
