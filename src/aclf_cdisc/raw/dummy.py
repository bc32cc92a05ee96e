"""A dummy IRT export for dry runs while the study is blind (``build --dummy-randomization SEED``).

The real IRT files (irt_rand, irt_kits) are never opened in this mode. The dummy export is made
from the blinded EDC forms only:

* Stage-1 randomization: every subject with a Week 0 visit (sv), dated that visit. Subjects with
  a Week 4 or Week 5 infusion (ex) were re-randomized, which the design allows only after
  hUC-MSC at stage 1, so they are hUC-MSC at stage 1 (the EDC already shows this once stage 1
  is unblinded at week 4). Every other subject gets a group from seeded permuted blocks in the
  stage-1 ratio of study.yaml (conventions.randomization.stage1_ratio).
* Stage-2 randomization: the re-randomized subjects, dated their Week 4 visit, groups from seeded
  permuted blocks in the stage-2 ratio.
* Kits: every kit number of the infusion log, with the subject's dummy group of that stage
  (Week 0-2 stage 1, Week 4-5 stage 2).

Randomization numbers are ``DUMMY-R1-nnnn`` / ``DUMMY-R2-nnnn`` and times ``00:00``, so no dummy
record can pass for a real one. Same export and seed: the same dummy export.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

MSC, PBO = "hUC-MSC", "Placebo"
STAGE1_VISIT, STAGE2_VISIT = "WEEK 0", "WEEK 4"
STAGE2_INFUSION_VISITS = ("WEEK 4", "WEEK 5")
DUMMY_TIME = "00:00"


def _ratio(text: str) -> tuple[int, int]:
    msc, pbo = (int(p) for p in str(text).split(":"))
    return msc, pbo


def permuted_blocks(n: int, ratio: tuple[int, int], rng: np.random.Generator) -> list[str]:
    """``n`` groups from shuffled blocks of ``ratio`` (hUC-MSC:Placebo), the last block cut short."""
    block = [MSC] * ratio[0] + [PBO] * ratio[1]
    out: list[str] = []
    while len(out) < n:
        out += list(rng.permutation(block))
    return out[:n]


def _visit_dates(sv: pd.DataFrame, visit: str) -> pd.DataFrame:
    rows = sv[sv["VISIT"].astype(str).str.strip().str.upper() == visit]
    rows = rows[rows["VISDAT"].notna()]
    return rows.drop_duplicates("SUBJID").set_index("SUBJID")[["STUDYID", "SITEID", "VISDAT"]]


def dummy_irt(forms: Mapping[str, pd.DataFrame], conventions: Mapping[str, Any], seed: int) -> dict[str, pd.DataFrame]:
    """irt_rand and irt_kits (raw text columns, as an export carries them) for ``forms``.

    ``conventions``: study.yaml conventions (``randomization.stage1_ratio`` / ``stage2_ratio``).
    """
    ratios = conventions.get("randomization", {})
    rng = np.random.default_rng(seed)
    sv, ex = forms["sv"], forms["ex"]
    week0 = _visit_dates(sv, STAGE1_VISIT).sort_index()
    week4 = _visit_dates(sv, STAGE2_VISIT)
    stage2_subjects = set(ex.loc[ex["VISIT"].astype(str).str.strip().str.upper().isin(STAGE2_INFUSION_VISITS),
                                 "SUBJID"])
    rerandomized = [s for s in week0.index if s in stage2_subjects and s in week4.index]
    free = [s for s in week0.index if s not in set(rerandomized)]
    stage1 = dict(zip(free, permuted_blocks(len(free), _ratio(ratios.get("stage1_ratio", "2:1")), rng),
                      strict=True))
    stage1.update({s: MSC for s in rerandomized})
    stage2 = dict(zip(rerandomized, permuted_blocks(len(rerandomized), _ratio(ratios.get("stage2_ratio", "1:1")),
                                                    rng), strict=True))
    rows = []
    for k, subject in enumerate(week0.index, start=1):
        rec = week0.loc[subject]
        rows.append({"STUDYID": rec["STUDYID"], "SITEID": rec["SITEID"], "SUBJID": subject, "RANDSTG": "1",
                     "RANDNO": f"DUMMY-R1-{k:04d}", "RANDDAT": rec["VISDAT"], "RANDTIM": DUMMY_TIME,
                     "TRTGRP": stage1[subject]})
    for k, subject in enumerate(rerandomized, start=1):
        rec = week4.loc[subject]
        rows.append({"STUDYID": rec["STUDYID"], "SITEID": rec["SITEID"], "SUBJID": subject, "RANDSTG": "2",
                     "RANDNO": f"DUMMY-R2-{k:04d}", "RANDDAT": rec["VISDAT"], "RANDTIM": DUMMY_TIME,
                     "TRTGRP": stage2[subject]})
    rand = pd.DataFrame(rows, columns=["STUDYID", "SITEID", "SUBJID", "RANDSTG", "RANDNO", "RANDDAT", "RANDTIM",
                                       "TRTGRP"])
    kits = ex[ex["KITNO"].notna()].drop_duplicates("KITNO")
    stage_two = kits["VISIT"].astype(str).str.strip().str.upper().isin(STAGE2_INFUSION_VISITS)
    groups = [stage2.get(s, PBO) if two else stage1.get(s, PBO)
              for s, two in zip(kits["SUBJID"], stage_two, strict=True)]
    kit_frame = pd.DataFrame({"STUDYID": kits["STUDYID"].to_numpy(), "SITEID": kits["SITEID"].to_numpy(),
                              "SUBJID": kits["SUBJID"].to_numpy(), "KITNO": kits["KITNO"].to_numpy(),
                              "TRTGRP": groups})
    return {"irt_rand": rand, "irt_kits": kit_frame.sort_values(["SUBJID", "KITNO"]).reset_index(drop=True)}


def dummy_file_name(form: str) -> str:
    return f"{form} (dummy randomization)"


__all__: Sequence[str] = ["dummy_file_name", "dummy_irt", "permuted_blocks"]
