"""How a stage computes its independent tasks: one after the other here, on forked workers in a
build (:func:`aclf_cdisc.package.background.forked_map`). Either way the results come back in
task order, so what a stage makes of them does not depend on where they ran."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class MapEach(Protocol):
    """``fn(item)`` for each item, results in item order; ``cost`` guesses each item's work (the
    largest are handed out first where that helps)."""

    def __call__(self, fn: Callable[[Any], Any], items: Sequence[Any], *,
                 cost: Callable[[Any], float] | None = None) -> Iterable[Any]: ...


def serial_map(fn: Callable[[T], R], items: Sequence[T], *,
               cost: Callable[[T], float] | None = None) -> Iterable[R]:
    """``fn(item)`` for each item, one after the other, in order (``cost`` is not needed).

    >>> list(serial_map(len, ["a", "bb"]))
    [1, 2]
    """
    return (fn(item) for item in items)
