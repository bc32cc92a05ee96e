"""Freed memory goes back to the operating system (package.heap), where the C library allows it."""

from __future__ import annotations

import pytest

from aclf_cdisc.package.heap import give_back_free_pages, give_back_freed_memory


def _resident_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_pages_freed_inside_the_heap_are_given_back() -> None:
    if not give_back_freed_memory():
        pytest.skip("no malloc_trim in this C library")
    freed = [bytes(1024) for _ in range(200_000)]  # about 200 MB of separate heap blocks
    kept = [bytes(1024) for _ in range(100)]  # allocated after them: the heap's top cannot shrink
    del freed
    before = _resident_mb()
    assert give_back_freed_memory()
    assert before - _resident_mb() > 100  # the free pages in the middle of the heap left the process
    assert len(kept) == 100


def test_free_pages_go_back_without_a_collection(monkeypatch) -> None:
    import gc

    collected: list[int] = []
    monkeypatch.setattr(gc, "collect", lambda *a: collected.append(1) or 0)
    if not give_back_free_pages():
        pytest.skip("no malloc_trim in this C library")
    freed = [bytes(1024) for _ in range(200_000)]
    kept = [bytes(1024) for _ in range(100)]
    del freed
    before = _resident_mb()
    assert give_back_free_pages()
    assert before - _resident_mb() > 100
    assert collected == [] and len(kept) == 100  # a forked worker's inherited objects are not walked
