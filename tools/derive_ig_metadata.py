"""Derive the compact IG metadata the validator ships (aclf_cdisc/checks/data/ig-metadata.json).

Reads the CDISC Library CSV exports of SDTMIG 3.4 and ADaMIG 1.3 (``$ACLF_SHARED/standards``, or the
folder given) and keeps what the rules need: per dataset (SDTM) or data structure (ADaM) its label,
class and structure, and per variable, in IG order, its name, label, type (Char/Num), core
(Req/Exp/Perm/Cond) and CDISC CT codelist code(s). Output is sorted-key JSON, one dataset per line,
so a new IG release shows as a readable diff. tests/checks/test_ig_metadata.py checks that the
shipped file equals what this script derives.

    python tools/derive_ig_metadata.py [STANDARDS_DIR] [--out FILE]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_STANDARDS = Path(os.environ.get("ACLF_SHARED", ROOT.parent / "shared")) / "standards"
DEFAULT_OUT = ROOT / "src" / "aclf_cdisc" / "checks" / "data" / "ig-metadata.json"
ADAM_STRUCTURES = {"Subject-Level Analysis Dataset": "ADSL", "Basic Data Structure": "BDS"}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _codelists(text: str) -> list[str]:
    return [c.strip() for c in (text or "").replace(";", ",").split(",") if c.strip()]


def sdtmig(folder: Path) -> dict[str, Any]:
    datasets: dict[str, Any] = {}
    for row in _rows(folder / "Datasets.csv"):
        datasets[row["Dataset Name"]] = {"label": row["Dataset Label"], "class": row["Class"],
                                         "structure": row["Structure"], "variables": []}
    for row in sorted(_rows(folder / "Variables.csv"), key=lambda r: (r["Dataset Name"], int(r["Variable Order"]))):
        datasets[row["Dataset Name"]]["variables"].append(
            [row["Variable Name"], row["Variable Label"], row["Type"], row["Core"],
             _codelists(row["CDISC CT Codelist Code(s)"])])
    return {"version": "SDTMIG v3.4", "datasets": datasets}


def adamig(folder: Path) -> dict[str, Any]:
    structures: dict[str, Any] = {}
    for row in _rows(folder / "DataStructures.csv"):
        structures[row["Data Structure Name"]] = {"label": row["Data Structure Description"], "class": row["Class"],
                                                  "structure": row["Subclass"], "variables": []}
    for row in _rows(folder / "Variables.csv"):
        name = ADAM_STRUCTURES[row["Data Structure Name"]]
        structures[name]["variables"].append(
            [row["Variable Name"], row["Variable Label"], row["Type"], row["Core"],
             _codelists(row["CDISC CT Codelist Code(s)"])])
    return {"version": "ADaMIG v1.3", "datasets": structures}


def derive(standards: Path) -> str:
    """The JSON text of the shipped file."""
    data = {"sdtmig-3.4": sdtmig(standards / "sdtmig-3-4"), "adamig-1.3": adamig(standards / "adamig-1-3")}
    lines = ["{"]
    for i, (standard, body) in enumerate(data.items()):
        lines.append(f'"{standard}": {{"version": {json.dumps(body["version"])}, "datasets": {{')
        names = sorted(body["datasets"])
        for j, name in enumerate(names):
            comma = "," if j < len(names) - 1 else ""
            lines.append(f"{json.dumps(name)}: {json.dumps(body['datasets'][name], sort_keys=True)}{comma}")
        lines.append("}}" + ("," if i < len(data) - 1 else ""))
    lines.append("}")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("standards", nargs="?", type=Path, default=DEFAULT_STANDARDS)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    args.out.write_text(derive(args.standards), encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
