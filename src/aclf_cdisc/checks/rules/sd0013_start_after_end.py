"""SD0013: --STDTC is not after --ENDTC, compared only to the precision both values have.

``2023-09`` vs ``2023-09-15`` compares year and month only, so it passes; ``2023-10`` vs
``2023-09-15`` fails. Pairs are any ``xxSTDTC``/``xxENDTC`` in one dataset (so RFSTDTC/RFENDTC
too). Invalid ISO 8601 text is SD0003's and intervals are skipped.
"""

from aclf_cdisc.checks.rule import Datasets, Rule
from aclf_cdisc.checks.rules._common import datasets_of, text_or_none
from aclf_cdisc.checks.rules._iso8601 import common_prefix, parse_datetime
from aclf_cdisc.errors import Issue
from aclf_cdisc.spec.model import Spec


def check(datasets: Datasets, spec: Spec, rule: Rule) -> list[Issue]:
    issues = []
    for name, frame in datasets_of(datasets, spec, "SDTM", reads=lambda c: c.endswith(("STDTC", "ENDTC"))):
        for start in (c for c in frame.columns if isinstance(c, str) and c.endswith("STDTC")):
            end = start[: -len("STDTC")] + "ENDTC"
            if end not in frame.columns:
                continue
            for pos, (a, b) in enumerate(zip(frame[start].tolist(), frame[end].tolist(), strict=True)):
                a_text, b_text = text_or_none(a), text_or_none(b)
                if a_text is None or b_text is None:
                    continue
                a_parts, b_parts = parse_datetime(a_text), parse_datetime(b_text)
                if a_parts is None or b_parts is None:
                    continue
                left, right = common_prefix(a_parts, b_parts)
                if left > right:
                    issues.append(rule.issue(f"{start} is after {end}", dataset=name, row=pos + 1, column=start,
                                             value=a_text, expected=f"on or before {end}={b_text}"))
    return issues

