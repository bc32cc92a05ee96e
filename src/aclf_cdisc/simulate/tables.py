"""Fixed tables the simulator draws from: sites, lab units and ranges, visits, criteria, MedDRA.

These are simulation inputs, not study metadata: the pipeline never reads them. They are kept as
data so a reviewer can check plausibility at a glance.
"""

from __future__ import annotations

import numpy as np

STUDYID = "NCT05985863"
STUDY_START = np.datetime64("2023-09-30")

# Sites: id, recruitment weight, unit system ("SI": umol/L + g/L, "CONV": mg/dL + g/dL).
SITES: tuple[tuple[str, float, str], ...] = (
    ("101", 0.30, "SI"),  # Beijing (lead site)
    ("102", 0.22, "SI"),
    ("103", 0.18, "SI"),
    ("104", 0.16, "CONV"),  # reports bilirubin/creatinine in mg/dL and albumin in g/dL
    ("105", 0.14, "SI"),
)

# Planned visits: EDC folder, planned study day (Week 0 = day 1), +/- jitter in days,
# may be missed (VISYN = N).
VISITS: tuple[tuple[str, int, int, bool], ...] = (
    ("Week 0", 1, 0, False),
    ("Week 1", 8, 1, False),
    ("Week 2", 15, 1, False),
    ("Week 3", 22, 1, True),
    ("Week 4", 29, 1, False),
    ("Week 5", 36, 1, False),
    ("Week 6", 43, 1, True),
    ("Week 8", 57, 2, True),
    ("Week 12", 85, 2, True),
    ("Week 24", 169, 3, True),
    ("End of Study", 337, 3, False),
)
STAGE1_INFUSION_VISITS = ("Week 0", "Week 1", "Week 2")
STAGE2_INFUSION_VISITS = ("Week 4", "Week 5")

# Eligibility criteria (protocol numbering). Weight = share among screen failures.
CRITERIA: tuple[tuple[str, str, str, float], ...] = (
    ("INCL01", "Inclusion", "Aged 18 to 70 years", 0.05),
    ("INCL02", "Inclusion", "ACLF by APASL criteria (TBIL >= 5 mg/dL and INR >= 1.5 or PTA < 40%, "
                            "with ascites and/or encephalopathy)", 0.17),
    ("INCL03", "Inclusion", "Written informed consent", 0.0),
    ("INCL04", "Inclusion", "Chronic liver disease documented", 0.0),
    ("EXCL01", "Exclusion", "Acute kidney injury at baseline", 0.14),
    ("EXCL02", "Exclusion", "Upper gastrointestinal bleeding at baseline", 0.09),
    ("EXCL03", "Exclusion", "Hepatic encephalopathy grade II or higher at baseline", 0.2),
    ("EXCL04", "Exclusion", "Uncontrolled infection at baseline", 0.14),
    ("EXCL05", "Exclusion", "Pre-ACLF platelets < 50x10^9/L or Child-Pugh score > 9", 0.08),
    ("EXCL06", "Exclusion", "Malignancy", 0.05),
    ("EXCL07", "Exclusion", "Prior or planned liver transplantation", 0.03),
    ("EXCL08", "Exclusion", "History of venous thrombosis", 0.02),
    ("EXCL09", "Exclusion", "Pregnancy or lactation", 0.01),
    ("EXCL10", "Exclusion", "Immunosuppressants within 1 month", 0.02),
    ("EXCL11", "Exclusion", "Prior stem cell therapy", 0.0),
)

# Lab tests: code, LBTEST as entered, decimals per unit system, unit per system, reference
# ranges per site (lo, hi) in that site's unit, "<x" reporting limit in site units (or None).
LAB_TESTS: tuple[str, ...] = ("TBIL", "ALB", "INR", "PTA", "CREAT", "SODIUM", "BUN", "ALT", "AST", "PLAT")
LAB_NAMES = {
    "TBIL": "Total Bilirubin", "ALB": "Albumin", "INR": "INR", "PTA": "Prothrombin Activity",
    "CREAT": "Creatinine", "SODIUM": "Sodium", "BUN": "Blood Urea Nitrogen", "ALT": "ALT",
    "AST": "AST", "PLAT": "Platelets",
}
# Unit and conversion factor from the simulator's internal unit (TBIL, CREAT mg/dL; ALB g/L).
LAB_UNITS = {
    "SI": {"TBIL": ("umol/L", 17.1, 1), "CREAT": ("umol/L", 88.4, 0), "ALB": ("g/L", 1.0, 1)},
    "CONV": {"TBIL": ("mg/dL", 1.0, 2), "CREAT": ("mg/dL", 1.0, 2), "ALB": ("g/dL", 0.1, 1)},
}
LAB_COMMON_UNITS = {  # same at every site: unit, factor, decimals
    "INR": ("", 1.0, 2), "PTA": ("%", 1.0, 0), "SODIUM": ("mmol/L", 1.0, 0), "BUN": ("mmol/L", 1.0, 2),
    "ALT": ("U/L", 1.0, 0), "AST": ("U/L", 1.0, 0), "PLAT": ("10^9/L", 1.0, 0),
}
# Reference ranges by site (site units).
LAB_RANGES: dict[str, dict[str, tuple[float, float]]] = {
    "101": {"TBIL": (3.4, 20.5), "CREAT": (57, 111), "ALB": (40, 55), "INR": (0.8, 1.2), "PTA": (70, 130),
            "SODIUM": (137, 147), "BUN": (3.1, 8.0), "ALT": (9, 50), "AST": (15, 40), "PLAT": (125, 350)},
    "102": {"TBIL": (5.1, 21.0), "CREAT": (44, 133), "ALB": (35, 55), "INR": (0.8, 1.2), "PTA": (80, 120),
            "SODIUM": (135, 145), "BUN": (2.9, 8.2), "ALT": (7, 40), "AST": (13, 35), "PLAT": (100, 300)},
    "103": {"TBIL": (3.4, 17.1), "CREAT": (53, 115), "ALB": (35, 50), "INR": (0.85, 1.15),
            "PTA": (70, 120), "SODIUM": (136, 146), "BUN": (2.5, 7.1), "ALT": (5, 40), "AST": (8, 40),
            "PLAT": (125, 350)},
    "104": {"TBIL": (0.2, 1.2), "CREAT": (0.6, 1.3), "ALB": (3.5, 5.5), "INR": (0.8, 1.2), "PTA": (70, 130),
            "SODIUM": (135, 145), "BUN": (2.9, 8.2), "ALT": (7, 40), "AST": (13, 35), "PLAT": (100, 300)},
    "105": {"TBIL": (1.7, 20.0), "CREAT": (45, 104), "ALB": (40, 55), "INR": (0.8, 1.3), "PTA": (75, 125),
            "SODIUM": (137, 147), "BUN": (3.2, 7.1), "ALT": (9, 50), "AST": (15, 40), "PLAT": (125, 350)},
}
# Lower reporting limits ("<x"), in site units: creatinine by enzymatic assay, ALT.
LAB_LOWER_LIMITS = {"SI": {"CREAT": 44.0, "ALT": 5.0}, "CONV": {"CREAT": 0.5, "ALT": 5.0}}
LAB_NOT_DONE_REASONS = ("Sample haemolysed", "Sample not collected", "Insufficient sample volume",
                        "Laboratory error")
EX_NOT_DONE_REASONS = ("Fever on the day of infusion", "Clinical condition deteriorated",
                       "Subject refused", "Kit not available at site")

# Death causes: DDORRES text and the fatal AE it goes with (key into MEDDRA).
DEATH_CAUSES: tuple[tuple[str, str, float], ...] = (
    ("Multiple organ failure", "mods", 0.35),
    ("Septic shock", "septic_shock", 0.2),
    ("Liver failure", "hepatic_failure", 0.2),
    ("Upper GI bleeding", "ugib", 0.12),
    ("Hepatorenal syndrome", "hrs", 0.13),
)

# MedDRA hierarchy for the terms the simulator uses (primary path).
# key: (verbatim variants, LLT, LLT code, PT, PT code, HLT, HLT code, HLGT, HLGT code, SOC, SOC code)
# PT and SOC codes are the MedDRA codes of these common terms; HLT/HLGT codes are given for a
# realistic shape and should be re-coded against the licensed MedDRA release before any real use.
MEDDRA: dict[str, tuple[tuple[str, ...], str, int, str, int, str, int, str, int, str, int]] = {
    "he": (("Hepatic encephalopathy", "hepatic encephalopathy grade 2", "HE worsening"),
           "Hepatic encephalopathy", 10019660, "Hepatic encephalopathy", 10019660,
           "Encephalopathies toxic and metabolic", 10014627, "Encephalopathies", 10014625,
           "Nervous system disorders", 10029205),
    "ascites": (("Ascites", "Worsening ascites", "ascites increased"),
                "Ascites", 10003445, "Ascites", 10003445,
                "Peritoneal and retroperitoneal disorders NEC", 10034654,
                "Peritoneal and retroperitoneal conditions", 10034652,
                "Gastrointestinal disorders", 10017947),
    "pneumonia": (("Pneumonia", "Lung infection", "pulmonary infection"),
                  "Pneumonia", 10035664, "Pneumonia", 10035664,
                  "Lower respiratory tract and lung infections", 10024970,
                  "Infections - pathogen unspecified", 10021879,
                  "Infections and infestations", 10021881),
    "uti": (("Urinary tract infection", "UTI"),
            "Urinary tract infection", 10046571, "Urinary tract infection", 10046571,
            "Urinary tract infections", 10046577, "Infections - pathogen unspecified", 10021879,
            "Infections and infestations", 10021881),
    "sepsis": (("Sepsis", "sepsis"),
               "Sepsis", 10040047, "Sepsis", 10040047,
               "Sepsis, bacteraemia, viraemia and fungaemia NEC", 10040048,
               "Infections - pathogen unspecified", 10021879,
               "Infections and infestations", 10021881),
    "septic_shock": (("Septic shock",),
                     "Septic shock", 10040070, "Septic shock", 10040070,
                     "Sepsis, bacteraemia, viraemia and fungaemia NEC", 10040048,
                     "Infections - pathogen unspecified", 10021879,
                     "Infections and infestations", 10021881),
    "ugib": (("Upper GI bleeding", "Upper gastrointestinal bleeding", "haematemesis due to varices"),
             "Upper gastrointestinal haemorrhage", 10046274, "Upper gastrointestinal haemorrhage", 10046274,
             "Gastrointestinal haemorrhages NEC", 10017959,
             "Gastrointestinal haemorrhages NEC", 10017960, "Gastrointestinal disorders", 10017947),
    "aki": (("Acute kidney injury", "AKI", "acute renal injury"),
            "Acute kidney injury", 10069339, "Acute kidney injury", 10069339,
            "Renal failure and impairment", 10038443, "Renal disorders (excl nephropathies)", 10038430,
            "Renal and urinary disorders", 10038359),
    "hrs": (("Hepatorenal syndrome",),
            "Hepatorenal syndrome", 10019846, "Hepatorenal syndrome", 10019846,
            "Hepatic failure and associated disorders", 10019665,
            "Hepatic and hepatobiliary disorders", 10019654, "Hepatobiliary disorders", 10019805),
    "hyponatraemia": (("Hyponatraemia", "Hyponatremia", "low sodium"),
                      "Hyponatraemia", 10021036, "Hyponatraemia", 10021036,
                      "Sodium imbalance", 10041277, "Electrolyte and fluid balance conditions", 10014418,
                      "Metabolism and nutrition disorders", 10027433),
    "hepatic_failure": (("Liver failure", "Hepatic failure"),
                        "Hepatic failure", 10019663, "Hepatic failure", 10019663,
                        "Hepatic failure and associated disorders", 10019665,
                        "Hepatic and hepatobiliary disorders", 10019654, "Hepatobiliary disorders", 10019805),
    "mods": (("Multiple organ failure", "Multi-organ failure"),
             "Multiple organ failure", 10028154, "Multiple organ dysfunction syndrome", 10077361,
             "General signs and symptoms NEC", 10018072, "General system disorders NEC", 10018073,
             "General disorders and administration site conditions", 10018065),
    "pyrexia": (("Fever", "fever after infusion", "Pyrexia"),
                "Fever", 10016558, "Pyrexia", 10037660,
                "Febrile disorders", 10016286, "Body temperature conditions", 10005908,
                "General disorders and administration site conditions", 10018065),
    "chills": (("Chills", "chills"),
               "Chills", 10008531, "Chills", 10008531,
               "Feelings and sensations NEC", 10016334, "General system disorders NEC", 10018073,
               "General disorders and administration site conditions", 10018065),
    "irr": (("Infusion reaction", "Infusion related reaction"),
            "Infusion related reaction", 10051792, "Infusion related reaction", 10051792,
            "Complications associated with device NEC", 10069904,
            "Procedural related injuries and complications NEC", 10069888,
            "Injury, poisoning and procedural complications", 10022117),
    "rash": (("Rash", "skin rash"),
             "Rash", 10037844, "Rash", 10037844,
             "Rashes, eruptions and exanthems NEC", 10037868, "Epidermal and dermal conditions", 10014982,
             "Skin and subcutaneous tissue disorders", 10040785),
    "nausea": (("Nausea",),
               "Nausea", 10028813, "Nausea", 10028813,
               "Nausea and vomiting symptoms", 10028817, "Gastrointestinal signs and symptoms", 10018012,
               "Gastrointestinal disorders", 10017947),
    "fatigue": (("Fatigue", "tiredness"),
                "Fatigue", 10016256, "Fatigue", 10016256,
                "Asthenic conditions", 10003550, "General system disorders NEC", 10018073,
                "General disorders and administration site conditions", 10018065),
}
MEDDRA_KEYS: tuple[str, ...] = tuple(MEDDRA)

# Disease-course AEs (ACLF complications): key, weight in improving patients, weight in patients
# heading to death or transplant.
ACLF_AES: tuple[tuple[str, float, float], ...] = (
    ("he", 0.14, 0.22), ("ascites", 0.16, 0.12), ("pneumonia", 0.1, 0.1), ("uti", 0.08, 0.03),
    ("sepsis", 0.03, 0.1), ("ugib", 0.05, 0.09), ("aki", 0.07, 0.14), ("hyponatraemia", 0.1, 0.1),
    ("hrs", 0.02, 0.08), ("nausea", 0.13, 0.01), ("fatigue", 0.12, 0.01),
)
# Pre-existing conditions recorded as AEs before the first infusion.
PRE_EXISTING_AES: tuple[str, ...] = ("ascites", "he", "hyponatraemia", "fatigue", "nausea")
# Infusion-related AEs: key, probability per administered infusion (MSC, placebo).
INFUSION_AES: tuple[tuple[str, float, float], ...] = (
    ("pyrexia", 0.10, 0.035), ("chills", 0.05, 0.015), ("irr", 0.025, 0.008), ("rash", 0.025, 0.015),
)
