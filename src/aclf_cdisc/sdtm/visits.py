"""VISITNUM / VISIT from the trial visits (TV), with unscheduled visits numbered conventionally.

EDC folder names are matched to each TV visit's ``edc_folder`` (or its VISIT when the spec
gives none) case-insensitively with white space folded ("week  4" -> "Week 4"). An unscheduled
folder ("Unscheduled 1", ...) is numbered after the last scheduled visit the subject had on or
before its date: VISITNUM = that visit's VISITNUM + 0.01 x k, k counting the subject's
unscheduled visits since that scheduled visit in date order, and VISIT = "UNSCHEDULED
<VISITNUM>" (e.g. "UNSCHEDULED 4.01"), the convention of the CDISC pilot and most sponsors.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from aclf_cdisc.errors import Issue
from aclf_cdisc.sdtm.assemble import frame_file, get_form, with_usubjid
from aclf_cdisc.sdtm.dates import raw_to_iso8601
from aclf_cdisc.sdtm.study_day import iso_date_part
from aclf_cdisc.sdtm.text import map_distinct
from aclf_cdisc.spec.model import Spec, Study

UNSCHEDULED_PREFIX = "unscheduled"


def fold_name(name: object) -> str:
    """An EDC folder name with white space folded and case removed ("Week  4" -> "week 4")."""
    return " ".join(str(name).split()).casefold()


def is_unscheduled(folder: pd.Series) -> pd.Series:
    """True for unscheduled EDC folders ("Unscheduled n")."""
    return map_distinct(folder, fold_name).str.startswith(UNSCHEDULED_PREFIX)


def scheduled_visit_lookup(study: Study) -> pd.DataFrame:
    """TV visits keyed by their folded EDC folder name (``edc_folder``, else VISIT)."""
    return pd.DataFrame(
        {
            "FOLDER": [fold_name(v.edc_folder or v.visit) for v in study.visits],
            "VISITNUM": [float(v.visitnum) for v in study.visits],
            "VISIT": [v.visit for v in study.visits],
        }
    ).drop_duplicates("FOLDER")


def derive_visit_map(visits: pd.DataFrame, study: Study, *, folder_var: str, dtc_var: str) -> pd.DataFrame:
    """Build the subject-level visit map (USUBJID, FOLDER (folded EDC folder name), VISITNUM, VISIT) from visit records.

    ``visits`` holds one row per visit that occurred (the SV source): USUBJID, the EDC folder in
    ``folder_var`` and the visit date in ``dtc_var`` (ISO 8601). Unscheduled folders are numbered
    as the module docstring says; folders that are neither scheduled nor unscheduled are left
    out (derive_vars_visit reports them).
    """
    tv = scheduled_visit_lookup(study)
    frame = pd.DataFrame(
        {
            "USUBJID": visits["USUBJID"].astype(str).to_numpy(),
            "FOLDER": visits[folder_var].map(fold_name).to_numpy(),
            "_date": pd.to_datetime(iso_date_part(visits[dtc_var]), errors="coerce").to_numpy(),
        }
    ).drop_duplicates(["USUBJID", "FOLDER"])
    scheduled = frame.merge(tv, on="FOLDER", how="inner")
    unscheduled = frame[frame["FOLDER"].str.startswith(UNSCHEDULED_PREFIX)].copy()
    if not unscheduled.empty:
        anchors = scheduled.dropna(subset=["_date"]).sort_values("_date", kind="mergesort")
        unscheduled = unscheduled.sort_values(["_date", "FOLDER"], kind="mergesort", na_position="last")
        dated = unscheduled.dropna(subset=["_date"])
        placed = pd.merge_asof(
            dated,
            anchors[["USUBJID", "_date", "VISITNUM"]].rename(columns={"VISITNUM": "_base"}),
            on="_date",
            by="USUBJID",
            direction="backward",
            allow_exact_matches=True,
        )
        placed["_base"] = placed["_base"].fillna(0.0)
        placed = placed.sort_values(["USUBJID", "_base", "_date", "FOLDER"], kind="mergesort")
        placed["VISITNUM"] = (
            placed["_base"] + 0.01 * (placed.groupby(["USUBJID", "_base"]).cumcount() + 1)
        ).round(2)
        placed["VISIT"] = placed["VISITNUM"].map(lambda n: f"UNSCHEDULED {n:.2f}")
        unscheduled = placed[["USUBJID", "FOLDER", "VISITNUM", "VISIT"]]
    else:
        unscheduled = pd.DataFrame(columns=["USUBJID", "FOLDER", "VISITNUM", "VISIT"])
    combined = pd.concat(
        [scheduled[["USUBJID", "FOLDER", "VISITNUM", "VISIT"]], unscheduled], ignore_index=True
    )
    return combined.sort_values(["USUBJID", "VISITNUM"], kind="mergesort").reset_index(drop=True)


def subject_visit_map(raw: Any, spec: Spec) -> pd.DataFrame:
    """The subjects' visit map (USUBJID, FOLDER, VISITNUM, VISIT) from the visits of the raw sv form that occurred.

    Every domain with an EDC folder uses this one map, so an unscheduled visit has the same
    VISITNUM everywhere. Unreadable visit dates are SV's to report; here they place no visit.
    """
    form = get_form(raw, "sv")
    assert form is not None  # required form: get_form raised InputError when it is missing
    sv = with_usubjid(form, spec)
    done = sv[sv["VISYN"].fillna("").str.upper() == "Y"].copy()
    done["_DTC"], _ = raw_to_iso8601(done["VISDAT"], dataset="SV", variable="SVSTDTC",
                                    file=frame_file(sv, "sv"))
    return derive_visit_map(done, spec.study, folder_var="VISIT", dtc_var="_DTC")


def derive_vars_visit(
    dataset: pd.DataFrame,
    folder_var: str,
    visit_map: pd.DataFrame,
    study: Study,
    *,
    domain: str,
    file: str | None = None,
    row_var: str | None = None,
) -> tuple[pd.DataFrame, list[Issue]]:
    """Add VISITNUM and VISIT from the EDC folder name.

    Scheduled folders map through TV; unscheduled ones through the subject's ``visit_map``
    (from :func:`derive_visit_map`, so every domain numbers an unscheduled visit the same way).
    A folder that maps to nothing is an error Issue naming the row and value.
    """
    for var in ("VISITNUM", "VISIT"):
        if var in dataset.columns:
            raise ValueError(f"{var} already exists; derive_vars_visit does not overwrite")
    tv = scheduled_visit_lookup(study)
    folded = map_distinct(dataset[folder_var], lambda v: fold_name(v) if pd.notna(v) else None)
    keys = pd.DataFrame({"USUBJID": dataset["USUBJID"].astype(str).to_numpy(), "FOLDER": folded.to_numpy()})
    by_tv = keys.merge(tv, on="FOLDER", how="left")
    by_map = keys.merge(visit_map, on=["USUBJID", "FOLDER"], how="left")
    visitnum = by_tv["VISITNUM"].fillna(by_map["VISITNUM"])
    visit = by_tv["VISIT"].fillna(by_map["VISIT"])
    out = dataset.assign(VISITNUM=visitnum.to_numpy(dtype="float64"), VISIT=visit.to_numpy(dtype=object))
    issues = []
    unmatched = keys["FOLDER"].notna().to_numpy() & visitnum.isna().to_numpy()
    for pos in unmatched.nonzero()[0]:
        row = dataset[row_var].iloc[pos] if row_var else int(pos) + 1
        issues.append(
            Issue(
                rule="sdtm.visit-unknown",
                message=f"EDC folder {dataset[folder_var].iloc[pos]!r} is neither a planned visit (TV) "
                "nor an unscheduled visit recorded for the subject",
                file=file,
                dataset=domain,
                row=row,
                column=folder_var,
                value=dataset[folder_var].iloc[pos],
                expected="a TV VISIT name or an 'Unscheduled n' folder present in the visit form",
            )
        )
    return out, issues
