"""RELREC (Related Records): the dataset-level relationships the spec declares (relrec.yaml).

Each relationship of ``conventions.relationships`` (RELID and its linked datasets, each with the
variable that links it) gives one record per linked dataset, with USUBJID and IDVARVAL null
(SDTMIG 3.4 section 8.3.2, relating datasets). RELTYPE is read from the data
(:func:`derive_reltype`, MT.RELREC.RELTYPE). A relationship whose dataset is not built, or lacks
its linking variable, is a spec error: RELREC never names what the package does not hold.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from aclf_cdisc.errors import DerivationError, Issue
from aclf_cdisc.sdtm.conform import conform_to_spec
from aclf_cdisc.spec.model import Spec

DOMAIN = "RELREC"
ONE, MANY = "ONE", "MANY"


def derive_reltype(frame: pd.DataFrame, idvar: str) -> str:
    """ONE when no subject has two records with the same non-missing ``idvar`` value, else MANY.

    >>> derive_reltype(pd.DataFrame({"USUBJID": ["A", "A", "B"], "ECLNKID": ["W0", "W1", "W0"]}), "ECLNKID")
    'ONE'
    >>> derive_reltype(pd.DataFrame({"USUBJID": ["A", "A"], "ECLNKID": ["W0", "W0"]}), "ECLNKID")
    'MANY'
    """
    linked = frame[frame[idvar].notna()]
    return MANY if linked.duplicated(["USUBJID", idvar]).any() else ONE


def build_relrec(datasets: Mapping[str, pd.DataFrame], spec: Spec) -> pd.DataFrame:
    """RELREC from the built SDTM ``datasets`` and the relationships of the RELREC spec."""
    dataset = spec.dataset(DOMAIN)
    records, problems = [], []
    for relationship in dataset.conventions.get("relationships", []):
        for link in relationship["links"]:
            rdomain, idvar = str(link["rdomain"]), str(link["idvar"])
            frame = datasets.get(rdomain)
            if frame is None or idvar not in frame.columns:
                problems.append(Issue(rule="sdtm.relrec-link-unknown", dataset=DOMAIN, column="IDVAR", value=idvar,
                                      message=f"relationship {relationship['relid']} links {rdomain}.{idvar}, "
                                              "which the built datasets do not hold",
                                      expected="a dataset the package holds and one of its variables"))
                continue
            records.append({"STUDYID": spec.study.studyid, "RDOMAIN": rdomain, "USUBJID": None, "IDVAR": idvar,
                            "IDVARVAL": None, "RELTYPE": derive_reltype(frame, idvar),
                            "RELID": str(relationship["relid"])})
    if problems:
        raise DerivationError(problems, "RELREC names a dataset or variable that is not built")
    columns = [v.name for v in dataset.variables]
    return conform_to_spec(pd.DataFrame.from_records(records, columns=columns), dataset)
