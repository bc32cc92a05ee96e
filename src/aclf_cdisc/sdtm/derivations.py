"""Derivations several domain specs name (``map: {rule: derive, function: ...}``).

Domain modules start their registry from :data:`COMMON_DERIVATIONS` and add their own.
"""

from __future__ import annotations

import pandas as pd

from aclf_cdisc.sdtm.mapping import Derivation, MappingContext
from aclf_cdisc.sdtm.study_day import compute_dy


def derive_studyid(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    """STUDYID of the spec's study on every record."""
    return pd.Series(context.spec.study.studyid, index=frame.index, dtype=object)


def derive_usubjid(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    """USUBJID as the assembled frame carries it."""
    return frame["USUBJID"].astype(object)


def dm_rfstdtc(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    """Each record's DM.RFSTDTC (``context.domains["DM"]``)."""
    return frame["USUBJID"].map(context.domains["DM"].set_index("USUBJID")["RFSTDTC"])


def study_day(dtc_var: str) -> Derivation:
    """The --DY derivation of ``dtc_var`` against DM.RFSTDTC (float, as SAS numerics are)."""

    def derive(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
        return compute_dy(frame[dtc_var], dm_rfstdtc(frame, context)).astype("float64")

    derive.__doc__ = f"Study day of {dtc_var} (DM.RFSTDTC is day 1)."
    return derive


COMMON_DERIVATIONS: dict[str, Derivation] = {
    "derive_studyid": derive_studyid,
    "derive_usubjid": derive_usubjid,
}
