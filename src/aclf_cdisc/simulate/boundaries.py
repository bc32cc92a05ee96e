"""Boundary cases planted into every export with planted subjects (deterministic, no randomness).

Applied to the finished forms, so the random stream and every other record stay as they were:

* every export: stage-2 randomization precedes the stage-2 infusion it assigns (a randomization
  time at or after that day's infusion start is moved to 30 minutes before it);
* exports with planted subjects, :data:`aclf_cdisc.simulate.scenarios.BOUNDARY_CASES`: a lab
  drawn after the stage-2 infusion on its day, a lab without a draw time on that day, a missed
  infusion with its reason (and no kit), an adverse event starting on the day of the stage-2
  infusion (date only).
"""

from __future__ import annotations

import pandas as pd

from aclf_cdisc.simulate import scenarios as sc
from aclf_cdisc.simulate import tables as tb

RANDOMIZATION_LEAD_MINUTES = 30
POST_DOSE_DRAW_MINUTES = 60
STAGE2_VISIT = "Week 4"


def _minutes(text: object) -> int:
    hours, minutes = str(text).split(":")
    return int(hours) * 60 + int(minutes)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def randomize_before_infusion(rand: pd.DataFrame, ex: pd.DataFrame) -> pd.DataFrame:
    """Stage-2 RANDTIM moved before the stage-2 infusion of the same day when it was not."""
    out = rand.copy()
    given = ex[(ex["VISIT"] == STAGE2_VISIT) & (ex["EXYN"] == "Y")].set_index("SUBJID")
    for pos in out.index[out["RANDSTG"] == "2"]:
        subjid = out.at[pos, "SUBJID"]
        if subjid not in given.index or str(given.at[subjid, "EXDAT"]) != str(out.at[pos, "RANDDAT"]):
            continue
        start = _minutes(given.at[subjid, "EXSTTIM"])
        if _minutes(out.at[pos, "RANDTIM"]) >= start:
            out.at[pos, "RANDTIM"] = _clock(start - RANDOMIZATION_LEAD_MINUTES)
    return out


def _infusion(ex: pd.DataFrame, subjid: str, visit: str) -> pd.Series:
    return ex[(ex["SUBJID"] == subjid) & (ex["VISIT"] == visit)].iloc[0]


def plant_boundary_cases(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The forms with every boundary case planted (inputs are not changed)."""
    out = dict(frames)
    ex = out["ex"].copy()
    cases = {c.case: c for c in sc.BOUNDARY_CASES}

    missed = cases["missed_infusion_with_reason"]
    row = (ex["SUBJID"] == missed.subjid) & (ex["VISIT"] == missed.visit)
    kit = ex.loc[row, "KITNO"].iloc[0]
    ex.loc[row, ["EXYN", "EXREASND", "EXDAT", "EXSTTIM", "EXENTIM", "KITNO", "EXVOL"]] = [
        "N", missed.detail, "", "", "", "", ""]
    out["ex"] = ex
    out["irt_kits"] = out["irt_kits"][out["irt_kits"]["KITNO"] != kit].reset_index(drop=True)

    lb = out["lb"].copy()
    post = cases["lab_after_stage2_dose"]
    infusion = _infusion(ex, post.subjid, post.visit)
    lb.loc[(lb["SUBJID"] == post.subjid) & (lb["VISIT"] == post.visit), "LBTIM"] = _clock(
        _minutes(infusion["EXENTIM"]) + POST_DOSE_DRAW_MINUTES)
    untimed = cases["lab_without_time_on_stage2_day"]
    lb.loc[(lb["SUBJID"] == untimed.subjid) & (lb["VISIT"] == untimed.visit), "LBTIM"] = ""
    out["lb"] = lb

    boundary = cases["ae_on_stage2_infusion_day"]
    infusion = _infusion(ex, boundary.subjid, boundary.visit)
    ae = out["ae"]
    verbatims, *coded = tb.MEDDRA[boundary.detail]
    mine = ae[ae["SUBJID"] == boundary.subjid]
    record = {c: "" for c in ae.columns}
    record.update({
        "STUDYID": infusion["STUDYID"], "SITEID": infusion["SITEID"], "SUBJID": boundary.subjid,
        "AESPID": str(max((int(v) for v in mine["AESPID"]), default=0) + 1), "AETERM": verbatims[0],
        "AESTDAT": infusion["EXDAT"], "AEENDAT": infusion["EXDAT"], "AEONGO": "N", "AESEV": "Mild",
        "AESER": "N", "AEREL": "Possibly Related", "AEACN": "Dose Not Changed", "AEOUT": "Recovered/Resolved",
    })
    names = ["AELLT", "AELLTCD", "AEDECOD", "AEPTCD", "AEHLT", "AEHLTCD", "AEHLGT", "AEHLGTCD", "AESOC", "AESOCCD"]
    record.update({name: str(value) for name, value in zip(names, coded, strict=True)})
    # keep the subject order of the export (dm order); the new record is the subject's last
    order = {subjid: k for k, subjid in enumerate(out["dm"]["SUBJID"].str.strip())}
    later = ae["SUBJID"].str.strip().map(order).to_numpy() > order[boundary.subjid]
    after = int(later.argmax()) if later.any() else len(ae)
    out["ae"] = pd.concat([ae.iloc[:after], pd.DataFrame([record]), ae.iloc[after:]], ignore_index=True)
    return out
