"""Define-XML for a finished outputs tree: read the XPT files written, build, check and write both defines.

For each standard whose dataset folder holds XPT files, the datasets are taken from the files
(so define.xml states what was actually written: each file's header, and its rows unless the
caller hands over the frames it has just written there, which the file holds value for value;
a build does, so its define does not read a whole study back), the define is built from the spec,
checked (references, agreement with the files, and the Define-XML 2.1 XML Schema: the set
shipped with the product unless another folder is named) and written atomically beside the
datasets. A define that passed the schema gets a note saying so, so the build report states it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from aclf_cdisc.compact import expand_column, held_dataset
from aclf_cdisc.define.analysis_results import analysis_results_for
from aclf_cdisc.define.build import build_define
from aclf_cdisc.define.checks import check_define, check_define_against_data
from aclf_cdisc.define.common import DEFINE_NAME
from aclf_cdisc.define.render import write_define
from aclf_cdisc.define.schema import DEFINE_XSD, validate_define_schema
from aclf_cdisc.define.texts import check_define_texts
from aclf_cdisc.errors import Issue
from aclf_cdisc.package.layout import standard_dir
from aclf_cdisc.tasks import MapEach, serial_map
from aclf_cdisc.transport import XptDataset, read_xpt, read_xpt_header
from aclf_cdisc.transport.xpt import Findings, numeric_values

STANDARDS: tuple[Literal["SDTM", "ADaM"], ...] = ("SDTM", "ADaM")


def define_folder(outputs: Path, studyid: str, standard: str) -> Path:
    """The folder holding a standard's XPT files and its define.xml (the one place that knows it)."""
    return standard_dir(Path(outputs), studyid, standard)


def _creation_datetime(explicit: str | None, metas: list[Any]) -> str:
    if explicit:
        return str(explicit)
    stamps = sorted(m.created for m in metas if getattr(m, "created", None) is not None)
    if stamps:
        return stamps[-1].replace(microsecond=0, tzinfo=None).isoformat()
    raise ValueError("no CreationDateTime: pass --creation-datetime")


def written_dataset(path: Path, frames: Mapping[str, pd.DataFrame] | None) -> tuple[pd.DataFrame, XptDataset]:
    """The dataset in XPT file ``path``: its metadata from the file's header; its rows from
    ``frames`` (the frames just written, by dataset name) when they say for certain what the file
    holds (:func:`rows_as_written`), else from the file.

    A compacted dataset (:class:`aclf_cdisc.compact.CompactDatasets`) is taken as it is held: its
    text stays coded, and the define's statistics read the codes
    (:func:`aclf_cdisc.define.distinct.factorize_column`), so the study is never rebuilt as objects.
    """
    if frames is None:
        return read_xpt(path)
    meta = read_xpt_header(path)
    name = str(meta.name).upper()
    frame = held_dataset(frames, name) if name in frames else None
    written = rows_as_written(frame, meta) if frame is not None else None
    return (written, meta) if written is not None else read_xpt(path)


def rows_as_written(frame: pd.DataFrame, meta: XptDataset) -> pd.DataFrame | None:
    """The variables of ``meta`` in ``frame`` as :func:`read_xpt` would read them from the file
    written from it, or None when that is not certain.

    Text is taken as it is: the writer only pads it, and a built frame's text has no trailing
    blanks (``conform_to_spec``). Numbers become the float64 values written (dates as SAS dates,
    by the writer's own conversion), which an 8-byte IBM double holds exactly. None for a numeric
    variable shorter than 8 bytes (its fraction is cut), special missing values (read back as
    markers) or anything the writer would refuse. A compacted column (:mod:`aclf_cdisc.compact`)
    of text or of float64 numbers stays compacted: its values are those written.

    >>> from aclf_cdisc.transport import XptDataset, XptVariable
    >>> meta = XptDataset("DM", "Demographics", (XptVariable("AGE", "Age", "num", 8),))
    >>> rows_as_written(pd.DataFrame({"AGE": [34, 51]}), meta)["AGE"].tolist()
    [34.0, 51.0]
    """
    columns: dict[str, pd.Series] = {}
    for var in meta.variables:
        column = frame.get(var.name)
        if column is None:
            return None
        # the type of the values held (a compacted column's: its categories')
        held = column.cat.categories.dtype if isinstance(column.dtype, pd.CategoricalDtype) else column.dtype
        if var.is_char:
            if not (pd.api.types.is_object_dtype(held) or isinstance(held, pd.StringDtype)):
                return None
            columns[var.name] = column
            continue
        if var.length != 8:
            return None
        if held != np.float64:
            column = expand_column(column)
            findings = Findings(meta, "")
            values, special = numeric_values(column, var, 0, findings)
            if special is not None or findings.issues:
                return None
            column = pd.Series(values, index=frame.index, name=var.name)
        columns[var.name] = column
    return pd.DataFrame(columns, index=frame.index, copy=False)


def build_for_outputs(outputs: Path, spec: Any, *, schema_dir: Path | None = None,
                      creation_datetime: str | None = None,
                      frames: Mapping[str, pd.DataFrame] | None = None,
                      map_each: MapEach = serial_map) -> list[Issue]:
    """Build, check and write both defines under ``outputs``; return every finding.

    Files inside ``outputs`` are named relative to it (``m5/datasets/.../define.xml``).
    ``frames``: the datasets just written under ``outputs``, by name (see :func:`written_dataset`).
    The two standards' defines are made by ``map_each`` (side by side on forked workers in a
    build); their findings are listed SDTM first, wherever they were made.
    """
    def one(standard: Literal["SDTM", "ADaM"]) -> tuple[bool, list[Issue]]:
        return standard_define(outputs, spec, standard, schema_dir=schema_dir,
                               creation_datetime=creation_datetime, frames=frames)

    issues: list[Issue] = []
    found_any = False
    for written, found in map_each(one, STANDARDS):
        found_any = found_any or written
        issues.extend(found)
    if not found_any:
        issues.append(Issue("define.no-datasets", f"no XPT files under {outputs}", file=str(outputs)))
    return _relative_to(issues, outputs)


def standard_define(outputs: Path, spec: Any, standard: Literal["SDTM", "ADaM"], *, schema_dir: Path | None,
                    creation_datetime: str | None,
                    frames: Mapping[str, pd.DataFrame] | None) -> tuple[bool, list[Issue]]:
    """Build, check and write the define of one standard; (whether one was written, the findings)."""
    issues: list[Issue] = []
    folder = define_folder(outputs, spec.study.studyid, standard)
    wanted = {d.name for d in spec.by_standard(standard)}
    files = sorted(p for p in folder.glob("*.xpt")) if folder.is_dir() else []
    datasets: dict[str, tuple[Any, Any]] = {}
    for path in files:
        frame, meta = written_dataset(path, frames)
        name = str(meta.name).upper()
        if name not in wanted:
            issues.append(Issue("define.dataset-not-in-spec", f"{path.name} holds {name}, which the "
                                f"{standard} spec does not define", file=str(path), dataset=name))
            continue
        datasets[name] = (frame, meta)
    if not datasets:
        issues.append(Issue("define.no-datasets", f"no {standard} XPT files in {folder.relative_to(outputs)}; "
                            f"no {standard} define.xml written", severity="warning", file=str(folder)))
        return False, issues
    stamp = _creation_datetime(creation_datetime, [m for _, m in datasets.values()])
    build_issues: list[Issue] = []
    arm = analysis_results_for(spec, frozenset(datasets)) if standard == "ADaM" else None  # specs/analysis.yaml
    columns: dict[str, dict[str, Any]] = {}  # each column factorized once, for build and check
    tree = build_define(spec, standard, datasets, creation_datetime=stamp, issues=build_issues,
                        analysis_results=arm, columns=columns)
    target = folder / DEFINE_NAME
    write_define(tree, folder)
    found = [*build_issues, *check_define(tree),
             *check_define_against_data(tree, datasets, spec=spec, columns=columns),
             *check_define_texts(tree), *schema_findings(target, schema_dir)]
    issues.extend(_with_file(i, target) for i in found)
    return True, issues


def schema_findings(define: Path, schema_dir: Path | None) -> list[Issue]:
    """Schema errors of ``define``, or one note that it is valid (and against which schema set)."""
    found = validate_define_schema(define, schema_dir)
    if found:
        return found
    source = "the schema set shipped with aclf-cdisc" if schema_dir is None else "the schema folder given"
    return [Issue("define.schema-valid", f"define.xml is valid against the CDISC Define-XML 2.1 schema "
                  f"{DEFINE_XSD.name} ({source})", severity="note", file=str(define))]


def _with_file(issue: Issue, path: Path) -> Issue:
    if issue.file and issue.file != "define.xml":
        return issue
    return replace(issue, file=str(path))


def _relative_to(issues: list[Issue], outputs: Path) -> list[Issue]:
    """Name files by their place in the outputs tree (m5/...), so reports do not depend on where
    the tree was built (a build assembles it in a temporary staging folder)."""
    prefix = str(outputs) + os.sep
    return [replace(i, file=i.file[len(prefix):]) if i.file and i.file.startswith(prefix) else i for i in issues]
