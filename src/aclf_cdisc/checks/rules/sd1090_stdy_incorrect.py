"""SD1090: --STDY is the study day of --STDTC from DM.RFSTDTC (see :mod:`._studyday`)."""

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._studyday import study_day_issues
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    return study_day_issues(datasets, spec, rule, dtc="STDTC", dy="STDY")
