"""ADAE: OCCDS adverse events analysis dataset, one record per AE record (traceable by AESEQ).

Analysis dates with conservative imputation of partial start dates, study days, the TEAE flag
of study.md (first infusion .. last infusion + teae_window_days, worsened pre-existing AEs), stage
attribution (APERIOD/TRTA) and first-occurrence flags. Rules: methods.yaml MT.ADAE.*.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from aclf_cdisc.adam.adlb import PERIOD_LABELS
from aclf_cdisc.adam.adsl import follow_up_days, period_boundary, treatment_number
from aclf_cdisc.adam.derivations import (
    derive_var_extreme_flag,
    derive_var_max_severity_flag,
    derive_var_trtemfl,
    derive_vars_dt,
    derive_vars_dy,
    derive_vars_period,
)
from aclf_cdisc.errors import DerivationError, Issue
from aclf_cdisc.spec.conventions import required_convention
from aclf_cdisc.spec.model import Spec

SEVERITY_CODELIST = "CL.AESEV"
ADSL_VARS = ("STUDYID", "USUBJID", "SUBJID", "SITEID", "AGE", "AGEGR1", "AGEGR1N", "SEX", "RACE",
             "SAFFL", "ITTFL", "TRT01A", "TRT01AN", "TRT02A", "TRT02AN", "TRTSDT", "TRTEDT",
             "TR01SDT", "TR01EDT", "TR02SDT", "TR02EDT", "TR01SDTM", "TR02SDTM", "DTHDT", "EOSDT", "LSTALVDT")
OCCURRENCE_FLAGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("AOCCFL", ("STUDYID", "USUBJID")),
    ("AOCCSFL", ("STUDYID", "USUBJID", "AEBODSYS")),
    ("AOCCPFL", ("STUDYID", "USUBJID", "AEBODSYS", "AEDECOD")),
)
#: period-level first occurrences (ADaM OCCDS "within period" flags): stage-2 tables count these
PERIOD_OCCURRENCE_FLAGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("AOCPFL", ("STUDYID", "USUBJID", "APERIOD")),
    ("AOCPSFL", ("STUDYID", "USUBJID", "APERIOD", "AEBODSYS")),
    ("AOCPPFL", ("STUDYID", "USUBJID", "APERIOD", "AEBODSYS", "AEDECOD")),
)
MAX_SEVERITY_FLAGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("AOCCIFL", ("STUDYID", "USUBJID")),
    ("AOCCSIFL", ("STUDYID", "USUBJID", "AEBODSYS")),
    ("AOCCPIFL", ("STUDYID", "USUBJID", "AEBODSYS", "AEDECOD")),
)


def build_adae(sdtm: Mapping[str, pd.DataFrame], adsl: pd.DataFrame, spec: Spec) -> pd.DataFrame:
    """ADAE records (before spec conformance) for the AEs of ADSL subjects."""
    ae = sdtm["AE"]
    ae = ae.drop(columns=[c for c in ADSL_VARS if c in ae.columns and c not in ("STUDYID", "USUBJID")])
    adae = ae.merge(adsl[list(ADSL_VARS)], on=["STUDYID", "USUBJID"], how="inner", validate="many_to_one")
    if "AEBODSYS" not in adae.columns:
        adae["AEBODSYS"] = adae["AESOC"]
    if "AEGRPID" not in adae.columns:
        adae["AEGRPID"] = None

    # end date first (an upper bound for the start), imputed to the last day, never after
    # death or end of study
    adae = derive_vars_dt(adae, "AEN", "AEENDTC", highest_imputation="M", date_imputation="last",
                          max_dates=["DTHDT", "EOSDT"], dataset_name="ADAE")
    # start: first day of the unknown part, but never before the first infusion when the partial
    # date allows it (conservative: such an AE stays treatment-emergent), never after the end
    adae = derive_vars_dt(adae, "AST", "AESTDTC", highest_imputation="M", date_imputation="first",
                          min_dates=["TRTSDT"], max_dates=["AENDT"], dataset_name="ADAE")
    bad = adae[(adae["AENDT"] < adae["ASTDT"]).fillna(False)]
    if len(bad):
        raise DerivationError([
            Issue(rule="adam.ae-end-before-start", dataset="AE", row=f"USUBJID={r.USUBJID}, AESEQ={r.AESEQ}",
                  column="AEENDTC", value=r.AEENDTC, message="AE ends before it starts",
                  expected=f">= {r.AESTDTC}") for r in bad.itertuples()])
    adae = derive_vars_dy(adae, "TRTSDT", ["ASTDT", "AENDT"], dataset_name="ADAE")
    for var in ("ASTDY", "AENDY"):
        adae[var] = adae[var].astype(float)

    severities = [t.submission_value for t in spec.codelists[SEVERITY_CODELIST].terms]
    adae["ASEV"] = adae["AESEV"]
    adae["ASEVN"] = adae["ASEV"].map({v: float(i + 1) for i, v in enumerate(severities)})
    window = int(required_convention(spec.study.conventions, "teae_window_days"))
    adae = derive_var_trtemfl(adae, end_window=window, intensity_order=severities, dataset_name="ADAE")

    without_time, start_without_time = period_boundary(spec, "ADAE")
    adae = derive_vars_period(adae, adsl, date="ASTDT", end_window=follow_up_days(spec),
                              period_labels=PERIOD_LABELS, dataset_name="ADAE",
                              observation_without_time=without_time, element_start_without_time=start_without_time)
    adae["APERIOD"] = adae["APERIOD"].astype(float)
    adae["TRTAN"] = treatment_number(spec, adae["TRTA"])

    for name, by in OCCURRENCE_FLAGS:
        adae = derive_var_extreme_flag(adae, by, ("ASTDT", "AESEQ"), name, filter="TRTEMFL == 'Y'",
                                       dataset_name="ADAE")
    for name, by in PERIOD_OCCURRENCE_FLAGS:
        adae = derive_var_extreme_flag(adae, by, ("ASTDT", "AESEQ"), name,
                                       filter="TRTEMFL == 'Y' and APERIOD.notna()", dataset_name="ADAE")
    for name, by in MAX_SEVERITY_FLAGS:
        adae = derive_var_max_severity_flag(adae, by_vars=by, new_var=name, intensity_order=severities,
                                            dataset_name="ADAE")
    return adae.reset_index(drop=True)
