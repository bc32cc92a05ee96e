"""The default sample raw EDC export (150 randomized + screen failures, seed 20230930), as package data.

    from aclf_cdisc.sample import edc_dir
    export = read_export(edc_dir(), spec)

``edc/`` holds one ``<form>.csv`` per form (byte-identical to ``aclf-cdisc simulate --subjects 150
--seed 20230930``), ``scenarios.csv`` (the planted subjects; not part of the export) and README.md.
"""

from __future__ import annotations

import csv
import io
from importlib import resources
from pathlib import Path

SAMPLE_SUBJECTS = 150
SAMPLE_SEED = 20230930
SCENARIOS_FILE = "scenarios.csv"


def edc_dir() -> Path:
    """The folder of the embedded sample export."""
    return Path(str(resources.files(__name__).joinpath("edc")))


def scenarios_csv() -> str:
    """The planted-scenario table as CSV text (SUBJID, SCENARIO, ARM_STAGE1, ARM_STAGE2, DESCRIPTION)."""
    from aclf_cdisc.simulate.scenarios import SCENARIOS

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["SUBJID", "SCENARIO", "ARM_STAGE1", "ARM_STAGE2", "DESCRIPTION"])
    for s in SCENARIOS:
        writer.writerow([s.subjid, s.scenario, s.arm_stage1, s.arm_stage2, s.description])
    return buf.getvalue()


def scenarios() -> dict[str, str]:
    """SCENARIO -> SUBJID for the planted subjects of the sample."""
    rows = csv.DictReader(io.StringIO((edc_dir() / SCENARIOS_FILE).read_text(encoding="utf-8")))
    return {r["SCENARIO"]: r["SUBJID"] for r in rows}


def regenerate(out_dir: Path | None = None) -> list[Path]:
    """Rewrite the sample export (and scenarios.csv) into ``out_dir`` (default: the package folder)."""
    from aclf_cdisc.simulate import simulate_export, write_export

    out = Path(out_dir) if out_dir is not None else edc_dir()
    paths = write_export(simulate_export(SAMPLE_SUBJECTS, SAMPLE_SEED), out)
    (out / SCENARIOS_FILE).write_bytes(scenarios_csv().encode("utf-8"))
    return [*paths, out / SCENARIOS_FILE]
