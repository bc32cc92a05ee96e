"""SD0063: a variable's label is the one the SDTMIG publishes for it in that domain.

Labels come from the spec (the metadata the files are written with, or read from on a folder); the
IG labels from the shipped SDTMIG metadata. Variables the IG does not list for the domain (custom
domains, sponsor variables) are not compared.
"""

from aclf_cdisc.checks.ig import sdtm_dataset
from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import variables_of
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    issues = []
    for name, columns in variables_of(datasets, spec, "SDTM"):
        ig = sdtm_dataset(name)
        if ig is None or name not in spec.datasets or name.startswith("SUPP"):
            continue
        labels = {v.name: v.label for v in ig.variables}
        for var in spec.datasets[name].variables:
            want = labels.get(var.name)
            if want is not None and var.name in columns and var.label.strip() != want:
                issues.append(rule.issue(f"label of {var.name} differs from the SDTMIG", dataset=name,
                                         column=var.name, value=var.label, expected=want))
    return issues
