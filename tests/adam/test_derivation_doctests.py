"""The docstring examples of the derivations added for the two-stage design run and hold."""

import doctest
import importlib

import pytest

MODULES = ("on_or_after_start", "derive_vars_ap_dates", "derive_var_trtseq", "convert_to_unit")


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(f"aclf_cdisc.adam.derivations.{name}")
    result = doctest.testmod(module, extraglobs={"pd": importlib.import_module("pandas")})
    assert result.attempted > 0
    assert result.failed == 0
