"""How a stage computes its independent tasks: one after the other here, on forked workers in a
build (:func:`aclf_cdisc.package.background.forked_map`). Either way the results come back in
task order, so what a stage makes of them does not depend on where they ran."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator, Sequence
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


class Rider:
    """One more task that rides along the next map of a stage: handed out first (it is the longest),
    so it never adds a process beside the stage's workers, and its result kept for later.

    The build gives a large study's analysis page to the checks' workers this way: run beside them
    on a process of its own, it was the build's peak of memory (three large processes at once).
    A rider whose map never ran computes its task where its result is first asked for.

    >>> rider = Rider(lambda: "page")
    >>> list(rider.riding(serial_map)(len, ["a", "bb"]))
    [1, 2]
    >>> rider.result()
    'page'
    """

    def __init__(self, task: Callable[[], Any]) -> None:
        self._task = task
        self._done: list[Any] = []

    def riding(self, map_each: MapEach) -> MapEach:
        """``map_each`` with the rider's task as one more item, handed out before the others."""

        def mapped(fn: Callable[[Any], Any], items: Sequence[Any], *,
                   cost: Callable[[Any], float] | None = None) -> Iterator[Any]:
            if self._done:  # it rode along an earlier map
                yield from map_each(fn, items, cost=cost)
                return
            tagged: list[tuple[bool, Any]] = [(False, item) for item in items] + [(True, None)]

            def run(entry: tuple[bool, Any]) -> Any:
                return self._task() if entry[0] else fn(entry[1])

            def guess(entry: tuple[bool, Any]) -> float:
                return math.inf if entry[0] else (cost(entry[1]) if cost is not None else 0.0)

            results = iter(map_each(run, tagged, cost=guess))
            for _ in items:
                yield next(results)
            self._done.append(next(results))

        return mapped

    def result(self) -> Any:
        """The task's result: from the map it rode along, or computed here if it rode none."""
        if not self._done:
            self._done.append(self._task())
        return self._done[0]
