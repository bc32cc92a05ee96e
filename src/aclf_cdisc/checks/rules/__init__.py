"""One module per conformance rule; :data:`RULES` lists them in report order.

Report order: SDTM rules (SD, by ID), controlled terminology (CT), ADaM rules (AD, by ID), then the
project's own rules (ACLF-*), which cover what no Pinnacle 21 rule checks.
"""

from aclf_cdisc.checks.rule import Rule
from aclf_cdisc.checks.rules import (
    aclf_adsl01_dm_values,
    aclf_ts01_sstdtc_after_consent,
    aclf_tte01_cnsr_value,
    aclf_tte02_adt_before_startdt,
    aclf_tte03_aval_days,
    ad0019_population_flag_empty,
    ad0047_required_variable_missing,
    ad0245_cnsr_without_startdt,
    ad0246_cnsr_without_adt,
    ad0247_cnsr_record_incomplete,
    ad0258_adae_not_in_ae,
    ad0320_adsl_label,
    ct2001_codelist_non_extensible,
    ct2002_codelist_extensible,
    sd0002_null_required,
    sd0003_iso8601,
    sd0005_duplicate_seq,
    sd0013_start_after_end,
    sd0038_study_day_zero,
    sd0056_required_variable_missing,
    sd0057_expected_variable_missing,
    sd0064_subject_not_in_dm,
    sd0070_no_exposure,
    sd0083_duplicate_usubjid_dm,
    sd0087_rfstdtc_missing,
    sd1082_length_too_long,
    sd1115_ts_sstdtc,
    sd1117_duplicate_records,
)

RULES: tuple[Rule, ...] = (
    sd0002_null_required.RULE,
    sd0003_iso8601.RULE,
    sd0005_duplicate_seq.RULE,
    sd0013_start_after_end.RULE,
    sd0038_study_day_zero.RULE,
    sd0056_required_variable_missing.RULE,
    sd0057_expected_variable_missing.RULE,
    sd0064_subject_not_in_dm.RULE,
    sd0070_no_exposure.RULE,
    sd0083_duplicate_usubjid_dm.RULE,
    sd0087_rfstdtc_missing.RULE,
    sd1082_length_too_long.RULE,
    sd1115_ts_sstdtc.RULE,
    sd1117_duplicate_records.RULE,
    ct2001_codelist_non_extensible.RULE,
    ct2002_codelist_extensible.RULE,
    ad0019_population_flag_empty.RULE,
    ad0047_required_variable_missing.RULE,
    ad0245_cnsr_without_startdt.RULE,
    ad0246_cnsr_without_adt.RULE,
    ad0247_cnsr_record_incomplete.RULE,
    ad0258_adae_not_in_ae.RULE,
    ad0320_adsl_label.RULE,
    aclf_adsl01_dm_values.RULE,
    aclf_ts01_sstdtc_after_consent.RULE,
    aclf_tte01_cnsr_value.RULE,
    aclf_tte02_adt_before_startdt.RULE,
    aclf_tte03_aval_days.RULE,
)

RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}
