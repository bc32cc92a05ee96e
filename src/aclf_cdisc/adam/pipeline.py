"""build_adam: SDTM frames -> ADaM frames (ADSL, ADLB, ADAE, ADTTE), each conformed to its spec.

Order: ADSL without baselines -> ADLB -> ADSL baselines from ADLB -> ADAE, ADTTE. Any data a
derivation cannot handle stops the build with a DerivationError listing every problem found
(never a silently wrong number); its Issues name the raw record behind the SDTM record they
concern (:func:`aclf_cdisc.sdtm.lineage.cite_sources`). Dates stay datetime64 in memory; the transport layer writes
them as SAS dates with their DATE9. format.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from aclf_cdisc.adam.adae import build_adae
from aclf_cdisc.adam.adlb import build_adlb
from aclf_cdisc.adam.adsl import adam_convention, add_baselines, build_adsl_core
from aclf_cdisc.adam.adtte import build_adtte
from aclf_cdisc.errors import AclfError, DerivationError, Issue
from aclf_cdisc.sdtm.conform import conform_to_spec
from aclf_cdisc.sdtm.lineage import cite_sources
from aclf_cdisc.spec.model import Dataset, Spec

ADAM_DATASETS = ("ADSL", "ADLB", "ADAE", "ADTTE")
REQUIRED_SDTM = ("DM", "DS", "EX", "LB", "AE")


def _is_date(variable: object) -> bool:
    fmt = getattr(variable, "display_format", None) or ""
    return bool(getattr(variable, "is_numeric", False)) and fmt.upper().startswith(("DATE", "E8601DA", "YYMMDD"))


def conform_adam(frame: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """conform_to_spec, with numeric date variables (SAS date formats) as datetime64 columns."""
    dates = {v.name: pd.to_datetime(frame[v.name]) for v in dataset.variables
             if _is_date(v) and v.name in frame.columns}
    return conform_to_spec(frame.assign(**dates), dataset)


def build_adam(sdtm: Mapping[str, pd.DataFrame], spec: Spec) -> dict[str, pd.DataFrame]:
    """ADSL, ADLB, ADAE and ADTTE from the SDTM frames (keyed by upper-case domain)."""
    frames = {name.upper(): frame for name, frame in sdtm.items()}
    missing = [d for d in REQUIRED_SDTM if d not in frames]
    if missing:
        raise DerivationError([Issue(rule="adam.sdtm-missing", dataset=d, message=f"SDTM {d} is needed for ADaM",
                                     expected="the SDTM dataset") for d in missing])
    built: dict[str, pd.DataFrame] = {}
    try:
        built["ADSL"] = build_adsl_core(frames, spec)
        built["ADLB"] = build_adlb(frames, built["ADSL"], spec)
        stage1 = str(min(adam_convention(spec, "ADLB", "basetypes").items())[1])
        built["ADSL"] = add_baselines(built["ADSL"], built["ADLB"], spec, basetype=stage1)
        built["ADAE"] = build_adae(frames, built["ADSL"], spec)
        built["ADTTE"] = build_adtte(frames, built["ADSL"], spec)
    except AclfError as exc:  # the same error, its Issues naming the raw records behind them
        raise type(exc)(cite_sources(exc.issues, {**frames, **built}, spec), exc.summary) from exc
    return {name: conform_adam(built[name], spec.dataset(name)) for name in ADAM_DATASETS}
