"""SD2280 / FDA TRC 1734: TS names the SDTMIG version (SDTIGVER) and it is a published one."""

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import missing_mask, plain, ts_rows
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec

PUBLISHED = ("3.1.2", "3.1.3", "3.2", "3.3", "3.4")  # SDTMIG versions the FDA Data Standards Catalog has listed


def _version(value: object) -> str:
    text = str(value).strip().upper()
    for prefix in ("SDTMIG", "SDTM IG", "V"):
        text = text.removeprefix(prefix).strip()
    return text


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    rows = ts_rows(datasets, "SDTIGVER")
    if rows is None:
        return []
    present = rows[~missing_mask(rows["TSVAL"])]
    if present.empty:
        return [rule.issue("TS has no populated SDTIGVER record", dataset="TS", column="TSPARMCD",
                           expected="SDTIGVER")]
    return [rule.issue("SDTIGVER does not name a published SDTMIG version", dataset="TS", row=int(pos) + 1,
                       column="TSVAL", value=plain(value), expected=" or ".join(PUBLISHED))
            for pos, value in zip(present.index, present["TSVAL"], strict=True) if _version(value) not in PUBLISHED]
