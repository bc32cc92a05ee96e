"""Small hand-made SDTM frames for the ADaM builder tests (no tests here; imported by test_ad*.py).

Subjects (STUDYID ACLF-MSC-302):
  S1  PBO       randomized 2023-10-02, placebo weeks 0-2, completed (EOS 2024-09-20, after week 48)
  S2  MSC-MSC      randomized 2023-10-03, hUC-MSC x3, then hUC-MSC x2 (re-randomized 2023-10-31), died 2023-12-15
  S3  MSC-PBO  randomized 2023-10-04, hUC-MSC x3 then placebo x2 (re-randomized 2023-11-01),
                liver transplant 2024-01-10
  S4  MSC      randomized 2023-10-05, one hUC-MSC infusion, withdrew 2023-10-20
  SF  screen failure (in DM only)
"""

from __future__ import annotations

import pandas as pd

STUDY = "ACLF-MSC-302"


def _frame(columns: str, rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns.split())
    frame.insert(0, "STUDYID", STUDY)
    return frame


def make_sdtm() -> dict[str, pd.DataFrame]:
    dm = _frame(
        "USUBJID SUBJID SITEID AGE AGEU SEX RACE ETHNIC COUNTRY ARMCD ARM ACTARMCD ACTARM DTHFL DTHDTC RFSTDTC",
        [
            ("S1", "01-0001", "01", 45, "YEARS", "M", "ASIAN", "NOT HISPANIC OR LATINO", "CHN", "PBO", "Placebo x3",
             "PBO", "Placebo x3", None, None, "2023-10-02"),
            ("S2", "01-0002", "01", 61, "YEARS", "F", "ASIAN", "NOT HISPANIC OR LATINO", "CHN", "MSC-MSC",
             "hUC-MSC x3, then hUC-MSC x2", "MSC-MSC", "hUC-MSC x3, then hUC-MSC x2", "Y", "2023-12-15", "2023-10-03"),
            ("S3", "02-0001", "02", 50, "YEARS", "M", "ASIAN", "NOT HISPANIC OR LATINO", "CHN", "MSC-PBO",
             "hUC-MSC x3, then Placebo x2", "MSC-PBO", "hUC-MSC x3, then Placebo x2", None, None, "2023-10-04"),
            ("S4", "02-0002", "02", 33, "YEARS", "F", "ASIAN", "NOT HISPANIC OR LATINO", "CHN", "MSC", "hUC-MSC x3",
             "MSC", "hUC-MSC x3", None, None, "2023-10-05"),
            ("SF", "02-0003", "02", 40, "YEARS", "M", "ASIAN", "NOT HISPANIC OR LATINO", "CHN", None, None,
             None, None, None, None, None),
        ])
    # DSSCAT as SDTM DS has it: end of study STUDY PARTICIPATION; S2's stage-2 treatment ended by
    # death is a STUDY TREATMENT record of the same date (DSSEQ 4), never the death ADTTE traces
    ds = _frame("USUBJID DSSEQ DSCAT DSSCAT DSDECOD DSTERM DSSTDTC", [
        ("S1", 1, "PROTOCOL MILESTONE", None, "RANDOMIZED", "RANDOMIZED", "2023-10-02"),
        ("S1", 2, "DISPOSITION EVENT", "STUDY PARTICIPATION", "COMPLETED", "COMPLETED", "2024-09-20"),
        ("S2", 1, "PROTOCOL MILESTONE", None, "RANDOMIZED", "RANDOMIZED", "2023-10-03"),
        ("S2", 2, "PROTOCOL MILESTONE", None, "RE-RANDOMIZED", "RE-RANDOMIZED", "2023-10-31"),
        ("S2", 3, "DISPOSITION EVENT", "STUDY PARTICIPATION", "DEATH", "DEATH", "2023-12-15"),
        ("S2", 4, "DISPOSITION EVENT", "STUDY TREATMENT", "DEATH", "DEATH", "2023-12-15"),
        ("S3", 1, "PROTOCOL MILESTONE", None, "RANDOMIZED", "RANDOMIZED", "2023-10-04"),
        ("S3", 2, "PROTOCOL MILESTONE", None, "RE-RANDOMIZED", "RE-RANDOMIZED", "2023-11-01"),
        ("S3", 3, "DISPOSITION EVENT", "STUDY PARTICIPATION", "LIVER TRANSPLANTATION", "LIVER TRANSPLANTATION",
         "2024-01-10"),
        ("S4", 1, "PROTOCOL MILESTONE", None, "RANDOMIZED", "RANDOMIZED", "2023-10-05"),
        ("S4", 2, "DISPOSITION EVENT", "STUDY PARTICIPATION", "WITHDRAWAL BY SUBJECT", "WITHDRAWAL BY SUBJECT",
         "2023-10-20"),
        ("SF", 1, "DISPOSITION EVENT", "STUDY PARTICIPATION", "SCREEN FAILURE", "SCREEN FAILURE", "2023-09-30"),
    ])
    ex_rows = []
    for usubjid, trts in (("S1", [("PLACEBO", "2023-10-02"), ("PLACEBO", "2023-10-09"), ("PLACEBO", "2023-10-16")]),
                          ("S2", [("HUC-MSC", d) for d in ("2023-10-03", "2023-10-10", "2023-10-17", "2023-10-31",
                                                           "2023-11-07")]),
                          ("S3", [("HUC-MSC", "2023-10-04"), ("HUC-MSC", "2023-10-11"), ("HUC-MSC", "2023-10-18"),
                                  ("PLACEBO", "2023-11-01"), ("PLACEBO", "2023-11-08")]),
                          ("S4", [("HUC-MSC", "2023-10-05")])):
        for seq, (trt, day) in enumerate(trts, start=1):
            ex_rows.append((usubjid, seq, trt, f"{day}T09:00", f"{day}T10:00"))
    ex = _frame("USUBJID EXSEQ EXTRT EXSTDTC EXENDTC", ex_rows)
    pr = _frame("USUBJID PRSEQ PRTRT PRSTDTC", [
        ("S3", 1, "LIVER TRANSPLANTATION", "2024-01-10")])
    sv = _frame("USUBJID SVSEQ VISIT SVSTDTC", [
        ("S1", 1, "Week 0", "2023-10-02"), ("S1", 2, "Week 24", "2024-03-18"), ("S1", 3, "End of Study", "2024-09-20"),
        ("S2", 1, "Week 0", "2023-10-03"), ("S3", 1, "Week 0", "2023-10-04"), ("S3", 2, "Week 8", "2023-11-28"),
        ("S4", 1, "Week 0", "2023-10-05"), ("S4", 2, "Week 1", "2023-10-12"),
    ])
    lb_rows = [
        # S1: baseline on day 1 with bilirubin in umol/L in LBSTRESU (converted), a duplicate
        # re-entry the same day, week 1 values
        ("S1", 1, "BILI", 171.0, "umol/L", 3.4, 20.5, "2023-10-02"),
        ("S1", 2, "CREAT", 1.2, "mg/dL", 0.6, 1.2, "2023-10-02"),
        ("S1", 3, "INR", 2.1, "RATIO", 0.8, 1.2, "2023-10-02"),
        ("S1", 4, "ALB", 30.0, "g/L", 35.0, 50.0, "2023-10-02"),
        ("S1", 5, "SODIUM", 130.0, "mmol/L", 135.0, 145.0, "2023-10-02"),
        ("S1", 6, "UREAN", 6.0, "mmol/L", 2.5, 7.1, "2023-10-02"),
        ("S1", 7, "BILI", 8.5, "mg/dL", 0.2, 1.2, "2023-10-09"),
        ("S1", 8, "CREAT", 0.8, "mg/dL", 0.6, 1.2, "2023-10-09"),
        ("S1", 9, "INR", 1.5, "RATIO", 0.8, 1.2, "2023-10-09"),
        ("S1", 10, "ALB", 36.0, "g/L", 35.0, 50.0, "2023-10-09"),
        ("S1", 11, "SODIUM", 140.0, "mmol/L", 135.0, 145.0, "2023-10-09"),
        ("S1", 12, "INR", 1.6, "RATIO", 0.8, 1.2, "2023-10-10"),
        # S2: baseline screening day -3
        ("S2", 1, "BILI", 12.0, "mg/dL", 0.2, 1.2, "2023-09-30"),
        ("S2", 2, "CREAT", 5.0, "mg/dL", 0.6, 1.2, "2023-09-30"),
        ("S2", 3, "INR", 2.5, "RATIO", 0.8, 1.2, "2023-09-30"),
        ("S2", 4, "ALB", 25.0, "g/L", 35.0, 50.0, "2023-09-30"),
        ("S2", 5, "SODIUM", 120.0, "mmol/L", 135.0, 145.0, "2023-09-30"),
    ]
    lb = _frame("USUBJID LBSEQ LBTESTCD LBSTRESN LBSTRESU LBSTNRLO LBSTNRHI LBDTC", lb_rows)
    rs = _frame("USUBJID RSSEQ RSTESTCD RSORRES RSSTRESC RSDTC", [
        ("S1", 1, "CPS0102", "slight", "2", "2023-10-02"),
        ("S1", 2, "WHEG0101", "GRADE 0", "GRADE 0", "2023-10-02"),
        ("S1", 3, "CPS0102", "absent", "1", "2023-10-09"),
        ("S1", 4, "WHEG0101", "GRADE 1", "GRADE 1", "2023-10-09"),
        ("S2", 1, "CPS0102", "moderate", "3", "2023-09-30"),
        ("S2", 2, "WHEG0101", "GRADE 3", "GRADE 3", "2023-09-30"),
    ])
    ae_cols = ("USUBJID AESEQ AESPID AEGRPID AETERM AELLT AELLTCD AEDECOD AEPTCD AEHLT AEHLTCD AEHLGT AEHLGTCD "
               "AEBODSYS AESOC AESOCCD AESEV AESER AESDTH AESLIFE AESHOSP AESDISAB AESCONG AESMIE AEREL AEACN "
               "AEOUT AESTDTC AEENDTC")

    def ae_row(usubjid, seq, term, sev, start, end, grp=None):
        return (usubjid, seq, str(seq), grp, term, term, 1000 + seq, term, 2000 + seq, "HLT", 3, "HLGT", 4,
                "GASTROINTESTINAL DISORDERS", "GASTROINTESTINAL DISORDERS", 10017947, sev, "N", "N", "N", "N", "N",
                "N", "N", "NOT RELATED", "DOSE NOT CHANGED", "RECOVERED/RESOLVED", start, end)

    ae = _frame(ae_cols, [
        ae_row("S1", 1, "NAUSEA", "MILD", "2023-09-28", "2023-10-05", grp="1"),      # before first infusion
        ae_row("S1", 2, "NAUSEA", "SEVERE", "2023-10-06", "2023-10-12", grp="1"),    # worsened after it
        ae_row("S1", 3, "DIARRHOEA", "MODERATE", "2023-10", "2023-10-20"),           # unknown day, month of TRTSDT
        ae_row("S1", 4, "VOMITING", "MILD", "2023-11-13", None),                     # day 28 after last infusion
        ae_row("S1", 5, "ASCITES", "MILD", "2023-11-14", "2023-11-20"),              # day 29 after: not TEAE
        ae_row("S2", 1, "PYREXIA", "MODERATE", "2023-11-02", "2023-11-03"),          # stage 2
        ae_row("SF", 1, "HEADACHE", "MILD", "2023-09-25", "2023-09-26"),             # screen failure
    ])
    se = _frame("USUBJID ETCD EPOCH TAETORD SESTDTC SEENDTC", [
        ("S1", "SCRN", "SCREENING", 1, "2023-09-25", "2023-10-02"),
        ("S1", "PBO1", "TREATMENT 1", 2, "2023-10-02", "2023-10-23"),
    ])
    return {"DM": dm, "DS": ds, "EX": ex, "PR": pr, "SV": sv, "LB": lb, "RS": rs, "AE": ae, "SE": se}


def adam_spec():
    """The study, shared definitions and ADaM specs only (SDTM specs are built elsewhere and may
    be mid-change): a copy of those files under a temporary root, loaded with load_spec."""
    import shutil
    import tempfile
    from pathlib import Path

    from aclf_cdisc.spec import load_spec

    specs = Path(__file__).resolve().parents[2] / "specs"
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "specs"
        root.mkdir()
        for name in ("study.yaml", "codelists.yaml", "methods.yaml", "comments.yaml", "documents.yaml"):
            shutil.copy(specs / name, root / name)
        shutil.copytree(specs / "adam", root / "adam")
        return load_spec(root)
