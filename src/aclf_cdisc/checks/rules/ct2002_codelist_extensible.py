"""CT2002: values of a variable with an extensible codelist come from it, or are sponsor extensions.

A warning: new terms may be added to an extensible codelist, so a value outside it asks for review
(add it to the spec codelist as an extended term, or recode it).
"""

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules.ct2001_codelist_non_extensible import codelist_issues
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    return codelist_issues(datasets, spec, rule, extensible=True)

