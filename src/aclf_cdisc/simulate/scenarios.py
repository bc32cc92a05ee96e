"""Planted subjects: fixed SUBJIDs whose course is forced so tests can name them.

They are the first 13 subjects screened at site 101 (screened every other day from the study
start, before any other subject), so the SUBJIDs are the same for every seed and every
``n_subjects >= MIN_SUBJECTS_FOR_PLANTING``. Randomization stays in valid permuted blocks: the
first two stage-1 blocks at site 101 and its first stage-2 block are fixed sequences.
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_SUBJECTS_FOR_PLANTING = 20


@dataclass(frozen=True)
class Scenario:
    subjid: str
    scenario: str
    arm_stage1: str  # hUC-MSC | Placebo | "" (screen failure)
    arm_stage2: str  # hUC-MSC | Placebo | ""
    description: str


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("101-0001", "placebo_completed", "Placebo", "",
             "Placebo x3, no event, completes week 48 (ARMCD PBO)"),
    Scenario("101-0002", "stage2_msc", "hUC-MSC", "hUC-MSC",
             "hUC-MSC re-randomized at week 4 to hUC-MSC, 5 infusions, completes (ARMCD MSC-MSC)"),
    Scenario("101-0003", "stage2_placebo", "hUC-MSC", "Placebo",
             "hUC-MSC re-randomized at week 4 to placebo, completes (ARMCD MSC-PBO)"),
    Scenario("101-0004", "death_before_week4", "hUC-MSC", "",
             "hUC-MSC, dies on study day 12 (multiple organ failure) after 2 infusions; fatal AE, dd "
             "record; no stage-2 randomization (ARMCD MSC)"),
    Scenario("101-0005", "liver_transplant", "Placebo", "",
             "Placebo, liver transplant on study day 20; ltx record; ends study at transplant"),
    Scenario("101-0006", "screen_failure", "", "",
             "Screen failure: EXCL03 hepatic encephalopathy grade >= II at screening"),
    Scenario("101-0007", "ae_partial_dates", "hUC-MSC", "Placebo",
             "Pneumonia with start date UN UNK YYYY (month and day unknown) and end date UN MON YYYY"),
    Scenario("101-0008", "lab_below_limit", "Placebo", "",
             "Creatinine reported as '<44' umol/L at Week 1"),
    Scenario("101-0009", "ae_before_first_infusion", "hUC-MSC", "hUC-MSC",
             "Ascites (mild) starting on study day -2, before the first infusion, not worsened: not a TEAE"),
    Scenario("101-0010", "ae_within_28d_after_last_infusion", "hUC-MSC", "hUC-MSC",
             "Nausea starting 10 days after the last infusion (week 5): a TEAE"),
    Scenario("101-0011", "ae_after_28d_window", "Placebo", "",
             "Urinary tract infection starting 60 days after the last infusion: not a TEAE"),
    Scenario("101-0012", "ae_preexisting_worsened", "hUC-MSC", "Placebo",
             "Ascites mild from study day -3 (before the first infusion), worsening to severe on study day 20: "
             "two records sharing AEGRPID"),
    Scenario("101-0013", "ae_unknown_start_day", "hUC-MSC", "hUC-MSC",
             "Hyponatraemia with start date UN MON YYYY (day unknown), around study day 40"),
)

# Stage-1 sequences of the first two blocks at site 101 (1 = hUC-MSC), in randomization order
# (101-0006 is a screen failure and is not randomized); each block is 4 MSC : 2 placebo.
STAGE1_FIXED_BLOCKS = ((0, 1, 1, 1, 0, 1), (0, 1, 1, 0, 1, 1))
# First two stage-2 blocks at site 101 (1 = hUC-MSC): 101-0002, 101-0003, 101-0007, 101-0009,
# then 101-0010, 101-0012, 101-0013 and the next site-101 subject reaching week 4.
STAGE2_FIXED_BLOCKS = ((1, 0, 0, 1), (1, 0, 1, 0))


@dataclass(frozen=True)
class BoundaryCase:
    case: str
    subjid: str
    visit: str
    detail: str  # the reason, MedDRA key or value the case plants
    description: str


# Element-boundary cases planted on the subjects above (aclf_cdisc.simulate.boundaries), so every
# export with planted subjects holds each one whatever the seed.
BOUNDARY_CASES: tuple[BoundaryCase, ...] = (
    BoundaryCase("lab_after_stage2_dose", "101-0003", "Week 4", "",
                 "Week 4 labs drawn 60 minutes after the end of the stage-2 infusion (EPOCH TREATMENT 2)"),
    BoundaryCase("lab_without_time_on_stage2_day", "101-0007", "Week 4", "",
                 "Week 4 labs without a draw time on the stage-2 infusion day (date-only finding: TREATMENT 1)"),
    BoundaryCase("missed_infusion_with_reason", "101-0013", "Week 5", "Subject refused",
                 "Week 5 infusion not given (EXYN = N, reason Subject refused): EC ECOCCUR = N, no EX record"),
    BoundaryCase("ae_on_stage2_infusion_day", "101-0013", "Week 4", "pyrexia",
                 "Fever starting on the day of the stage-2 infusion, date only (event: TREATMENT 2)"),
)
