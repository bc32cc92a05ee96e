"""AD0258: every ADAE record traces to an SDTM AE record by STUDYID (when both have it), USUBJID and AESEQ.

Needs AE in the same run (ADaM is validated together with the SDTM it was built from).
"""

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import plain
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def _seq(value: object) -> object:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return value


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    adae, ae = datasets.get("ADAE"), datasets.get("AE")
    if adae is None or ae is None:
        return []
    keys = [k for k in ("STUDYID", "USUBJID") if k in adae.columns and k in ae.columns]
    if "USUBJID" not in keys:
        return []
    if "AESEQ" not in adae.columns or "AESEQ" not in ae.columns:
        return []
    known = {(*row[:-1], _seq(row[-1])) for row in ae[[*keys, "AESEQ"]].itertuples(index=False, name=None)}
    issues = []
    for pos, row in enumerate(adae[[*keys, "AESEQ"]].itertuples(index=False, name=None)):
        if (*row[:-1], _seq(row[-1])) not in known:
            subject, seq = row[keys.index("USUBJID")], plain(row[-1])
            issues.append(rule.issue(f"ADAE record USUBJID={subject}, AESEQ={seq} has no AE record", dataset="ADAE",
                                     row=pos + 1, column="AESEQ", value=seq,
                                     expected=f"an AE record for USUBJID={subject} with this AESEQ"))
    return issues

