"""The docstring examples of the documents package run."""

from __future__ import annotations

import doctest
import importlib

import pytest


@pytest.mark.parametrize("module", ["aclf_cdisc.documents.model", "aclf_cdisc.documents.html",
                                    "aclf_cdisc.documents.programs"])
def test_docstring_examples(module):
    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
