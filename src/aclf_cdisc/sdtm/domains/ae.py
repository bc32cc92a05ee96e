"""AE (Adverse Events): one record per adverse event of the ae log form, MedDRA-coded.

Source: the raw ``ae`` form. Needs DM (USUBJID, RFSTDTC for AESTDY/AEENDY) and SE (EPOCH).

Decisions (specs/methods.yaml, comments.yaml):

* AESTDTC/AEENDTC are ISO 8601 truncated at the first unknown part ("UN UNK 2023" -> "2023",
  "UN NOV 2023" -> "2023-11"), never padded; AESTDY/AEENDY and EPOCH are empty for them.
* AEBODSYS/AEBDSYCD = the primary SOC of the coding (MT.AE.AEBODSYS).
* AEENRTPT = ONGOING and AEENTPT = END OF STUDY when the CRF says the event is ongoing.
* AEGRPID as collected: a worsened pre-existing AE and its original record share it.
* No SUPPAE: every collected item has a standard variable; treatment emergence is ADaM's.
* Severity, seriousness, causality, action and outcome are recoded to their codelists; a value
  no term knows is an error Issue naming the file row (the build stops).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from aclf_cdisc.errors import Issue
from aclf_cdisc.raw.reader import ROW_COL
from aclf_cdisc.sdtm.assemble import assemble_form, form_file, frame_file
from aclf_cdisc.sdtm.derivations import COMMON_DERIVATIONS
from aclf_cdisc.sdtm.duplicates import drop_duplicate_records, key_conflicts
from aclf_cdisc.sdtm.finish import finish
from aclf_cdisc.sdtm.map_inputs import MapInputs
from aclf_cdisc.sdtm.mapping import Derivation, MappingContext, apply_mappings
from aclf_cdisc.sdtm.study_day import compute_dy
from aclf_cdisc.sdtm.timing import derive_timing
from aclf_cdisc.spec.model import Spec

DOMAIN = "AE"
FORM = "ae"
ONGOING = "ONGOING"  # CL.STENRF
END_OF_STUDY = "END OF STUDY"  # AEENTPT: the reference time point the CRF's "ongoing" refers to


def derive_aebodsys(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    """The primary system organ class of the MedDRA coding."""
    return frame["AESOC"].astype(object)


def derive_aebdsycd(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    return pd.to_numeric(frame["AESOCCD"], errors="coerce").astype("float64")


def _ongoing(frame: pd.DataFrame) -> pd.Series:
    return frame["ae.AEONGO"].fillna("").astype(str).str.strip().str.upper().eq("Y")


def _when_ongoing(frame: pd.DataFrame, value: str) -> pd.Series:
    return pd.Series(value, index=frame.index, dtype=object).where(_ongoing(frame), None)


def derive_aeenrtpt(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    return _when_ongoing(frame, ONGOING)


def derive_aeentpt(frame: pd.DataFrame, context: MappingContext) -> pd.Series:
    return _when_ongoing(frame, END_OF_STUDY)


DERIVATIONS: dict[str, Derivation] = {
    **COMMON_DERIVATIONS,
    "derive_aebodsys": derive_aebodsys,
    "derive_aebdsycd": derive_aebdsycd,
    "derive_aeenrtpt": derive_aeenrtpt,
    "derive_aeentpt": derive_aeentpt,
}
MAP_INPUTS = MapInputs(forms=(FORM,), derivations=frozenset(DERIVATIONS))


def ongoing_issues(frame: pd.DataFrame) -> list[Issue]:
    """An event marked ongoing that also has an end date: reported (warning), both kept as collected."""
    both = _ongoing(frame) & frame["AEENDTC"].notna()
    return [
        Issue(rule="sdtm.ae-ongoing-with-end", severity="warning", message="AE is marked ongoing but has an end date",
              file=frame_file(frame, FORM), dataset=DOMAIN, row=int(row), column="AEENDTC", value=end,
              expected="no end date when AEONGO = Y")
        for row, end in zip(frame.loc[both, ROW_COL], frame.loc[both, "AEENDTC"], strict=True)
    ]


def build_ae(raw: Any, spec: Spec, *, dm: pd.DataFrame, se: pd.DataFrame,
             issues: list[Issue] | None = None) -> pd.DataFrame:
    """Build AE from the raw ae form.

    ``dm``: SDTM DM (USUBJID, RFSTDTC); ``se``: SDTM SE (EPOCH from AESTDTC). Errors (values no
    codelist term knows, unreadable dates, subjects not in DM, conflicting duplicates) raise
    :class:`~aclf_cdisc.errors.InputError` with every Issue; warnings go to ``issues``.
    """
    dataset = spec.dataset(DOMAIN)
    found: list[Issue] = []
    assembled = assemble_form(raw, spec, FORM, dm, dataset=DOMAIN, issues=found)
    frame, mapped = apply_mappings(assembled, dataset, spec, DERIVATIONS)
    found += mapped
    mapped_columns = [v.name for v in dataset.variables if v.mapping is not None] + ["ae.AEONGO"]
    frame = drop_duplicate_records(frame, mapped_columns, dataset=DOMAIN, file=form_file(raw, FORM),
                                   issues=found)
    frame = derive_timing(frame, spec, dataset=DOMAIN, form=FORM, dtc_var="AESTDTC", dy_var="AESTDY", se=se,
                          visit_map=None, issues=found)
    frame["AEENDY"] = compute_dy(frame["AEENDTC"], frame["_RFSTDTC"]).astype("float64")
    found += ongoing_issues(frame)
    found += key_conflicts(frame, [k for k in dataset.keys if k != "AESEQ"], dataset=DOMAIN,
                           file=form_file(raw, FORM))
    return finish(frame, dataset, found, issues, "AESEQ")
