"""EPOCH from the subject's elements (SE): the element whose interval holds the date."""

from __future__ import annotations

import pandas as pd

from aclf_cdisc.sdtm.study_day import iso_date_part


def derive_var_epoch(
    dataset: pd.DataFrame,
    dtc_var: str,
    se: pd.DataFrame,
    new_var: str = "EPOCH",
) -> pd.DataFrame:
    """Add EPOCH: the epoch of the subject's element with SESTDTC <= date < SEENDTC.

    Comparison is on the date part (SDTMIG 3.4 section 5.3: when one element ends on the day the
    next starts, a date on that day belongs to the later element). The subject's last element
    includes its end date (or is open when SEENDTC is empty). Partial or missing dates, and
    dates outside every element, get no EPOCH. Vectorised (one as-of join), so it scales
    linearly with the number of records.
    """
    if new_var in dataset.columns:
        raise ValueError(f"{new_var} already exists; derive_var_epoch does not overwrite")
    if dataset.empty or se.empty:
        return dataset.assign(**{new_var: pd.Series(pd.NA, index=dataset.index, dtype="object")})
    records = pd.DataFrame(
        {
            "_pos": range(len(dataset)),
            "USUBJID": dataset["USUBJID"].astype(str).to_numpy(),
            "_date": pd.to_datetime(iso_date_part(dataset[dtc_var]), errors="coerce").to_numpy(),
        }
    )
    elements = pd.DataFrame(
        {
            "USUBJID": se["USUBJID"].astype(str).to_numpy(),
            "_start": pd.to_datetime(iso_date_part(se["SESTDTC"]), errors="coerce").to_numpy(),
            "_end": pd.to_datetime(iso_date_part(se["SEENDTC"]), errors="coerce").to_numpy(),
            "_order": pd.to_numeric(se["TAETORD"], errors="coerce").to_numpy(),
            "_epoch": se["EPOCH"].to_numpy(dtype=object),
        }
    ).dropna(subset=["_start"])
    elements = elements.sort_values(["USUBJID", "_start", "_order"], kind="mergesort")
    elements["_last"] = ~elements.duplicated("USUBJID", keep="last")
    elements = elements.drop_duplicates(["USUBJID", "_start"], keep="last").sort_values("_start")

    dated = records.dropna(subset=["_date"]).sort_values("_date", kind="mergesort")
    matched = pd.merge_asof(
        dated, elements, left_on="_date", right_on="_start", by="USUBJID", direction="backward"
    )
    before_end = matched["_date"] < matched["_end"]
    closes_last = matched["_last"].fillna(False).astype(bool) & (
        (matched["_date"] <= matched["_end"]) | matched["_end"].isna()
    )
    matched = matched[matched["_start"].notna() & (before_end | closes_last)]

    epoch = pd.Series(pd.NA, index=range(len(dataset)), dtype="object")
    epoch.loc[matched["_pos"].to_numpy()] = matched["_epoch"].to_numpy()
    out = dataset.copy()
    out[new_var] = epoch.to_numpy()
    return out
