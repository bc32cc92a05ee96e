"""A realistic raw EDC export for NCT05985863, for tests and demos (not part of the data flow).

    frames = simulate_export(n_subjects=150, seed=20230930)   # {form: DataFrame of text}
    write_export(frames, Path("edc"))                          # one <form>.csv per form

See docs/raw-export.md for the forms and src/aclf_cdisc/sample/edc/README.md for the planted
scenarios of the default sample.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aclf_cdisc.simulate.generator import simulate_export
    from aclf_cdisc.simulate.scenarios import SCENARIOS, Scenario
    from aclf_cdisc.simulate.writer import write_export

DEFAULT_SUBJECTS = 150
DEFAULT_SEED = 20230930

# The generator needs pandas and numpy; the command line only needs the defaults above to build
# its --help, so the rest is imported on first use (PEP 562).
_LAZY = {"simulate_export": "generator", "SCENARIOS": "scenarios", "Scenario": "scenarios",
         "write_export": "writer"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(f"aclf_cdisc.simulate.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["DEFAULT_SEED", "DEFAULT_SUBJECTS", "SCENARIOS", "Scenario", "simulate_export", "write_export"]
