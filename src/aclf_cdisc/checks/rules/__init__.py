"""One module per conformance rule; :data:`RULES` lists them in report order."""

from aclf_cdisc.checks.rules import (
    ad0019_population_flag_empty,
    ad0320_adsl_label,
    sd0005_duplicate_seq,
    sd0038_study_day_zero,
    sd0064_subject_not_in_dm,
    sd0083_duplicate_usubjid_dm,
    sd1115_ts_sstdtc,
)

RULES = (
    sd0005_duplicate_seq.RULE,
    sd0038_study_day_zero.RULE,
    sd0064_subject_not_in_dm.RULE,
    sd0083_duplicate_usubjid_dm.RULE,
    sd1115_ts_sstdtc.RULE,
    ad0019_population_flag_empty.RULE,
    ad0320_adsl_label.RULE,
)
