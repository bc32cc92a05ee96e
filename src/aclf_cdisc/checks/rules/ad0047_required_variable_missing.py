"""AD0047: the variables ADaMIG v1.3 makes Required are in the dataset.

ADSL: STUDYID USUBJID SUBJID SITEID AGE AGEU SEX RACE ARM TRT01P (ADaMIG 3.2; TRTxxP for period 01).
BDS: STUDYID USUBJID PARAMCD PARAM, and AVAL or AVALC. Time-to-event (BDS TTE subclass, ADaM BDS for
TTE v1.0): also CNSR. STARTDT/ADT belong to AD0245/AD0246, which report them under their own IDs.
"""

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import adam_kind, variables_of
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec

ADSL_REQUIRED = ("STUDYID", "USUBJID", "SUBJID", "SITEID", "AGE", "AGEU", "SEX", "RACE", "ARM", "TRT01P")
BDS_REQUIRED = ("STUDYID", "USUBJID", "PARAMCD", "PARAM")
BDS_ONE_OF = ("AVAL", "AVALC")
TTE_REQUIRED = ("CNSR",)


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    issues = []
    for name, columns in variables_of(datasets, spec, "ADaM"):
        kind = adam_kind(name, spec, columns)
        required: tuple[str, ...] = ()
        if kind == "ADSL":
            required = ADSL_REQUIRED
        elif kind in ("BDS", "TTE"):
            required = BDS_REQUIRED + (TTE_REQUIRED if kind == "TTE" else ())
        for variable in required:
            if variable not in columns:
                issues.append(rule.issue(f"Required variable {variable} is not in {name}", dataset=name,
                                         column=variable, expected=f"{variable} present ({kind})"))
        if kind in ("BDS", "TTE") and not any(v in columns for v in BDS_ONE_OF):
            issues.append(rule.issue(f"neither AVAL nor AVALC is in {name}", dataset=name, column="AVAL",
                                     expected="AVAL or AVALC present (BDS)"))
    return issues

