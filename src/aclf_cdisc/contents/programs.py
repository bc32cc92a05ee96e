"""The code and specs that produce ADaM, as plain-text files (analysis/adam/programs/*.txt).

The FDA asks for analysis programs as ``.txt`` files. The programs here are the Python modules
of :mod:`aclf_cdisc.adam` and the spec files the ADaM build reads (the ADaM dataset specs, the
methods, the study conventions and the codelists). :func:`adam_programs` is a pure function of
the spec and the installed package, so the define can link each method to the program that
implements it (``program_for_method``) without anything being written.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from dataclasses import dataclass
from pathlib import Path

from aclf_cdisc.spec.model import Method, Spec

ADAM_PACKAGE = "aclf_cdisc.adam"
SPEC_FILES = ("methods.yaml", "study.yaml", "codelists.yaml", "comments.yaml")


@dataclass(frozen=True)
class Program:
    """One exported file: ``name`` is its file name, ``origin`` the module or spec file it holds."""

    name: str
    origin: str
    title: str

    @property
    def leaf_id(self) -> str:
        return "LF.PROG." + re.sub(r"[^A-Za-z0-9]", "_", self.name.removesuffix(".txt")).upper()

    @property
    def href(self) -> str:
        """Relative to the ADaM define (analysis/adam/datasets/define.xml)."""
        return f"../programs/{self.name}"


def _file_name(dotted: str) -> str:
    """``aclf_cdisc.adam.derivations.compute_meld`` -> ``adam_derivations_compute_meld.txt``.

    >>> _file_name("aclf_cdisc.adam.adsl"), _file_name("spec/adam/adsl.yaml")
    ('adam_adsl.txt', 'spec_adam_adsl_yaml.txt')
    """
    text = dotted.removeprefix("aclf_cdisc.")
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") + ".txt"


def adam_modules() -> list[str]:
    """Every module of the ADaM package, in name order."""
    package = importlib.import_module(ADAM_PACKAGE)
    names = [ADAM_PACKAGE] + [m.name for m in pkgutil.walk_packages(package.__path__, prefix=f"{ADAM_PACKAGE}.")]
    return sorted(names)


def adam_programs(spec: Spec) -> tuple[Program, ...]:
    programs = [Program(_file_name(m), m, f"ADaM program {m}") for m in adam_modules()]
    for dataset in sorted(spec.by_standard("ADaM"), key=lambda d: d.name):
        if dataset.source_file:
            rel = f"adam/{Path(dataset.source_file).name}"
            programs.append(Program(_file_name(f"spec/{rel}"), rel, f"ADaM dataset spec {dataset.name}"))
    if spec.root:
        for name in SPEC_FILES:
            if (Path(spec.root) / name).is_file():
                programs.append(Program(_file_name(f"spec/{name}"), name, f"Spec {name}"))
    return tuple(programs)


def program_text(program: Program, spec: Spec) -> str:
    """The text of a program: a module's source, or a spec file's content."""
    if program.origin.startswith(ADAM_PACKAGE):
        return inspect.getsource(importlib.import_module(program.origin))
    root = Path(spec.root) if spec.root else Path()
    return (root / program.origin).read_text(encoding="utf-8")


def program_for_method(method: Method, programs: tuple[Program, ...]) -> Program | None:
    """The exported module that implements a method (its ``expression`` names the function)."""
    if not method.expression or not method.expression.startswith(ADAM_PACKAGE):
        return None
    module_name, _, attr = method.expression.rpartition(".")
    try:
        module = importlib.import_module(module_name)
        target = getattr(module, attr)
        name = getattr(inspect.getmodule(target), "__name__", module_name)
    except (ImportError, AttributeError):
        name = method.expression if method.expression in {p.origin for p in programs} else module_name
    return next((p for p in programs if p.origin == name), None)
