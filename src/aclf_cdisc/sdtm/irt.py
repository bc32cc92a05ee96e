"""The IRT export: randomization records and treatment groups, and what a blinded build may read.

Both IRT files (``irt_rand``: both randomization stages; ``irt_kits``: the kit list) unblind, so
an unblinded build needs them (:func:`require_irt`) and a blinded one never reads their treatment
columns (arms and treatments become :data:`BLINDED`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from pandas.api.typing import NAType

from aclf_cdisc.errors import InputError, Issue
from aclf_cdisc.raw.reader import FILE_COL, ROW_COL
from aclf_cdisc.sdtm.assemble import frame_file, get_form, raw_forms, with_usubjid
from aclf_cdisc.sdtm.dates import to_iso8601
from aclf_cdisc.spec.model import Spec

BLINDED = "BLINDED"  # arm value of a blinded build (IRT treatment columns not read)
MSC, PBO = "hUC-MSC", "Placebo"  # IRT treatment group values (irt_rand/irt_kits TRTGRP)
IRT_FORMS = ("irt_rand", "irt_kits")


def irt_available(raw: Any) -> bool:
    """True when the raw export holds both IRT files."""
    forms = raw_forms(raw)
    return all(forms.get(name) is not None for name in IRT_FORMS)


def require_irt(raw: Any, blinded: bool, dataset: str) -> None:
    """Unblinded builds need both IRT files; say so clearly instead of producing blank arms."""
    if blinded:
        return
    missing = [name for name in IRT_FORMS if raw_forms(raw).get(name) is None]
    if missing:
        raise InputError([
            Issue(rule="sdtm.irt-missing",
                  message=f"{dataset} needs the IRT export {name} to derive treatment; run a blinded build "
                  "(blinded=True) to get placeholder arms instead",
                  dataset=dataset, file=f"{name}.csv", expected=f"{name}.csv in the raw export")
            for name in missing
        ])


def irt_group(value: str | float | NAType | None, *, file: str = "irt_rand.csv", row: int | None = None) -> str | None:
    """The IRT treatment group (hUC-MSC or Placebo, case and white space folded); None when missing.

    An unknown group is an error citing ``file`` and ``row``, the irt_rand record it was read from.
    """
    if value is None or pd.isna(value):
        return None
    folded = " ".join(str(value).split()).casefold()
    for group in (MSC, PBO):
        if folded == group.casefold():
            return group
    raise InputError(Issue(rule="sdtm.irt-group-unknown", message="IRT treatment group is not hUC-MSC or Placebo",
                           file=file, row=row, column="TRTGRP", value=value, expected="hUC-MSC or Placebo"))


def assemble_randomization(raw: Any, spec: Spec, *, blinded: bool) -> pd.DataFrame:
    """One row per randomized subject: RAND1DTC, RAND1NO, RAND1GRP, RAND2DTC, RAND2NO, RAND2GRP, and each
    stage's irt_rand record (RAND1__file, RAND1__row, ...).

    Groups are None in a blinded build (TRTGRP is never read). Empty frame when irt_rand is absent.
    """
    columns = ["USUBJID", "RAND1DTC", "RAND1NO", "RAND1GRP", "RAND2DTC", "RAND2NO", "RAND2GRP"]
    rand = get_form(raw, "irt_rand", required=False)
    if rand is None:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    rand = with_usubjid(rand, spec)
    file = frame_file(rand, "irt_rand")
    rand["DTC"] = to_iso8601(rand["RANDDAT"], rand["RANDTIM"], dataset="DM", variable="RANDDTC",
                             file=file, rows=rand["_row"])
    rand["GRP"] = None if blinded else [irt_group(g, file=file, row=int(r))
                                        for g, r in zip(rand["TRTGRP"], rand["_row"], strict=True)]
    stage = pd.to_numeric(rand["RANDSTG"], errors="coerce")
    dupes = rand[rand.duplicated(["USUBJID", "RANDSTG"], keep=False)]
    if not dupes.empty:
        raise InputError([Issue(rule="sdtm.duplicate-randomization", message="subject randomized twice at a stage",
                                file=file, row=int(r), column="RANDSTG", value=s)
                          for s, r in zip(dupes["SUBJID"], dupes["_row"], strict=True)])
    out = pd.DataFrame({"USUBJID": rand["USUBJID"].drop_duplicates()})
    for k in (1, 2):
        part = rand[stage == k].set_index("USUBJID")
        out[f"RAND{k}DTC"] = out["USUBJID"].map(part["DTC"])
        out[f"RAND{k}NO"] = out["USUBJID"].map(part["RANDNO"])
        out[f"RAND{k}GRP"] = out["USUBJID"].map(part["GRP"])
        for lineage in (FILE_COL, ROW_COL):  # the irt_rand record of each stage (sdtm.lineage)
            out[f"RAND{k}{lineage}"] = out["USUBJID"].map(part[lineage]) if lineage in part.columns else None
    out = out.astype(object).where(out.notna(), None)
    return out[out["RAND1DTC"].notna() | out["RAND2DTC"].notna()].reset_index(drop=True)
