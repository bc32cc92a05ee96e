"""Simulate a raw EDC export for NCT05985863: one DataFrame per CRF form, all values as text.

The model, in the order it is drawn (every draw from one ``numpy.random.Generator``):

1. Screening: ``n_subjects`` randomized plus about 13% screen failures; 5 sites with unequal
   recruitment over one year; consent 0-2 days before the screening visit but never before the
   study start (2023-09-30, TS SSTDTC: the earliest consent), the screening visit 1-7 days before
   Week 0 (study day 1). Screen failures carry the first criterion not met.
2. Stage 1: permuted blocks of 6 (4 hUC-MSC : 2 placebo) per site in order of randomization.
3. Disease course: a latent severity drives baseline labs (APASL ACLF: TBIL 5-30 mg/dL,
   INR 1.5-3.5, albumin 25-35 g/L, creatinine mostly normal, sodium 128-140) and the hazard of
   death or transplant, ``H(t) = (A (1 - exp(-t/tau)) + b t) x frailty x HR``: most events fall
   in weeks 1-8, placebo 28-day transplant-free mortality about 27%, hUC-MSC HR 0.65. About 30%
   of events (after day 5) are liver transplants. Withdrawal, loss to follow-up, AE and physician
   decision compete. Labs and clinical liver assessments move toward recovery in patients
   without an event and worsen toward the event date in the others.
4. Visits (planned days with +/-1-3 day jitter, some missed, unscheduled ones), infusions at
   weeks 0, 1, 2 (occasional missed infusion), stage-2 re-randomization (blocks of 4, 1:1) at
   week 4 of surviving, non-transplanted, still-participating hUC-MSC patients, infusions at
   weeks 4 and 5.
5. AEs: pre-existing conditions (some worsening later: new record, same AEGRPID), ACLF
   complications, infusion reactions (more often after hUC-MSC), fatal AEs for deaths, MedDRA
   coded; partial dates.
6. EDC mess: trailing spaces, wrong case, "<x" results, not-done tests, duplicate lab entries.

Convention: a transplanted subject ends the study on the transplant date (DSDECOD Liver
transplant); follow-up for survival after transplant is outside this study.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from aclf_cdisc.simulate import scenarios as sc
from aclf_cdisc.simulate import tables as tb
from aclf_cdisc.simulate.boundaries import plant_boundary_cases, randomize_before_infusion

MONTHS = np.array(["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"])
NEVER = 10**6  # study day of an event that does not happen
SF_RATE = 0.13
ENROLMENT_DAYS = 365
PLANTED_LAST_SCREEN_DAY = 30  # other subjects are screened from this study-start offset on
MSC, PBO = "hUC-MSC", "Placebo"

# Outcome model (see module docstring); calibrated so placebo 28-day TFS mortality is ~27%.
HAZ_A, HAZ_TAU, HAZ_B, FRAILTY_BETA, HR_MSC = 0.45, 21.0, 0.00025, 0.5, 0.65
TRANSPLANT_SHARE = 0.3
DROPOUT_BY_WEEK48 = {"Withdrawal by subject": 0.05, "Lost to follow-up": 0.035,
                     "Adverse event": 0.02, "Physician decision": 0.01}


# ------------------------------------------------------------------------------------------
# text formatting (vectorised through lookup tables)
# ------------------------------------------------------------------------------------------
def _day_table(lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    dates = tb.STUDY_START + np.arange(lo, hi + 1)
    ymd = pd.DatetimeIndex(dates.astype("datetime64[ns]"))
    year = ymd.year.astype(str).to_numpy()
    mon = MONTHS[ymd.month.to_numpy() - 1]
    day = np.char.zfill(ymd.day.astype(str).to_numpy().astype(str), 2)
    return day.astype(object), mon.astype(object), year.astype(object)


def date_text(days: np.ndarray, partial: np.ndarray | None = None) -> np.ndarray:
    """Day offsets from the study start -> 'DD MON YYYY'; partial 1 -> 'UN MON YYYY', 2 -> 'UN UNK YYYY'.

    Days equal to NEVER (or below -NEVER) give ''.
    """
    days = np.asarray(days, dtype=np.int64)
    out = np.full(days.shape, "", dtype=object)
    ok = np.abs(days) < NEVER
    if not ok.any():
        return out
    lo, hi = int(days[ok].min()), int(days[ok].max())
    dd, mm, yy = _day_table(lo, hi)
    idx = days[ok] - lo
    d, m, y = dd[idx], mm[idx], yy[idx]
    if partial is not None:
        p = np.asarray(partial)[ok]
        d = np.where(p >= 1, "UN", d)
        m = np.where(p >= 2, "UNK", m)
    out[ok] = d + " " + m + " " + y
    return out


_TIMES = np.array([f"{h:02d}:{m:02d}" for h in range(24) for m in range(60)], dtype=object)


def time_text(minutes: np.ndarray) -> np.ndarray:
    return _TIMES[np.clip(np.asarray(minutes, dtype=np.int64), 0, 1439)]


def number_text(values: np.ndarray, decimals: int) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    if decimals == 0:
        return np.round(values).astype(np.int64).astype(str).astype(object)
    return np.round(values, decimals).astype(str).astype(object)


def _range_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _pick(rng: np.random.Generator, options: tuple[str, ...] | list[str], size: int,
          p: list[float] | np.ndarray | None = None) -> np.ndarray:
    arr = np.array(options, dtype=object)
    if p is not None:
        p = np.asarray(p, dtype=float)
        p = p / p.sum()
    return arr[rng.choice(len(arr), size=size, p=p)]


def _rank_within(groups: np.ndarray, *order_keys: np.ndarray) -> np.ndarray:
    """0-based rank of each element within its group, ordered by order_keys (first is primary)."""
    keys = (*tuple(reversed(order_keys)), groups)
    order = np.lexsort(keys)
    g = groups[order]
    start = np.r_[0, np.flatnonzero(g[1:] != g[:-1]) + 1]
    counts = np.diff(np.r_[start, len(g)])
    ranks_sorted = np.arange(len(g)) - np.repeat(start, counts)
    ranks = np.empty(len(g), dtype=np.int64)
    ranks[order] = ranks_sorted
    return ranks


def _solve_event_time(target: np.ndarray) -> np.ndarray:
    """Invert H0(t) = A (1 - exp(-t/tau)) + b t for t (days), vectorised bisection."""
    lo = np.zeros_like(target)
    hi = np.full_like(target, 2000.0)
    for _ in range(45):
        mid = (lo + hi) / 2
        h = HAZ_A * (1 - np.exp(-mid / HAZ_TAU)) + HAZ_B * mid
        above = h > target
        hi = np.where(above, mid, hi)
        lo = np.where(above, lo, mid)
    return (lo + hi) / 2


# ------------------------------------------------------------------------------------------
# the simulation
# ------------------------------------------------------------------------------------------
def simulate_export(n_subjects: int, seed: int) -> dict[str, pd.DataFrame]:
    """Simulate the raw EDC export: ``{form: DataFrame}`` with text columns, rows in output order.

    ``n_subjects`` randomized patients plus screen failures; deterministic for a given seed. The
    planted scenarios (:mod:`aclf_cdisc.simulate.scenarios`) are forced when
    ``n_subjects >= 20``.
    """
    if int(n_subjects) < 1:
        raise ValueError("n_subjects must be at least 1")
    return _Sim(int(n_subjects), np.random.default_rng(seed)).run()


class _Sim:
    def __init__(self, n: int, rng: np.random.Generator) -> None:
        self.n = n
        self.rng = rng
        self.planted = n >= sc.MIN_SUBJECTS_FOR_PLANTING
        self.frames: dict[str, pd.DataFrame] = {}

    # -- screening -------------------------------------------------------------------------
    def screening(self) -> None:
        rng, n = self.rng, self.n
        n_sf = round(n * SF_RATE / (1 - SF_RATE))
        m = n + n_sf
        n_plant = len(sc.SCENARIOS) if self.planted else 0
        plant_sf = [i for i, s in enumerate(sc.SCENARIOS) if s.scenario == "screen_failure"] if self.planted else []
        is_sf = np.zeros(m, dtype=bool)
        is_sf[plant_sf] = True
        pool = np.arange(n_plant, m)
        is_sf[rng.choice(pool, size=n_sf - len(plant_sf), replace=False)] = True

        site_w = np.array([s[1] for s in tb.SITES])
        site = rng.choice(len(tb.SITES), size=m, p=site_w / site_w.sum())
        screen_day = rng.integers(PLANTED_LAST_SCREEN_DAY, PLANTED_LAST_SCREEN_DAY + ENROLMENT_DAYS, size=m)
        if n_plant:
            site[:n_plant] = 0
            screen_day[:n_plant] = 2 * np.arange(n_plant)
        seq = _rank_within(site, screen_day, np.arange(m)) + 1
        site_ids = np.array([s[0] for s in tb.SITES], dtype=object)
        subjid = site_ids[site] + "-" + np.char.zfill(seq.astype(str), 4).astype(object)

        # the study starts with the first consent (TS SSTDTC = STUDY_START, day 0): none precedes it
        consent_day = np.maximum(screen_day - rng.integers(0, 3, size=m), 0)
        age = np.clip(np.round(rng.normal(47, 11, size=m)), 18, 70).astype(np.int64)
        male = rng.random(m) < 0.76

        # screen-failure criterion
        crit_w = np.array([c[3] for c in tb.CRITERIA])
        crit = rng.choice(len(tb.CRITERIA), size=m, p=crit_w / crit_w.sum())
        if plant_sf:
            crit[plant_sf] = next(i for i, c in enumerate(tb.CRITERIA) if c[0] == "EXCL03")
        crit_code = np.array([c[0] for c in tb.CRITERIA], dtype=object)[crit]
        age = np.where(is_sf & (crit_code == "INCL01"), rng.integers(71, 76, size=m), age)
        frac = rng.uniform(0.03, 0.97, size=m)
        birth_day = consent_day - np.floor((age + frac) * 365.2425).astype(np.int64)

        self.m, self.is_sf, self.site, self.site_ids = m, is_sf, site, site_ids[site]
        self.subjid, self.screen_day, self.consent_day = subjid, screen_day, consent_day
        self.crit, self.crit_code, self.age, self.male, self.birth_day = crit, crit_code, age, male, birth_day
        self.plant_index = {s.scenario: i for i, s in enumerate(sc.SCENARIOS)} if self.planted else {}

        base = {"STUDYID": tb.STUDYID, "SITEID": self.site_ids, "SUBJID": subjid}
        self.frames["dm"] = pd.DataFrame({
            **base, "BRTHDAT": date_text(birth_day), "AGE": age.astype(str).astype(object), "AGEU": "Years",
            "SEX": np.where(male, "Male", "Female"), "ETHNIC": "Not Hispanic or Latino", "RACE": "Asian",
        })
        self.frames["ic"] = pd.DataFrame({**base, "DSSTDAT": date_text(consent_day),
                                          "ICVER": np.where(screen_day < 120, "1.0", "2.0")})
        crit_test = np.array([c[2] for c in tb.CRITERIA], dtype=object)[crit]
        crit_cat = np.array([c[1] for c in tb.CRITERIA], dtype=object)[crit]
        self.frames["ie"] = pd.DataFrame({
            **base, "IEDAT": date_text(screen_day), "IEYN": np.where(is_sf, "N", "Y"),
            "IETESTCD": np.where(is_sf, crit_code, ""), "IETEST": np.where(is_sf, crit_test, ""),
            "IECAT": np.where(is_sf, crit_cat, ""),
        })

    # -- stage 1 randomization and outcome --------------------------------------------------
    def stage1(self) -> None:
        rng = self.rng
        r = np.flatnonzero(~self.is_sf)  # screened index of each randomized subject
        n = len(r)
        site = self.site[r]
        rand_day = self.screen_day[r] + rng.integers(1, 8, size=n)
        planted_r = np.array([self.plant_index.get(s.scenario, -1) for s in sc.SCENARIOS
                              if s.scenario != "screen_failure"]) if self.planted else np.array([], int)
        pr = np.searchsorted(r, planted_r) if self.planted else np.array([], int)  # rows in r
        rand_day[pr] = self.screen_day[r][pr] + 3

        k = _rank_within(site, rand_day, r)
        block, pos = k // 6, k % 6
        nb = int(block.max()) + 1
        perms = rng.permuted(np.tile(np.array([1, 1, 1, 1, 0, 0]), (len(tb.SITES) * nb, 1)), axis=1)
        if self.planted:
            perms[0] = sc.STAGE1_FIXED_BLOCKS[0]
            perms[1] = sc.STAGE1_FIXED_BLOCKS[1]
        msc = perms[site * nb + block, pos].astype(bool)
        randno1 = "R1-" + self.site_ids[r] + np.char.zfill((k + 1).astype(str), 4).astype(object)

        # latent severity and the event model
        z = rng.normal(size=n)
        frailty = np.exp(FRAILTY_BETA * z - FRAILTY_BETA**2 / 2)
        target = rng.exponential(size=n) / (frailty * np.where(msc, HR_MSC, 1.0))
        t_event = _solve_event_time(target)
        event_day = np.where(t_event < 1500, 1 + np.floor(t_event).astype(np.int64), NEVER)
        event_day = np.where(event_day < NEVER, np.maximum(event_day, 2), NEVER)
        transplant = (rng.random(n) < TRANSPLANT_SHARE) & (event_day >= 6) & (event_day < NEVER)
        drop_t = np.column_stack([rng.exponential(336 / -np.log(1 - p), size=n) for p in DROPOUT_BY_WEEK48.values()])
        drop_kind = np.argmin(drop_t, axis=1)
        drop_day = 3 + np.floor(drop_t.min(axis=1)).astype(np.int64)
        eos_day = 337 + rng.integers(-3, 4, size=n)
        death_cause = rng.choice(len(tb.DEATH_CAUSES), size=n,
                                 p=np.array([c[2] for c in tb.DEATH_CAUSES]) / sum(c[2] for c in tb.DEATH_CAUSES))

        if self.planted:
            for s in sc.SCENARIOS:
                if s.scenario == "screen_failure":
                    continue
                i = int(np.searchsorted(r, self.plant_index[s.scenario]))
                event_day[i], drop_day[i], transplant[i] = NEVER, NEVER, False
                if s.scenario == "death_before_week4":
                    event_day[i] = 12
                    death_cause[i] = 0  # multiple organ failure
                if s.scenario == "liver_transplant":
                    event_day[i], transplant[i] = 20, True

        end_day = np.minimum(np.minimum(event_day, drop_day), eos_day)
        event_obs = (event_day <= end_day) & (event_day < NEVER)
        dropped = ~event_obs & (drop_day < eos_day)
        kinds = np.array(list(DROPOUT_BY_WEEK48), dtype=object)
        dsdecod = np.where(event_obs, np.where(transplant, "Liver transplant", "Death"),
                           np.where(dropped, kinds[drop_kind], "Completed"))

        self.r, self.rn, self.rsite, self.rand_day, self.msc, self.randno1 = r, n, site, rand_day, msc, randno1
        self.z, self.event_day, self.transplant, self.end_day = z, event_day, transplant, end_day
        self.eos_day = eos_day
        self.event_obs, self.dsdecod, self.death_cause = event_obs, dsdecod, death_cause
        self.worsening = event_day < NEVER  # course heads toward death or transplant
        self.planted_rows = pr
        self.rand_tim = rng.integers(8 * 60, 9 * 60, size=n)

    def cal(self, i: np.ndarray, study_day: np.ndarray) -> np.ndarray:
        """Calendar day offsets (from study start) of study days for randomized rows ``i``."""
        return self.rand_day[i] + study_day - 1

    # -- visits --------------------------------------------------------------------------------
    def visits(self) -> None:
        rng, n = self.rng, self.rn
        names = [v[0] for v in tb.VISITS]
        nv = len(names)
        planned = np.array([v[1] for v in tb.VISITS])
        jit = np.array([v[2] for v in tb.VISITS])
        missable = np.array([v[3] for v in tb.VISITS])
        sd = planned[None, :] + np.round(rng.uniform(-1, 1, size=(n, nv)) * jit[None, :]).astype(np.int64)
        sd[:, -1] = self.eos_day
        is_eos = np.zeros(nv, dtype=bool)
        is_eos[-1] = True
        opened = np.where(is_eos[None, :], (self.dsdecod == "Completed")[:, None], sd < self.end_day[:, None])
        missed = opened & missable[None, :] & (rng.random((n, nv)) < 0.05)
        missed[self.planted_rows] = False
        rows, cols = np.nonzero(opened)
        v = pd.DataFrame({"_i": rows, "_vis": cols, "VISIT": np.array(names, dtype=object)[cols],
                          "_sd": sd[rows, cols], "_done": ~missed[rows, cols]})
        v["_day"] = self.cal(v["_i"].to_numpy(), v["_sd"].to_numpy())

        # unscheduled visits
        n_uns = rng.poisson(np.where(self.worsening, 0.7, 0.3))
        n_uns[self.planted_rows] = 0
        ui = np.repeat(np.arange(n), n_uns)
        hi = np.maximum(self.end_day[ui] - 1, 3)
        usd = rng.integers(3, hi + 1) if len(ui) else np.array([], dtype=np.int64)
        keep = usd < self.end_day[ui]
        ui, usd = ui[keep], usd[keep]
        u = pd.DataFrame({"_i": ui, "_sd": usd})
        u = u.sort_values(["_i", "_sd"], kind="stable")
        u["VISIT"] = "Unscheduled " + (u.groupby("_i").cumcount() + 1).astype(str)
        u["_vis"] = nv + u.groupby("_i").cumcount()
        u["_done"] = True
        u["_day"] = self.cal(u["_i"].to_numpy(), u["_sd"].to_numpy())
        self.vis = pd.concat([v, u[v.columns]], ignore_index=True)
        self.vis_sd = {name: sd[:, j] for j, name in enumerate(names)}

        # LTFU: last contact is the last visit done
        done = self.vis[self.vis["_done"]]
        last_sd = done.groupby("_i")["_sd"].max().reindex(range(n)).fillna(1).to_numpy().astype(np.int64)
        ltfu = self.dsdecod == "Lost to follow-up"
        self.end_day = np.where(ltfu, last_sd, self.end_day)

    # -- stage 2 ---------------------------------------------------------------------------------
    def stage2(self) -> None:
        rng = self.rng
        w4 = self.vis_sd["Week 4"]
        v = self.vis
        had_w4 = np.zeros(self.rn, dtype=bool)
        had_w4[v.loc[(v["VISIT"] == "Week 4") & v["_done"], "_i"].to_numpy()] = True
        e = np.flatnonzero(self.msc & had_w4)  # surviving, not transplanted, still in the study
        day2 = self.cal(e, w4[e])
        k = _rank_within(self.rsite[e], day2, e)
        block, pos = k // 4, k % 4
        nb = int(block.max()) + 1 if len(e) else 1
        perms = rng.permuted(np.tile(np.array([1, 1, 0, 0]), (len(tb.SITES) * nb, 1)), axis=1)
        if self.planted:
            for b, seq in enumerate(sc.STAGE2_FIXED_BLOCKS):
                if b < nb:
                    perms[b] = seq
        msc2 = np.zeros(self.rn, dtype=bool)
        msc2[e] = perms[self.rsite[e] * nb + block, pos].astype(bool)
        self.stage2_rows, self.msc2, self.rand2_day = e, msc2, day2
        rs = self.site_ids[self.r]
        rand = pd.concat([
            pd.DataFrame({"_i": np.arange(self.rn), "RANDSTG": "1", "RANDNO": self.randno1,
                          "_day": self.rand_day, "RANDTIM": time_text(self.rand_tim),
                          "TRTGRP": np.where(self.msc, MSC, PBO)}),
            pd.DataFrame({"_i": e, "RANDSTG": "2",
                          "RANDNO": "R2-" + rs[e] + np.char.zfill((k + 1).astype(str), 4).astype(object),
                          "_day": day2, "RANDTIM": time_text(rng.integers(8 * 60, 10 * 60, size=len(e))),
                          "TRTGRP": np.where(msc2[e], MSC, PBO)}),
        ], ignore_index=True)
        rand["RANDDAT"] = date_text(rand["_day"].to_numpy())
        self.frames["irt_rand"] = self._with_ids(rand, ["_i", "RANDSTG"])

    def _with_ids(self, df: pd.DataFrame, order: list[str], randomized: bool = True) -> pd.DataFrame:
        idx = self.r[df["_i"].to_numpy()] if randomized else df["_i"].to_numpy()
        df.insert(0, "SUBJID", self.subjid[idx])
        df.insert(0, "SITEID", self.site_ids[idx])
        df.insert(0, "STUDYID", tb.STUDYID)
        df["_sid"] = idx
        df = df.sort_values(["_sid", *order], kind="stable")
        return df.drop(columns=[c for c in df.columns if c.startswith("_")]).reset_index(drop=True)

    # -- infusions --------------------------------------------------------------------------------
    def infusions(self) -> None:
        rng = self.rng
        v = self.vis
        inf = v[v["VISIT"].isin(tb.STAGE1_INFUSION_VISITS + tb.STAGE2_INFUSION_VISITS)].copy()
        stage2 = inf["VISIT"].isin(tb.STAGE2_INFUSION_VISITS).to_numpy()
        i = inf["_i"].to_numpy()
        inf = inf[~stage2 | np.isin(i, self.stage2_rows)].copy()
        i = inf["_i"].to_numpy()
        stage2 = inf["VISIT"].isin(tb.STAGE2_INFUSION_VISITS).to_numpy()
        nrow = len(inf)
        missed = (inf["VISIT"].to_numpy() != "Week 0") & (rng.random(nrow) < 0.03)
        missed &= ~np.isin(i, self.planted_rows)
        given = ~missed
        kit_pool = rng.choice(900_000, size=int(given.sum()), replace=False) + 100_000
        kits = np.full(nrow, "", dtype=object)
        kits[given] = np.char.add("K-", kit_pool.astype(str)).astype(object)
        start = rng.integers(9 * 12, 14 * 12, size=nrow) * 5
        end = start + rng.integers(6, 13, size=nrow) * 5
        arm = np.where(stage2, self.msc2[i], self.msc[i])
        inf = inf.assign(
            EXYN=np.where(given, "Y", "N"),
            EXREASND=np.where(given, "", _pick(rng, tb.EX_NOT_DONE_REASONS, nrow)),
            EXDAT=np.where(given, date_text(inf["_day"].to_numpy()), ""),
            EXSTTIM=np.where(given, time_text(start), ""), EXENTIM=np.where(given, time_text(end), ""),
            KITNO=kits, EXVOL=np.where(given, "100", ""),
        )
        inf["_arm"] = arm
        self.ex_given = inf[given].copy()
        self.frames["ex"] = self._with_ids(
            inf[["_i", "_day", "_vis", "VISIT", "EXYN", "EXREASND", "EXDAT", "EXSTTIM", "EXENTIM", "KITNO",
                 "EXVOL"]], ["_vis"])
        kit = pd.DataFrame({"_i": self.ex_given["_i"].to_numpy(), "KITNO": self.ex_given["KITNO"].to_numpy(),
                            "TRTGRP": np.where(self.ex_given["_arm"].to_numpy(), MSC, PBO),
                            "_vis": self.ex_given["_vis"].to_numpy()})
        self.frames["irt_kits"] = self._with_ids(kit, ["_vis"])
        last = self.ex_given.groupby("_i")["_sd"].max()
        self.last_inf_sd = last.reindex(range(self.rn)).fillna(1).to_numpy().astype(np.int64)

    # -- course: labs and clinical liver assessments ------------------------------------------------
    def course(self) -> None:
        rng, n = self.rng, self.rn
        z = self.z

        def ln(mu: float, sd: float, size: int = n) -> np.ndarray:
            return np.exp(rng.normal(np.log(mu), sd, size=size))

        p0 = {
            "TBIL": np.clip(ln(13, 0.4) * np.exp(0.25 * z), 5.2, 30),
            "INR": np.clip(1.5 + ln(0.45, 0.5) * np.exp(0.3 * z), 1.5, 3.5),
            "ALB": np.clip(rng.normal(30, 2.5, n) - 0.8 * z, 25, 35),
            "CREAT": np.clip(ln(0.78, 0.25) * np.exp(0.08 * z), 0.4, 1.6),
            "SODIUM": np.clip(rng.normal(134.5, 2.8, n) - z, 128, 140),
            "BUN": np.clip(ln(5.0, 0.35) * np.exp(0.1 * z), 2.0, 14),
            "ALT": np.clip(ln(180, 0.8), 30, 2500),
            "PLAT": np.clip(ln(95, 0.35), 50, 260),
        }
        p0["AST"] = p0["ALT"] * ln(1.1, 0.3)
        w = self.worsening
        u = rng.uniform
        pend = {
            "TBIL": np.where(w, p0["TBIL"] * u(1.5, 2.4, n), np.clip(ln(1.6, 0.4), 0.6, 4)),
            "INR": np.where(w, p0["INR"] * u(1.3, 1.9, n), 1.05 + ln(0.2, 0.4)),
            "ALB": np.where(w, p0["ALB"] - u(2, 6, n), rng.normal(37, 2.5, n)),
            "CREAT": np.where(w, p0["CREAT"] * u(1.5, 3.5, n), p0["CREAT"] * ln(1, 0.1)),
            "SODIUM": np.where(w, rng.normal(128, 3, n), rng.normal(138.5, 1.5, n)),
            "BUN": np.where(w, p0["BUN"] * u(1.8, 3.5, n), p0["BUN"] * ln(1, 0.15)),
            "ALT": np.where(w, p0["ALT"] * u(0.4, 0.9, n), ln(35, 0.35)),
            "AST": np.where(w, p0["AST"] * u(0.6, 1.2, n), ln(42, 0.35)),
            "PLAT": np.where(w, p0["PLAT"] * u(0.5, 0.8, n), p0["PLAT"] * u(1.1, 1.5, n)),
        }
        tau = ln(35, 0.4) * np.where(self.msc, 0.8, 1.0)
        # clinical liver assessment: baseline grades (ACLF: ascites and/or HE; HE < II at entry)
        asc0 = rng.choice(3, size=n, p=[0.25, 0.45, 0.3]).astype(float)
        he0 = (rng.random(n) < 0.4).astype(float)
        asc0 = np.where((asc0 == 0) & (he0 == 0), 1.0, asc0)
        asc_end = np.where(w, 2.0, (rng.random(n) < 0.3).astype(float))
        he_end = np.where(w, np.where(self.transplant, 2.5, 3.6), 0.0)
        self.p0, self.pend, self.tau = p0, pend, tau
        self.asc0, self.he0, self.asc_end, self.he_end = asc0, he0, asc_end, he_end

    def _g(self, i: np.ndarray, sd: np.ndarray) -> np.ndarray:
        t = np.maximum(sd - 1, 0).astype(float)
        ev = self.event_day[i].astype(float)
        worse = np.clip(t / np.maximum(ev - 1, 1), 0, 1) ** 1.5
        better = 1 - np.exp(-t / self.tau[i])
        return np.where(self.worsening[i], worse, better)

    def assessments(self) -> None:
        """Visit-level frame for labs and CLA: randomized visits done plus every screening visit."""
        rng = self.rng
        v = self.vis[self.vis["_done"]][["_i", "_vis", "VISIT", "_sd", "_day"]]
        # screening visits of randomized subjects (study day < 1) and of screen failures
        scr_r = pd.DataFrame({"_i": np.arange(self.rn), "_vis": -1, "VISIT": "Screening",
                              "_day": self.screen_day[self.r]})
        scr_r["_sd"] = scr_r["_day"] - self.rand_day + 1
        rv = pd.concat([scr_r, v], ignore_index=True)
        rv["_sid"] = self.r[rv["_i"].to_numpy()]
        sf = np.flatnonzero(self.is_sf)
        sfv = pd.DataFrame({"_i": -1, "_vis": -1, "VISIT": "Screening", "_sd": 0, "_day": self.screen_day[sf],
                            "_sid": sf})
        self.avis = pd.concat([rv, sfv], ignore_index=True)
        a = self.avis
        i = a["_i"].to_numpy()
        isr = i >= 0
        ii = np.where(isr, i, 0)
        g = np.where(isr, self._g(ii, a["_sd"].to_numpy()), 0.0)
        self.avis_g = g
        # CLA
        k = len(a)
        asc = np.where(isr, self.asc0[ii] + (self.asc_end[ii] - self.asc0[ii]) * g, 1.0) + rng.normal(0, 0.35, k)
        he = np.where(isr, self.he0[ii] + (self.he_end[ii] - self.he0[ii]) * g, 0.5) + rng.normal(0, 0.35, k)
        asc = np.clip(np.round(asc), 0, 2).astype(int)
        he = np.clip(np.round(he), 0, 4).astype(int)
        baseline = a["_sd"].to_numpy() <= 1
        he = np.where(isr & baseline, np.minimum(he, 1), he)
        sfcode = self.crit_code[a["_sid"].to_numpy()]
        he = np.where(~isr & (sfcode == "EXCL03"), rng.integers(2, 4, size=k), np.where(~isr, np.minimum(he, 1), he))
        asc_txt = np.array(["None", "Mild", "Moderate-Severe"], dtype=object)[asc]
        cla = a[["_sid", "_day", "_vis", "VISIT"]].assign(CLADAT=date_text(a["_day"].to_numpy()), ASCITES=asc_txt,
                                                          HEGRADE=he.astype(str).astype(object))
        self.frames["cla"] = self._ids_by_sid(cla, ["_day", "_vis"])

    def _ids_by_sid(self, df: pd.DataFrame, order: list[str]) -> pd.DataFrame:
        sid = df["_sid"].to_numpy()
        df = df.copy()
        df.insert(0, "SUBJID", self.subjid[sid])
        df.insert(0, "SITEID", self.site_ids[sid])
        df.insert(0, "STUDYID", tb.STUDYID)
        df = df.sort_values(["_sid", *order], kind="stable")
        return df.drop(columns=[c for c in df.columns if c.startswith("_")]).reset_index(drop=True)

    def labs(self) -> None:
        rng = self.rng
        a = self.avis
        k = len(a)
        i = a["_i"].to_numpy()
        isr = i >= 0
        ii = np.where(isr, i, 0)
        g = self.avis_g
        sid = a["_sid"].to_numpy()
        site_code = self.site_ids[sid]
        values: dict[str, np.ndarray] = {}
        log_tests = ("TBIL", "INR", "CREAT", "BUN", "ALT", "AST", "PLAT")
        # screen failures: a fresh baseline draw (not randomized, no course)
        sfz = rng.normal(size=k)
        for test in ("TBIL", "INR", "ALB", "CREAT", "SODIUM", "BUN", "ALT", "AST", "PLAT"):
            v0, v1 = self.p0[test][ii], self.pend[test][ii]
            if test in log_tests:
                val = np.exp(np.log(v0) + (np.log(v1) - np.log(v0)) * g) * np.exp(rng.normal(0, 0.06, k))
            else:
                val = v0 + (v1 - v0) * g + rng.normal(0, 1.0 if test == "ALB" else 1.2, k)
            values[test] = val
        # screen failures get plausible pre-screening values around the ACLF range
        sf = ~isr
        values["TBIL"] = np.where(sf, np.clip(np.exp(np.log(9) + 0.5 * sfz), 2, 35), values["TBIL"])
        values["INR"] = np.where(sf, np.clip(1.3 + np.exp(np.log(0.4) + 0.5 * sfz), 1.1, 4), values["INR"])
        sf_aki = sf & (self.crit_code[sid] == "EXCL01")
        values["CREAT"] = np.where(sf_aki, values["CREAT"] * 2.2, values["CREAT"])
        values["PTA"] = 100 / (1 + 1.6 * (values["INR"] - 1)) * np.exp(rng.normal(0, 0.05, k))
        if self.planted:
            j = self.planted_rows[[s.scenario for s in sc.SCENARIOS if s.scenario != "screen_failure"]
                                  .index("lab_below_limit")]
            hit = (i == j) & (a["VISIT"].to_numpy() == "Week 1")
            values["CREAT"] = np.where(hit, 0.45, values["CREAT"])

        ntest = len(tb.LAB_TESTS)
        rows = np.repeat(np.arange(k), ntest)
        tidx = np.tile(np.arange(ntest), k)
        val = np.column_stack([values[t] for t in tb.LAB_TESTS]).ravel()
        site_idx = np.searchsorted(np.array([s_[0] for s_ in tb.SITES]), site_code.astype(str))
        conv = np.array([s_[2] == "CONV" for s_ in tb.SITES])[site_idx][rows]
        siter = site_idx[rows]
        nrow = len(rows)
        res = np.empty(nrow, dtype=object)
        unit = np.empty(nrow, dtype=object)
        lo = np.empty(nrow, dtype=object)
        hi = np.empty(nrow, dtype=object)
        for ti, t in enumerate(tb.LAB_TESTS):
            is_t = tidx == ti
            for system, flag in (("SI", False), ("CONV", True)):
                sel = np.flatnonzero(is_t & (conv == flag))
                if not len(sel):
                    continue
                u_, f_, d_ = tb.LAB_UNITS[system].get(t) or tb.LAB_COMMON_UNITS[t]
                x = val[sel] * f_
                txt = number_text(x, d_)
                limit = tb.LAB_LOWER_LIMITS[system].get(t)
                if limit is not None:
                    below = np.round(x, d_) < limit
                    txt[below] = "<" + _range_text(limit)
                res[sel] = txt
                unit[sel] = u_
            for si, (site, _w, _sys) in enumerate(tb.SITES):
                sel = np.flatnonzero(is_t & (siter == si))
                lo_, hi_ = tb.LAB_RANGES[site][t]
                lo[sel], hi[sel] = _range_text(lo_), _range_text(hi_)
        nd = rng.random(nrow) < 0.015
        planted_mask = np.isin(i[rows], self.planted_rows) & isr[rows]
        nd &= ~planted_mask
        ndi = np.flatnonzero(nd)
        for arr in (res, unit, lo, hi):
            arr[ndi] = ""
        stat = np.full(nrow, "", dtype=object)
        stat[ndi] = "NOT DONE"
        reason = np.full(nrow, "", dtype=object)
        reason[ndi] = _pick(rng, tb.LAB_NOT_DONE_REASONS, len(ndi))
        vis_k = a["VISIT"].to_numpy()
        tim = rng.integers(6 * 60 + 30, 9 * 60 + 30, size=k)
        tim = np.where(vis_k == "Week 0", rng.integers(6 * 60 + 30, 8 * 60 + 30, size=k), tim)
        names = np.array([tb.LAB_NAMES[t] for t in tb.LAB_TESTS], dtype=object)
        lb = pd.DataFrame({
            "_sid": sid[rows], "_day": a["_day"].to_numpy()[rows], "_vis": a["_vis"].to_numpy()[rows],
            "_t": tidx, "VISIT": vis_k[rows],
            "LBDAT": date_text(a["_day"].to_numpy())[rows], "LBTIM": time_text(tim)[rows],
            "LBTEST": names[tidx], "LBORRES": res, "LBORRESU": unit, "LBORNRLO": lo, "LBORNRHI": hi,
            "LBSTAT": stat, "LBREASND": reason,
        })
        # duplicate entries: the same record keyed twice
        dup = np.flatnonzero((rng.random(len(lb)) < 0.003) & ~planted_mask)
        lb = pd.concat([lb, lb.iloc[dup]], ignore_index=True)
        self.frames["lb"] = self._ids_by_sid(lb, ["_day", "_vis", "_t"])

    # -- adverse events ----------------------------------------------------------------------------
    def adverse_events(self) -> None:
        rng, n = self.rng, self.rn
        planted = np.zeros(n, dtype=bool)
        planted[self.planted_rows] = True
        parts: list[dict[str, Any]] = []
        consent_sd = self.consent_day[self.r] - self.rand_day + 1

        def add(i: np.ndarray, key: np.ndarray, st: np.ndarray, en: np.ndarray, sev: np.ndarray, kind: str,
                grp: np.ndarray | None = None, rel: np.ndarray | None = None, acn: np.ndarray | None = None,
                st_partial: np.ndarray | None = None, en_partial: np.ndarray | None = None,
                fatal: bool = False) -> None:
            m = len(i)
            parts.append({"_i": i, "_key": key, "_st": st, "_en": en, "_sev": sev, "_kind": np.full(m, kind),
                          "AEGRPID": grp if grp is not None else np.full(m, "", dtype=object),
                          "AEREL": rel, "AEACN": acn,
                          "_stp": st_partial if st_partial is not None else np.zeros(m, int),
                          "_enp": en_partial if en_partial is not None else np.zeros(m, int),
                          "_fatal": np.full(m, fatal)})

        sev_names = np.array(["Mild", "Moderate", "Severe"], dtype=object)
        # (a) pre-existing conditions, some worsening after the first infusion
        pre = (rng.random(n) < 0.3) & ~planted
        pi = np.flatnonzero(pre)
        pst = rng.integers(consent_sd[pi], 1)
        pkey = _pick(rng, tb.PRE_EXISTING_AES, len(pi), [0.35, 0.15, 0.2, 0.15, 0.15])
        psev = rng.choice(2, size=len(pi), p=[0.6, 0.4])
        wday_hi = np.minimum(self.end_day[pi] - 1, 60)
        worsen = (rng.random(len(pi)) < 0.3) & (wday_hi >= 3)
        wday = np.where(worsen, rng.integers(3, np.maximum(wday_hi, 3) + 1), NEVER)
        pen = np.where(worsen, wday, pst + np.ceil(rng.lognormal(np.log(14), 0.6, len(pi))).astype(int))
        grp = np.where(worsen, "G1", "").astype(object)
        add(pi, pkey, pst, pen, psev, "pre", grp=grp)
        wi = np.flatnonzero(worsen)
        add(pi[wi], pkey[wi], wday[wi], wday[wi] + np.ceil(rng.lognormal(np.log(12), 0.6, len(wi))).astype(int),
            np.minimum(psev[wi] + 1 + (rng.random(len(wi)) < 0.3), 2), "worse", grp=grp[wi])

        # (b) ACLF complications on study
        lam = np.where(self.worsening, 1.8, 0.9) * np.where(planted, 0, 1)
        cnt = rng.poisson(lam)
        ai = np.repeat(np.arange(n), cnt)
        span = np.maximum(self.end_day[ai] - 1, 1).astype(float)
        uu = rng.random(len(ai))
        mean = 45.0
        ast = 1 + np.floor(-mean * np.log(1 - uu * (1 - np.exp(-span / mean)))).astype(int)
        ast = np.minimum(ast, self.end_day[ai])
        w = self.worsening[ai]
        keys = np.array([a[0] for a in tb.ACLF_AES], dtype=object)
        pw = np.array([a[2] for a in tb.ACLF_AES])
        pb = np.array([a[1] for a in tb.ACLF_AES])
        k_w = keys[rng.choice(len(keys), size=len(ai), p=pw / pw.sum())]
        k_b = keys[rng.choice(len(keys), size=len(ai), p=pb / pb.sum())]
        akey = np.where(w, k_w, k_b)
        asev = np.where(w, rng.choice(3, size=len(ai), p=[0.2, 0.4, 0.4]),
                        rng.choice(3, size=len(ai), p=[0.5, 0.38, 0.12]))
        aen = ast + np.ceil(rng.lognormal(np.log(10), 0.7, len(ai))).astype(int)
        add(ai, akey, ast, aen, asev, "aclf")

        # (c) infusion reactions
        eg = self.ex_given
        ei, esd, earm = eg["_i"].to_numpy(), eg["_sd"].to_numpy(), eg["_arm"].to_numpy()
        ok = ~planted[ei]
        for key, p_msc, p_pbo in tb.INFUSION_AES:
            hit = ok & (rng.random(len(ei)) < np.where(earm, p_msc, p_pbo))
            h = np.flatnonzero(hit)
            st = esd[h] + (rng.random(len(h)) < 0.3)
            sev = rng.choice(3, size=len(h), p=[0.75, 0.22, 0.03])
            rel = _pick(rng, ("Possibly Related", "Probably Related", "Related", "Unlikely Related"), len(h),
                        [0.4, 0.3, 0.2, 0.1])
            acn = np.where((key == "irr") & (rng.random(len(h)) < 0.4), "Drug Interrupted", "Dose Not Changed")
            add(ei[h], np.full(len(h), key, dtype=object), st, st + rng.integers(0, 3, len(h)), sev, "inf",
                rel=rel, acn=acn.astype(object))

        # (d) fatal AEs for deaths
        di = np.flatnonzero(self.event_obs & ~self.transplant)
        dkey = np.array([c[1] for c in tb.DEATH_CAUSES], dtype=object)[self.death_cause[di]]
        dday = self.event_day[di]
        dst = np.maximum(dday - rng.integers(0, 6, len(di)), 1)
        add(di, dkey, dst, dday, np.full(len(di), 2), "fatal",
            rel=_pick(rng, ("Not Related", "Unlikely Related"), len(di), [0.85, 0.15]), fatal=True)

        # (e) AE leading to discontinuation
        xi = np.flatnonzero(self.dsdecod == "Adverse event")
        xkey = _pick(rng, ("he", "ugib", "aki", "sepsis", "pneumonia"), len(xi))
        xst = np.maximum(self.end_day[xi] - rng.integers(0, 4, len(xi)), 1)
        add(xi, xkey, xst, xst + rng.integers(5, 30, len(xi)), rng.choice([1, 2], size=len(xi)), "disc")
        self.disc_key = dict(zip(xi.tolist(), xkey.tolist(), strict=True))

        # (f) planted AEs
        if self.planted:
            row = {s.scenario: int(self.planted_rows[j]) for j, s in
                   enumerate([s for s in sc.SCENARIOS if s.scenario != "screen_failure"])}
            one = np.ones(1, dtype=int)

            def plant(scn: str, key: str, st: int, en: int, sev: int, kind: str = "aclf", grp: str = "",
                      stp: int = 0, enp: int = 0) -> None:
                add(np.array([row[scn]]), np.array([key], dtype=object), one * st, one * en, one * sev, kind,
                    grp=np.array([grp], dtype=object), st_partial=one * stp, en_partial=one * enp)

            plant("ae_partial_dates", "pneumonia", 20, 34, 1, stp=2, enp=1)
            plant("ae_before_first_infusion", "ascites", -2, 10, 0, kind="pre")
            last10 = int(self.last_inf_sd[row["ae_within_28d_after_last_infusion"]])
            plant("ae_within_28d_after_last_infusion", "nausea", last10 + 10, last10 + 13, 0)
            last11 = int(self.last_inf_sd[row["ae_after_28d_window"]])
            plant("ae_after_28d_window", "uti", last11 + 60, last11 + 67, 1)
            plant("ae_preexisting_worsened", "ascites", -3, 20, 0, kind="pre", grp="G1")
            plant("ae_preexisting_worsened", "ascites", 20, 41, 2, kind="worse", grp="G1")
            plant("ae_unknown_start_day", "hyponatraemia", 40, 52, 0, stp=1)

        ae = pd.DataFrame({c: np.concatenate([p[c] if p[c] is not None else np.full(len(p["_i"]), None)
                                              for p in parts]) for c in parts[0]})
        m = len(ae)
        i = ae["_i"].to_numpy().astype(np.int64)
        kind = ae["_kind"].to_numpy()
        st = ae["_st"].to_numpy().astype(np.int64)
        en = ae["_en"].to_numpy().astype(np.int64)
        sev = ae["_sev"].to_numpy().astype(np.int64)
        fatal = ae["_fatal"].to_numpy().astype(bool)
        end = self.end_day[i]
        ongoing = (en > end) & ~fatal
        # pre-existing records that worsened end the day the worsened record starts (not ongoing)
        ongoing &= ~((kind == "pre") & (ae["AEGRPID"].to_numpy() != ""))
        serious = fatal | ((sev == 2) & (rng.random(m) < 0.75)) | ((sev == 1) & (rng.random(m) < 0.12))
        serious &= kind != "inf"
        serious |= (kind == "inf") & (sev == 2)
        meta = {k: tb.MEDDRA[k] for k in tb.MEDDRA_KEYS}
        ae_keys = ae["_key"].to_numpy()
        verbatim_choice = np.where(np.isin(i, self.planted_rows), 0, rng.integers(0, 3, size=m))
        aeterm = np.array([meta[k][0][c % len(meta[k][0])] for k, c in zip(ae_keys, verbatim_choice, strict=True)],
                          dtype=object)
        rel = ae["AEREL"].to_numpy()
        rel_default = _pick(rng, ("Not Related", "Unlikely Related", "Possibly Related"), m, [0.7, 0.25, 0.05])
        rel = np.where(pd.isna(rel), rel_default, rel)
        acn = ae["AEACN"].to_numpy()
        acn = np.where(pd.isna(acn), "Dose Not Changed", acn)
        acn = np.where((st < 1) | (st > self.last_inf_sd[i]), "Not Applicable", acn)
        disc = kind == "disc"
        acn = np.where(disc & (st <= self.last_inf_sd[i]) & (self.last_inf_sd[i] < 36), "Drug Withdrawn", acn)
        out = np.where(fatal, "Fatal", np.where(ongoing, "Not Recovered/Not Resolved",
                       np.where(rng.random(m) < 0.9, "Recovered/Resolved", "Recovered/Resolved with Sequelae")))
        # random partial dates (never on planted subjects or fatal AEs)
        rnd_ok = ~np.isin(i, self.planted_rows) & ~fatal
        r1 = rng.random(m)
        stp = ae["_stp"].to_numpy().astype(int)
        stp = np.where(rnd_ok & (r1 < 0.03), 1, np.where(rnd_ok & (r1 > 0.995), 2, stp))
        enp = ae["_enp"].to_numpy().astype(int)
        enp = np.where(rnd_ok & (rng.random(m) < 0.03), 1, enp)
        st_cal = self.cal(i, st)
        en_cal = self.cal(i, en)
        sercol = {}
        crit = {"AESDTH": fatal, "AESLIFE": fatal | ((sev == 2) & (rng.random(m) < 0.25)),
                "AESHOSP": (rng.random(m) < 0.85) | fatal, "AESDISAB": np.zeros(m, bool),
                "AESCONG": np.zeros(m, bool), "AESMIE": rng.random(m) < 0.1}
        anyc = np.zeros(m, bool)
        for v in crit.values():
            anyc |= v
        crit["AESHOSP"] = crit["AESHOSP"] | ~anyc
        for c, v in crit.items():
            sercol[c] = np.where(serious, np.where(v, "Y", "N"), "")
        mtab = np.array([meta[k][1:] for k in ae_keys], dtype=object) if m else np.empty((0, 10), dtype=object)
        frame = pd.DataFrame({
            "_sid": self.r[i], "_st": st, "_kind": pd.Categorical(kind, ["pre", "worse", "aclf", "inf", "disc",
                                                                         "fatal"]).codes,
            "AEGRPID": ae["AEGRPID"].to_numpy(), "AETERM": aeterm,
            "AESTDAT": date_text(st_cal, stp), "AEENDAT": np.where(ongoing, "", date_text(en_cal, enp)),
            "AEONGO": np.where(ongoing, "Y", "N"), "AESEV": sev_names[sev], "AESER": np.where(serious, "Y", "N"),
            **sercol, "AEREL": rel, "AEACN": acn, "AEOUT": out,
            "AELLT": mtab[:, 0], "AELLTCD": mtab[:, 1].astype(str), "AEDECOD": mtab[:, 2],
            "AEPTCD": mtab[:, 3].astype(str), "AEHLT": mtab[:, 4], "AEHLTCD": mtab[:, 5].astype(str),
            "AEHLGT": mtab[:, 6], "AEHLGTCD": mtab[:, 7].astype(str), "AESOC": mtab[:, 8],
            "AESOCCD": mtab[:, 9].astype(str),
        })
        frame = frame.sort_values(["_sid", "_st", "_kind"], kind="stable")
        frame.insert(1, "AESPID", (frame.groupby("_sid").cumcount() + 1).astype(str).to_numpy())
        self.frames["ae"] = self._ids_by_sid(frame, [])

    # -- death, transplant, end of study ------------------------------------------------------------
    def disposition(self) -> None:
        rng = self.rng
        di = np.flatnonzero(self.event_obs & ~self.transplant)
        causes = np.array([c[0] for c in tb.DEATH_CAUSES], dtype=object)
        self.frames["dd"] = self._with_ids(pd.DataFrame({
            "_i": di, "DTHDAT": date_text(self.cal(di, self.event_day[di])),
            "DDORRES": causes[self.death_cause[di]]}), [])
        ti = np.flatnonzero(self.event_obs & self.transplant)
        self.frames["ltx"] = self._with_ids(pd.DataFrame({
            "_i": ti, "PRSTDAT": date_text(self.cal(ti, self.event_day[ti])), "PRTRT": "Liver transplantation",
            "PRDONOR": _pick(rng, ("Deceased", "Living"), len(ti), [0.7, 0.3])}), [])
        n = self.rn
        d = self.dsdecod
        term = np.full(n, "", dtype=object)
        term[d == "Death"] = causes[self.death_cause[d == "Death"]]
        term[d == "Liver transplant"] = "Liver transplantation"
        term[d == "Withdrawal by subject"] = _pick(
            rng, ("Subject withdrew consent", "Subject moved away", "Subject wished to stop follow-up"),
            int((d == "Withdrawal by subject").sum()))
        term[d == "Lost to follow-up"] = "Unable to contact subject"
        for i, key in self.disc_key.items():
            term[i] = tb.MEDDRA[key][0][0]
        term[d == "Physician decision"] = "Investigator decision: referred for other treatment"
        self.frames["eos"] = self._with_ids(pd.DataFrame({
            "_i": np.arange(n), "DSSTDAT": date_text(self.cal(np.arange(n), self.end_day)),
            "DSDECOD": d.astype(object), "DSTERM": term}), [])

    def visit_frame(self) -> None:
        v = self.vis
        sv = pd.DataFrame({"_i": v["_i"].to_numpy(), "_sd": v["_sd"].to_numpy(), "_vis": v["_vis"].to_numpy(),
                           "VISIT": v["VISIT"].to_numpy(), "VISYN": np.where(v["_done"], "Y", "N"),
                           "VISDAT": np.where(v["_done"], date_text(v["_day"].to_numpy()), "")})
        sv["_sid"] = self.r[sv["_i"].to_numpy()]
        scr = pd.DataFrame({"_sid": np.arange(self.m), "_sd": -NEVER + 1, "_vis": -1, "VISIT": "Screening",
                            "VISYN": "Y", "VISDAT": date_text(self.screen_day)})
        sv = pd.concat([scr, sv.drop(columns="_i")], ignore_index=True)
        self.frames["sv"] = self._ids_by_sid(sv, ["_sd", "_vis"])

    # -- EDC mess ---------------------------------------------------------------------------------
    def mess(self) -> None:
        rng = self.rng
        planted_ids = {s.subjid for s in sc.SCENARIOS} if self.planted else set()

        def apply(form: str, column: str, p_space: float, p_case: float) -> None:
            df = self.frames[form]
            vals = df[column].to_numpy().astype(object)
            r = rng.random(len(vals))
            low = rng.random(len(vals)) < 0.7
            cand = np.flatnonzero(r < p_case + p_space)
            if planted_ids:
                cand = cand[~df["SUBJID"].iloc[cand].isin(planted_ids).to_numpy()]
            out = vals.copy()
            for j in cand:
                text = vals[j]
                if not text:
                    continue
                if r[j] < p_case:
                    out[j] = text.lower() if low[j] else text.upper()
                else:
                    out[j] = text + " "
            df[column] = out

        apply("dm", "SEX", 0.0, 0.01)
        apply("lb", "LBTEST", 0.01, 0.02)
        apply("lb", "LBORRESU", 0.005, 0.0)
        apply("cla", "ASCITES", 0.01, 0.02)
        apply("ae", "AETERM", 0.03, 0.05)
        apply("ae", "AESEV", 0.0, 0.02)
        apply("ae", "AEREL", 0.0, 0.01)
        apply("eos", "DSDECOD", 0.01, 0.03)
        apply("eos", "DSTERM", 0.03, 0.0)
        apply("dd", "DDORRES", 0.05, 0.0)

    def run(self) -> dict[str, pd.DataFrame]:
        self.screening()
        self.stage1()
        self.visits()
        self.stage2()
        self.infusions()
        self.course()
        self.assessments()
        self.labs()
        self.adverse_events()
        self.disposition()
        self.visit_frame()
        self.mess()
        frames = plant_boundary_cases(self.frames) if self.planted else dict(self.frames)
        frames["irt_rand"] = randomize_before_infusion(frames["irt_rand"], frames["ex"])
        return {name: frames[name] for name in sorted(frames)}
