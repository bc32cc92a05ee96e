"""What ``aclf-cdisc validate`` reads: a folder (or file) of XPT v5 / Dataset-JSON datasets, and the
metadata the rules need, assembled from the files' own headers, the shipped IG metadata and an
optional CT file. Nothing here knows any particular study.

The metadata takes the shape of a :class:`~aclf_cdisc.spec.model.Spec` (the rules read one): per
dataset its label, standard and class; per variable in file order its label, type and length from
the file header, its core (Req/Exp/Perm) and CT codelist from the IG; then the IG's Required and
Expected variables the file lacks (so SD0056/SD0057 can say so).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from aclf_cdisc.checks.ig import ADAMIG, SDTMIG, IGDataset, adam_structure, sdtm_dataset
from aclf_cdisc.errors import AclfError, Issue, printable
from aclf_cdisc.spec.ct import ControlledTerminology
from aclf_cdisc.spec.model import Codelist, Dataset, Origin, Spec, Study, Term, Variable
from aclf_cdisc.transport.datasetjson import DATASET_JSON_MEMBERS, dataset_from_document, parse_document
from aclf_cdisc.transport.meta import XptDataset
from aclf_cdisc.transport.xpt import read_xpt

ENCODINGS = ("utf-8", "windows-1252")  # XPT has no encoding field: UTF-8, else the SAS default on Windows
NOT_DATASETS = re.compile(r"^(define|.*\.schema)\.json$", re.IGNORECASE)


@dataclass(frozen=True)
class Delivery:
    """Datasets read from files, by upper-case name, with their header metadata and source file."""

    root: Path
    datasets: dict[str, pd.DataFrame]
    metadata: dict[str, XptDataset]
    files: dict[str, Path]
    define: Path | None = None
    standards: dict[str, str] = field(default_factory=dict)  # dataset -> SDTM | ADaM
    defines: tuple[Path, ...] = ()  # every define.xml: the one given, or each found under the folder
    skipped: tuple[Path, ...] = ()  # .json files that are not datasets (a package's manifest.json, reports)


def _fail(rule: str, message: str, **where: Any) -> AclfError:
    return AclfError(Issue(rule=rule, message=message, **where))


def dataset_files(path: Path) -> list[Path]:
    """The .xpt and Dataset-JSON files at ``path`` (a file, or a folder searched recursively), sorted."""
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise _fail("validate.path-missing", "no such file or folder", file=str(path))
    found = [p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in (".xpt", ".json")
             and not NOT_DATASETS.match(p.name)]
    unnamed = [p for p in found if printable(str(p)) != str(p)]
    if unnamed:
        raise _fail("validate.name-not-utf8", "a dataset file's name holds bytes that are not UTF-8 (shown as \\xNN), "
                    "and the reports name every file in UTF-8: rename it", file=printable(str(min(unnamed))),
                    expected="a file name in UTF-8")
    return sorted(found, key=lambda p: (p.name.lower(), str(p)))


def is_dataset_json(document: Any) -> bool:
    """Whether a parsed .json file is meant as Dataset-JSON: an object with any of its own members
    (one that has some and lacks others is a damaged dataset, refused as such when read)."""
    return isinstance(document, dict) and not DATASET_JSON_MEMBERS.isdisjoint(document)


def read_dataset(path: Path) -> tuple[pd.DataFrame, XptDataset] | None:
    """One dataset file, or None for a JSON file that is not Dataset-JSON (:func:`is_dataset_json`);
    an unreadable one raises with the file and the place named (never a traceback)."""
    try:
        if path.suffix.lower() == ".json":
            document = parse_document(path.read_bytes(), str(path))
            return dataset_from_document(document, str(path)) if is_dataset_json(document) else None
        for encoding in ENCODINGS:
            try:
                return read_xpt(path, encoding=encoding)
            except AclfError as exc:
                if encoding == ENCODINGS[-1] or not any(i.rule == "xpt.read-encoding" for i in exc.issues):
                    raise
        raise AssertionError("unreachable")
    except AclfError as exc:
        first = exc.issues[0] if exc.issues else None
        where = {} if first is None else {"row": first.row, "column": first.column, "value": first.value,
                                          "expected": first.expected}
        raise _fail("validate.file-unreadable", f"cannot read {path.name}: {first.message if first else exc}",
                    file=str(path), **where) from exc
    except (OSError, ValueError, KeyError, TypeError, json.JSONDecodeError) as exc:
        raise _fail("validate.file-unreadable", f"cannot read {path.name}: {exc}", file=str(path)) from exc


def standard_for(name: str, standard: str | None) -> str:
    """SDTM or ADaM: the one asked for, else by name (AD* is ADaM)."""
    if standard == SDTMIG:
        return "SDTM"
    if standard == ADAMIG:
        return "ADaM"
    return "ADaM" if name.startswith("AD") else "SDTM"


def read_delivery(path: Path, *, define: Path | None = None, standard: str | None = None) -> Delivery:
    files = dataset_files(path)
    if not files:
        raise _fail("validate.nothing-to-validate", "nothing to validate: no .xpt or Dataset-JSON files",
                    file=str(path), expected="a folder holding *.xpt or *.json datasets")
    datasets: dict[str, pd.DataFrame] = {}
    metadata: dict[str, XptDataset] = {}
    sources: dict[str, Path] = {}
    skipped: list[Path] = []
    for file in files:
        read = read_dataset(file)
        if read is None:
            skipped.append(file)
            continue
        frame, meta = read
        name = (meta.name or file.stem).upper()
        if name in sources:
            raise _fail("validate.dataset-twice", f"dataset {name} is in two files", file=str(file),
                        value=str(sources[name]), expected="one file per dataset")
        datasets[name], metadata[name], sources[name] = frame, meta, file
    if not datasets:
        raise _fail("validate.nothing-to-validate", f"nothing to validate: no .xpt files, and no .json file is "
                    f"Dataset-JSON ({len(skipped)} other .json file(s) skipped)", file=str(path),
                    expected="a folder holding *.xpt or *.json datasets")
    if define is not None and not define.is_file():
        raise _fail("validate.define-missing", "define.xml not found", file=str(define))
    defines = (define,) if define is not None else tuple(sorted(path.rglob("define.xml"))) if path.is_dir() else ()
    return Delivery(root=path, datasets=datasets, metadata=metadata, files=sources,
                    define=defines[0] if defines else None, defines=defines, skipped=tuple(skipped),
                    standards={name: standard_for(name, standard) for name in datasets})


# --------------------------------------------------------------------------------------------
# metadata in the shape of a spec
# --------------------------------------------------------------------------------------------
ADAM_CLASSES = {"ADSL": "SUBJECT LEVEL ANALYSIS DATASET", "BDS": "BASIC DATA STRUCTURE"}


def _ig_for(name: str, standard: str, columns: Any) -> IGDataset | None:
    return sdtm_dataset(name) if standard == "SDTM" else adam_structure(name, columns)


# Variables whose IG codelist depends on another variable's value (value-level metadata, named in the
# define): results (--ORRES/--STRESC, by test) and the tests of instrument domains (by instrument).
VALUE_LEVEL_SUFFIXES = ("ORRES", "STRESC")
INSTRUMENT_DOMAINS = frozenset({"QS", "RS", "FT"})


def _codelist_oid(name: str, domain: str, codes: tuple[str, ...], ct: ControlledTerminology | None) -> str | None:
    """The CT codelist the IG names for a variable (several: their union, OID joined with '+')."""
    if ct is None or name.endswith(VALUE_LEVEL_SUFFIXES):
        return None
    if domain in INSTRUMENT_DOMAINS and name[2:] in ("TESTCD", "TEST"):
        return None
    present = [code for code in codes if code in ct.codelists]
    return "+".join(present) or None


def _variable(name: str, label: str, numeric: bool, length: int | None, core: str, codelist: str | None) -> Variable:
    return Variable(name=name, label=label, data_type="float" if numeric else "text", length=length,
                    core=core if core in ("Req", "Exp", "Perm", "Cond") else "Perm",  # type: ignore[arg-type]
                    origin=Origin("Not Available"), codelist=codelist)


def dataset_metadata(name: str, standard: str, meta: XptDataset, frame: pd.DataFrame,
                     ct: ControlledTerminology | None) -> Dataset:
    ig = _ig_for(name, standard, frame.columns)
    by_name = {v.name: v for v in ig.variables} if ig is not None else {}
    variables = []
    for var in meta.variables:
        known = by_name.get(var.name)
        variables.append(_variable(var.name, var.label, not var.is_char, var.length if var.is_char else None,
                                   known.core if known else "Perm",
                                   _codelist_oid(var.name, name[:2], known.codelists, ct) if known else None))
    present = {v.name for v in meta.variables}
    for known in by_name.values():
        if known.name not in present and known.core in ("Req", "Exp") and known.name.isupper():
            variables.append(_variable(known.name, known.label, known.type == "Num", None, known.core, None))
    if standard == "SDTM":
        klass = ig.class_.upper() if ig is not None else ""
        subclass = None
    else:
        structure = ig.name if ig is not None else ""
        klass = ADAM_CLASSES.get(structure, "ADAM OTHER")
        subclass = "TIME-TO-EVENT" if "CNSR" in frame.columns else None
    label = meta.label or (ig.label if ig is not None and standard == "SDTM" else "")  # a blank label: the IG's
    return Dataset(name=name, label=label, standard=standard,  # type: ignore[arg-type]
                   class_=klass, structure=ig.structure if ig is not None else "",
                   purpose="Tabulation" if standard == "SDTM" else "Analysis", keys=(), sort_order=(),
                   variables=tuple(variables), subclass=subclass, domain=name[:2] if standard == "SDTM" else None)


def codelists_named(delivery: Delivery) -> set[str]:
    """The CDISC CT codelist codes the IG names for the variables the delivery holds."""
    codes: set[str] = set()
    for name, meta in delivery.metadata.items():
        ig = _ig_for(name, delivery.standards[name], delivery.datasets[name].columns)
        if ig is not None:
            present = {v.name for v in meta.variables}
            codes.update(code for v in ig.variables if v.name in present for code in v.codelists)
    return codes


def ct_codelists(ct: ControlledTerminology | None, used: set[str]) -> dict[str, Codelist]:
    if ct is None:
        return {}
    out = {}
    for oid in sorted(used):
        parts = [ct.codelists[code] for code in oid.split("+")]
        terms = {t.submission_value: Term(t.submission_value, nci_code=t.code)
                 for cl in parts for t in cl.terms.values()}
        out[oid] = Codelist(oid=oid, name=" / ".join(cl.name for cl in parts), data_type="text",
                            nci_code=parts[0].code, extensible=any(cl.extensible for cl in parts),
                            terms=tuple(terms.values()))
    return out


def first_value(datasets: Mapping[str, pd.DataFrame], column: str) -> str:
    for frame in datasets.values():
        if column in frame.columns and len(frame):
            return str(frame[column].iat[0])
    return ""


def delivery_spec(delivery: Delivery, ct: ControlledTerminology | None = None) -> Spec:
    """The delivery's metadata as a Spec (see the module docstring)."""
    datasets = {name: dataset_metadata(name, delivery.standards[name], delivery.metadata[name],
                                       delivery.datasets[name], ct) for name in sorted(delivery.datasets)}
    used = {v.codelist for d in datasets.values() for v in d.variables if v.codelist}
    study = Study(studyid=first_value(delivery.datasets, "STUDYID"), title="", protocol="", sponsor="",
                  registry_id="", ct_versions={}, meddra_version="", arms=(), elements=(), trial_arms=(),
                  epochs=(), visits=(), trial_summary=(), inclusion_exclusion=())
    return Spec(study=study, datasets=datasets, codelists=ct_codelists(ct, used), methods={}, comments={},
                documents={})
