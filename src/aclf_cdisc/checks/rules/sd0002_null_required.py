"""SD0002: a variable the spec marks Required (core Req) is never null (SDTMIG: CG0014, CG0208)."""

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import missing_mask, specified_datasets_of
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Dataset, Spec


def _required(dataset: Dataset) -> list[str]:
    return [var.name for var in dataset.variables if var.core == "Req"]


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    issues = []
    for name, frame, dataset in specified_datasets_of(datasets, spec, "SDTM", reads=_required):
        for var in dataset.variables:
            if var.core != "Req" or var.name not in frame.columns:
                continue
            for pos in missing_mask(frame[var.name]).to_numpy().nonzero()[0]:
                issues.append(rule.issue(f"{var.name} is Required but null", dataset=name, row=int(pos) + 1,
                                         column=var.name, expected="a value (core Req)"))
    return issues

