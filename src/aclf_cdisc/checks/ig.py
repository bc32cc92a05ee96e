"""The implementation-guide metadata the validator ships (data/ig-metadata.json, from tools/derive_ig_metadata.py).

SDTMIG 3.4 per domain and ADaMIG 1.3 per data structure (ADSL, BDS, TTE): labels, classes and, per
variable in IG order, label, type, core and CDISC CT codelist codes. Read once; never from ../shared.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

SDTMIG, ADAMIG = "sdtmig-3.4", "adamig-1.3"
STANDARDS = (SDTMIG, ADAMIG)


@dataclass(frozen=True)
class IGVariable:
    name: str
    label: str
    type: str  # Char | Num
    core: str  # Req | Exp | Perm | Cond
    codelists: tuple[str, ...]  # CDISC CT codelist NCI codes


@dataclass(frozen=True)
class IGDataset:
    name: str
    label: str
    class_: str
    structure: str
    variables: tuple[IGVariable, ...]

    def variable(self, name: str) -> IGVariable | None:
        return next((v for v in self.variables if v.name == name), None)


@cache
def _raw() -> dict[str, Any]:
    text = resources.files("aclf_cdisc.checks").joinpath("data/ig-metadata.json").read_text(encoding="utf-8")
    return dict(json.loads(text))


@cache
def ig_datasets(standard: str) -> dict[str, IGDataset]:
    """Every dataset (SDTMIG) or data structure (ADaMIG) of a shipped standard, by name."""
    body = _raw()[standard]
    return {name: IGDataset(name=name, label=d["label"], class_=d["class"], structure=d["structure"],
                            variables=tuple(IGVariable(n, lab, t, core, tuple(cl)) for n, lab, t, core, cl
                                            in d["variables"]))
            for name, d in body["datasets"].items()}


def ig_version(standard: str) -> str:
    return str(_raw()[standard]["version"])


def sdtm_dataset(name: str) -> IGDataset | None:
    """The SDTMIG domain a dataset follows: itself, SUPPQUAL for SUPP--, None for a custom domain."""
    datasets = ig_datasets(SDTMIG)
    if name in datasets:
        return datasets[name]
    if name.startswith("SUPP"):
        return datasets.get("SUPPQUAL")
    return None


def adam_structure(name: str, columns: Any) -> IGDataset | None:
    """The ADaMIG structure a dataset follows: ADSL by name, TTE when it has CNSR, BDS when it has PARAMCD."""
    structures = ig_datasets(ADAMIG)
    if name == "ADSL":
        return structures["ADSL"]
    if "PARAMCD" in columns:
        return structures["BDS"]
    return None
