"""Where each file of the eCTD module 5 package goes (FDA TCG / eCTD folder conventions).

    m5/datasets/<studyid>/tabulations/sdtm/        *.xpt define.xml stylesheet acrf.pdf csdrg.pdf
    m5/datasets/<studyid>/analysis/adam/datasets/  *.xpt define.xml stylesheet adrg.pdf
    m5/datasets/<studyid>/analysis/adam/programs/  programs as plain text

The only place that knows the layout: everything else asks these functions.
"""

from __future__ import annotations

from pathlib import Path

REPORTS_DIR = "reports"


def study_folder(studyid: str) -> str:
    """eCTD folder names are lower case."""
    return studyid.lower()


def datasets_root(root: Path, studyid: str) -> Path:
    return root / "m5" / "datasets" / study_folder(studyid)


def sdtm_dir(root: Path, studyid: str) -> Path:
    return datasets_root(root, studyid) / "tabulations" / "sdtm"


def adam_dir(root: Path, studyid: str) -> Path:
    return datasets_root(root, studyid) / "analysis" / "adam" / "datasets"


def adam_programs_dir(root: Path, studyid: str) -> Path:
    return datasets_root(root, studyid) / "analysis" / "adam" / "programs"


def standard_dir(root: Path, studyid: str, standard: str) -> Path:
    """The dataset folder of a standard ("SDTM" or "ADaM")."""
    return {"SDTM": sdtm_dir, "ADAM": adam_dir}[standard.upper()](root, studyid)


def reports_dir(root: Path) -> Path:
    """Build reports (validation, conformance): beside the package, not inside it."""
    return root / REPORTS_DIR


def xpt_name(dataset: str) -> str:
    """FDA TCG: one dataset per file, named by the lower-case dataset name."""
    return f"{dataset.lower()}.xpt"
