"""build_adam: SDTM frames -> ADaM frames (ADSL, ADLB, ADAE, ADTTE), each conformed to its spec.

Order: ADSL without baselines (its core), then :data:`ADAM_GROUPS`, which read SDTM and ADSL's
core and need nothing from each other (ADLB; ADAE and ADTTE), then ADSL's baselines from ADLB. Any data a
derivation cannot handle stops the build with a DerivationError listing every problem found
(never a silently wrong number); its Issues name the raw record behind the SDTM record they
concern (:func:`aclf_cdisc.sdtm.lineage.cite_sources`). Dates stay datetime64 in memory; the transport layer writes
them as SAS dates with their DATE9. format.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial

import pandas as pd

from aclf_cdisc.adam.adae import build_adae
from aclf_cdisc.adam.adlb import build_adlb
from aclf_cdisc.adam.adsl import adam_convention, add_baselines, build_adsl_core
from aclf_cdisc.adam.adtte import build_adtte
from aclf_cdisc.errors import AclfError, DerivationError, Issue
from aclf_cdisc.sdtm.conform import conform_to_spec
from aclf_cdisc.sdtm.lineage import cite_sources
from aclf_cdisc.spec.model import Dataset, Spec
from aclf_cdisc.tasks import MapEach, serial_map

ADAM_DATASETS = ("ADSL", "ADLB", "ADAE", "ADTTE")
REQUIRED_SDTM = ("DM", "DS", "EX", "LB", "AE")
#: The datasets built from SDTM and ADSL's core (no baseline: ADSL takes its baselines from ADLB
#: after them), in groups that need nothing from each other; the first, ADLB, is the largest.
ADAM_GROUPS: tuple[tuple[str, ...], ...] = (("ADLB",), ("ADAE", "ADTTE"))


def _is_date(variable: object) -> bool:
    fmt = getattr(variable, "display_format", None) or ""
    return bool(getattr(variable, "is_numeric", False)) and fmt.upper().startswith(("DATE", "E8601DA", "YYMMDD"))


def conform_adam(frame: pd.DataFrame, dataset: Dataset) -> pd.DataFrame:
    """conform_to_spec, with numeric date variables (SAS date formats) as datetime64 columns."""
    dates = {v.name: pd.to_datetime(frame[v.name]) for v in dataset.variables
             if _is_date(v) and v.name in frame.columns}
    return conform_to_spec(frame.assign(**dates), dataset)


def build_adam(sdtm: Mapping[str, pd.DataFrame], spec: Spec, *,
               map_each: MapEach = serial_map) -> dict[str, pd.DataFrame]:
    """ADSL, ADLB, ADAE and ADTTE from the SDTM frames (keyed by upper-case domain).

    :data:`ADAM_GROUPS` are computed by ``map_each`` (in a one-block build, ADLB in the build's
    process and ADAE and ADTTE beside it on a forked worker): the same datasets wherever they ran.
    """
    frames = {name.upper(): frame for name, frame in sdtm.items()}
    missing = [d for d in REQUIRED_SDTM if d not in frames]
    if missing:
        raise DerivationError([Issue(rule="adam.sdtm-missing", dataset=d, message=f"SDTM {d} is needed for ADaM",
                                     expected="the SDTM dataset") for d in missing])
    built: dict[str, pd.DataFrame] = {}
    try:
        built["ADSL"] = build_adsl_core(frames, spec)
        for group in map_each(partial(_build_group, frames, built["ADSL"], spec), ADAM_GROUPS):
            built.update(group)
        stage1 = str(min(adam_convention(spec, "ADLB", "basetypes").items())[1])
        built["ADSL"] = add_baselines(built["ADSL"], built["ADLB"], spec, basetype=stage1)
    except AclfError as exc:  # the same error, its Issues naming the raw records behind them
        raise type(exc)(cite_sources(exc.issues, {**frames, **built}, spec), exc.summary) from exc
    return {name: conform_adam(built[name], spec.dataset(name)) for name in ADAM_DATASETS}


def _build_group(frames: Mapping[str, pd.DataFrame], adsl_core: pd.DataFrame, spec: Spec,
                 names: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    """The datasets of one of :data:`ADAM_GROUPS`, built from SDTM and ADSL's core."""
    builders = {"ADLB": build_adlb, "ADAE": build_adae, "ADTTE": build_adtte}
    return {name: builders[name](frames, adsl_core, spec) for name in names}
