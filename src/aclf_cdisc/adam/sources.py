"""Event and censoring sources for time-to-event parameters (admiral's ``event_source``/``censor_source``).

A source is data, not code: which dataset, which rows, which date, and the traceability values
(EVNTDESC or CNSDTDSC, SRCDOM, SRCVAR, SRCSEQ) the chosen record carries into ADTTE.
:func:`aclf_cdisc.adam.derivations.derive_param_tte` only combines sources.

Example (transplant-free survival, study.md "TFS")::

    death = EventSource("adsl", date="DTHDT", filter="DTHFL == 'Y'",
                        set_values_to={"EVNTDESC": "DEATH", "SRCDOM": "ADSL", "SRCVAR": "DTHDT"})
    transplant = EventSource("pr", date="PRSTDT", filter="PRDECOD == 'LIVER TRANSPLANTATION'",
                             set_values_to={"EVNTDESC": "LIVER TRANSPLANT", "SRCDOM": "PR",
                                            "SRCVAR": "PRSTDTC"}, srcseq_var="PRSEQ")
    last_alive = CensorSource("adsl", date="LSTALVDT",
                              set_values_to={"CNSDTDSC": "LAST KNOWN ALIVE DATE",
                                             "SRCDOM": "ADSL", "SRCVAR": "LSTALVDT"})
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import pandas as pd

#: Variables a source may set on the ADTTE record it produces.
SETTABLE_VARS: frozenset[str] = frozenset({"EVNTDESC", "CNSDTDSC", "SRCDOM", "SRCVAR"})


def _check(source: _Source) -> None:
    if not isinstance(source.dataset_name, str) or not source.dataset_name:
        raise ValueError("`dataset_name` must be a non-empty string naming a key of source_datasets")
    if not isinstance(source.date, str) or not source.date:
        raise ValueError("`date` must be a non-empty column name")
    if source.filter is not None and not (isinstance(source.filter, str) or callable(source.filter)):
        raise TypeError("`filter` must be a pandas query string, a callable or None")
    unknown = sorted(set(source.set_values_to) - SETTABLE_VARS)
    if unknown:
        raise ValueError(f"`set_values_to` may only set {sorted(SETTABLE_VARS)}; got {unknown}")
    if source.srcseq_var is not None and not isinstance(source.srcseq_var, str):
        raise TypeError("`srcseq_var` must be a column name or None")
    # freeze the mapping so a source cannot change after it is built
    object.__setattr__(source, "set_values_to", MappingProxyType(dict(source.set_values_to)))


@dataclass(frozen=True)
class _Source:
    dataset_name: str
    date: str
    filter: str | Callable[[pd.DataFrame], Any] | None = None
    set_values_to: Mapping[str, Any] = field(default_factory=dict)
    srcseq_var: str | None = None


@dataclass(frozen=True)
class EventSource(_Source):
    """An event: CNSR = 0.

    dataset_name: key into ``source_datasets`` (e.g. "adsl", "ae", "pr").
    date: the date column of that dataset (datetime64 or date values); rows after ``filter`` must
        have it (a missing event date is an error, see derive_param_tte).
    filter: pandas query string or callable returning a boolean mask; None keeps all rows.
    set_values_to: constants among EVNTDESC, SRCDOM, SRCVAR.
    srcseq_var: column giving SRCSEQ (e.g. "AESEQ"); None leaves SRCSEQ missing.
    """

    def __post_init__(self) -> None:
        _check(self)
        if "CNSDTDSC" in self.set_values_to:
            raise ValueError("an EventSource sets EVNTDESC, not CNSDTDSC")

    @property
    def cnsr(self) -> int:
        return 0


@dataclass(frozen=True)
class CensorSource(_Source):
    """A censoring date: CNSR = ``censor`` (a positive integer, 1 unless stated).

    Same fields as :class:`EventSource`; ``set_values_to`` sets CNSDTDSC rather than EVNTDESC
    (EVNTDESC is allowed too, as ADaMIG permits a description of the censoring event).
    """

    censor: int = 1

    def __post_init__(self) -> None:
        _check(self)
        if isinstance(self.censor, bool) or not isinstance(self.censor, int) or self.censor < 1:
            raise ValueError("`censor` must be a positive integer (CNSR 0 is reserved for events)")

    @property
    def cnsr(self) -> int:
        return self.censor
