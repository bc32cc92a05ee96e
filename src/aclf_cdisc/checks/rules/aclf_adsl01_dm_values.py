"""ACLF-ADSL-01: ADSL values copied from DM equal DM, subject by subject.

Which variables are copies comes from the spec: ADSL variables whose origin is Predecessor
``DM.<VAR>``. Without an ADSL spec, every variable name ADSL shares with DM (ADaMIG: an SDTM
variable name kept in ADaM keeps its SDTM meaning and values). Subjects not in DM are SD0064's.
Missing values (None, NaN, blank) compare equal; numbers compare as numbers.
"""

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import is_missing, plain
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def copied_variables(spec: Spec, adsl_columns: list[str], dm_columns: list[str]) -> list[tuple[str, str]]:
    """(ADSL variable, DM variable) pairs that must agree."""
    if "ADSL" in spec.datasets:
        pairs = []
        for var in spec.datasets["ADSL"].variables:
            source = var.origin.predecessor or ""
            if var.origin.type == "Predecessor" and source.upper().startswith("DM."):
                pairs.append((var.name, source.split(".", 1)[1].upper()))
    else:
        pairs = [(c, c) for c in adsl_columns if c in dm_columns]
    return [(a, d) for a, d in pairs if a != "USUBJID" and a in adsl_columns and d in dm_columns]


def _same(a: object, b: object) -> bool:
    if is_missing(a) or is_missing(b):
        return is_missing(a) and is_missing(b)
    if isinstance(a, str) or isinstance(b, str):
        return str(a).strip() == str(b).strip()
    try:
        return float(a) == float(b)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return a == b


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    adsl, dm = datasets.get("ADSL"), datasets.get("DM")
    if adsl is None or dm is None or "USUBJID" not in adsl.columns or "USUBJID" not in dm.columns:
        return []
    pairs = copied_variables(spec, list(adsl.columns), list(dm.columns))
    dm_rows = {subject: pos for pos, subject in enumerate(dm["USUBJID"].tolist())}
    issues = []
    for adsl_var, dm_var in pairs:
        dm_values = dm[dm_var].tolist()
        for pos, (subject, value) in enumerate(zip(adsl["USUBJID"].tolist(), adsl[adsl_var].tolist(), strict=True)):
            if subject not in dm_rows:
                continue
            expected = dm_values[dm_rows[subject]]
            if not _same(value, expected):
                issues.append(rule.issue(f"ADSL.{adsl_var} differs from DM.{dm_var} for {subject}", dataset="ADSL",
                                         row=pos + 1, column=adsl_var, value=plain(value),
                                         expected=f"DM.{dm_var} = {plain(expected)!r}"))
    return issues

