"""Docstring examples are tests too: every module of the package that has examples runs them.

The modules are imported by name, so the examples run against the code the suite tests (the
installed wheel under tox, ``src`` otherwise) without pytest importing the same files twice.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import aclf_cdisc

MODULES = sorted(info.name for info in pkgutil.walk_packages(aclf_cdisc.__path__, "aclf_cdisc.")
                 if not info.name.endswith("__main__"))


def _examples(name: str) -> list[doctest.DocTest]:
    return [t for t in doctest.DocTestFinder().find(importlib.import_module(name)) if t.examples]


WITH_EXAMPLES = [name for name in MODULES if _examples(name)]


def test_the_derivations_and_conventions_have_examples() -> None:
    derivations = [m for m in MODULES if m.startswith("aclf_cdisc.adam.derivations.")
                   and not m.rsplit(".", 1)[-1].startswith("_")]
    assert len(derivations) >= 18
    assert set(derivations) <= set(WITH_EXAMPLES), sorted(set(derivations) - set(WITH_EXAMPLES))
    assert "aclf_cdisc.spec.conventions" in WITH_EXAMPLES


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_docstring_examples_run(name: str) -> None:
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in _examples(name):
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed"
