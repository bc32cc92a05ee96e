"""ADTTE: BDS time-to-event, one record per subject and parameter declared in ``tte_sources``.

The builder only prepares the source datasets the declarations name (``adsl``, ``ds``, ``pr``,
each with the end of follow-up date FUENDDT) and hands each declaration to derive_param_tte.
Rules (origin, events, censoring, ties, caps) are in :mod:`aclf_cdisc.adam.tte_sources` and
specs/methods.yaml (MT.ADTTE.*).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from aclf_cdisc.adam.adsl import follow_up_days, iso_to_date, treatment_number
from aclf_cdisc.adam.derivations import derive_param_tte
from aclf_cdisc.adam.tte_sources import FOLLOW_UP_END, TTE_PARAMETERS, TteParameter, tte_parameters
from aclf_cdisc.errors import DerivationError, Issue
from aclf_cdisc.spec.model import Spec

#: ADSL variables carried onto every ADTTE record.
ADSL_VARS = ("STUDYID", "USUBJID", "SUBJID", "SITEID", "AGE", "AGEGR1", "AGEGR1N", "SEX", "RACE",
             "ITTFL", "SAFFL", "RAND2FL", "TRT01P", "TRT01PN", "TRT02P", "TRT02PN", "RANDDT", "RAND2DT")
#: The period whose planned treatment is TRTP: a parameter starting at RAND2DT analyses stage 2.
STAGE_OF_START = {"RANDDT": 1, "RAND2DT": 2}


def tte_source_datasets(sdtm: Mapping[str, pd.DataFrame], adsl: pd.DataFrame, spec: Spec) -> dict[str, pd.DataFrame]:
    """The frames the declarations in tte_sources refer to, each with FUENDDT."""
    fu_end = adsl[["USUBJID"]].assign(**{FOLLOW_UP_END: adsl["RANDDT"] + pd.Timedelta(days=follow_up_days(spec))})
    out = {"adsl": adsl.merge(fu_end, on="USUBJID", how="left")}
    for name, dtc in (("DS", "DSSTDTC"), ("PR", "PRSTDTC")):
        frame = sdtm.get(name)
        if frame is None:
            frame = pd.DataFrame(columns=["STUDYID", "USUBJID", dtc, f"{name}SEQ"])
        frame = frame[frame["USUBJID"].isin(set(adsl["USUBJID"]))].copy()
        frame[dtc[:-1]] = iso_to_date(frame, dtc, dtc[:-1], dataset_name=name) if len(frame) else pd.NaT
        frame[dtc[:-1]] = frame[dtc[:-1]].astype("datetime64[ns]")
        out[name.lower()] = frame.merge(fu_end, on="USUBJID", how="left")
    _check_event_dates(out)
    return out


def _check_event_dates(sources: Mapping[str, pd.DataFrame]) -> None:
    """A death or transplant record without a complete date would silently drop out of the cap filters."""
    issues = []
    ds, pr = sources["ds"], sources["pr"]
    checks = [(ds[(ds.get("DSDECOD") == "DEATH") & ds["DSSTDT"].isna()], "DS", "DSSTDTC"),
              (pr[pr["PRSTDT"].isna()], "PR", "PRSTDTC")]
    for rows, domain, col in checks:
        for r in rows.itertuples():
            issues.append(Issue(rule="adam.tte-event-date-missing", dataset=domain, row=f"USUBJID={r.USUBJID}",
                                column=col, value=getattr(r, col),
                                message=f"an event record in {domain} has no complete date",
                                expected="YYYY-MM-DD"))
    if issues:
        raise DerivationError(issues)


def build_adtte(sdtm: Mapping[str, pd.DataFrame], adsl: pd.DataFrame, spec: Spec,
                parameters: Sequence[TteParameter] = TTE_PARAMETERS) -> pd.DataFrame:
    """One record per ADSL subject with a start date, for each declared parameter.

    Returns the ADTTE columns before spec conformance (the pipeline orders and types them).
    """
    sources = tte_source_datasets(sdtm, adsl, spec)
    adtte: pd.DataFrame | None = None
    for par in tte_parameters(spec, tuple(parameters)):
        adtte = derive_param_tte(
            adsl, sources, par.start_date, list(par.events), list(par.censors),
            {"PARAMCD": par.paramcd, "PARAM": par.param, "__STAGE": STAGE_OF_START.get(par.start_date, 1)},
            dataset=adtte,
        )
    assert adtte is not None
    out = adtte.merge(adsl[list(ADSL_VARS)], on=["STUDYID", "USUBJID"], how="left")
    stage2 = out["__STAGE"] == 2
    out["TRTP"] = np.where(stage2, out["TRT02P"], out["TRT01P"])
    out["TRTP"] = out["TRTP"].astype(object)
    out["TRTPN"] = treatment_number(spec, out["TRTP"])
    out["PARAMN"] = out["PARAMCD"].map({p.paramcd: float(i + 1) for i, p in enumerate(parameters)})
    out["AVAL"] = out["AVAL"].astype(float)
    out["CNSR"] = out["CNSR"].astype(float)
    return out.drop(columns="__STAGE")
