"""Work of the build on forked worker processes: one independent step beside the main process
(:func:`in_background`), or independent tasks whose results come back in order (:func:`forked_map`).

The analysis page (:mod:`aclf_cdisc.analysis`) reads only the finished datasets and the spec,
and nothing after it reads what it makes until the package is assembled: it can be computed in a
forked process while the main process writes the XPT files, the defines and the documents (a
large study's page is one more task of the checks' workers instead: :class:`aclf_cdisc.tasks.Rider`). The
result is the same function of the same inputs, so the bytes do not depend on where it ran
(tests/package/test_blocks.py builds the sample with one worker and with two and compares every
file).

Every forked worker of the build (this one and the subject blocks') dies with the build: a
worker left behind by a killed build (SIGKILL, out of memory) would keep the build's output
pipes open and its memory in use (:func:`die_with_parent`).

With one worker, or where ``fork`` does not exist, the step runs in the main process when its
result is first asked for. A forked child ignores Ctrl-C and dies on SIGTERM: the main process
alone answers signals, and stops the child when the build stops for any reason.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from functools import partial
from typing import Any, TypeVar

from aclf_cdisc.errors import Issue, ResourceError
from aclf_cdisc.package.atomic import signals_held
from aclf_cdisc.package.heap import give_back_free_pages
from aclf_cdisc.tasks import Rider

T = TypeVar("T")
R = TypeVar("R")

_TASK: dict[str, Any] = {}  # the forked child's task (set once at its start, read once)
PR_SET_PDEATHSIG = 1  # linux/prctl.h: the signal a process gets when its parent ends


def die_with_parent(parent: int) -> None:
    """In a forked worker: end with the build whose process id is ``parent``, however it ends.

    The kernel sends SIGKILL when the parent ends (Linux ``prctl(PR_SET_PDEATHSIG)``; elsewhere
    nothing is set); a parent already gone before that ends the worker at once.
    """
    with contextlib.suppress(OSError, AttributeError):  # not Linux: nothing to set
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)


#: Blocked while a worker is forked (:class:`WorkerPool`), until the worker has its own answers to them.
STOP_SIGNALS = frozenset({signal.SIGINT, signal.SIGTERM})


def worker_signals(parent: int) -> None:
    """A forked worker's start: the build alone answers Ctrl-C and SIGTERM, the worker dies with it,
    and what it inherited is kept out of its garbage collections (``gc.freeze``): a collection
    writes to every object it walks, which would copy each page the worker shares with the build.

    The worker is forked with :data:`STOP_SIGNALS` blocked and unblocks them here, once its own
    answers are set: a stop sent to it at once (a build that fails in its first milliseconds)
    is answered by those, never by the build's handler it inherited, which would raise in the
    worker and print a traceback.
    """
    gc.freeze()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
    die_with_parent(parent)


@contextmanager
def stops_held() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM for the ``with`` block (the forking of a worker), then answer them.

    The block's thread blocks :data:`STOP_SIGNALS`, so a worker forked in it starts with them
    blocked. That alone does not keep a stop out of the block: the kernel hands a signal to any
    thread that does not block it (a pool's manager thread), and Python runs the handler in the
    main thread at its next instruction, which may be inside ``os.fork``'s hooks (the ``logging``
    lock's release): an exception raised there is printed as "Exception ignored" and dropped, and
    the build would go on and publish. So the handlers only note a stop during the block
    (:func:`~aclf_cdisc.package.atomic.signals_held`); the first one noted is sent again after it.
    """
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    with signals_held() as arrived:
        try:
            yield
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)  # one pending in this thread is noted too
    for signum in arrived[:1]:
        signal.raise_signal(signum)  # the handler as it was raises KeyboardInterrupt / Interrupted


def _adopt(parent: int, fn: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Child start: keep the task the parent handed over (inherited through fork, never pickled)."""
    worker_signals(parent)
    _TASK.update(fn=fn, args=args, kwargs=kwargs)


def _run() -> Any:
    return _TASK["fn"](*_TASK["args"], **_TASK["kwargs"])


def _prepared(parent: int, prepare: Callable[[], Any]) -> None:
    """Child start of :func:`started_early`: the worker's signals, then ``prepare``. A ``prepare``
    that fails is let be: the task meets the same failure where it runs and reports it itself."""
    worker_signals(parent)
    with contextlib.suppress(Exception):
        prepare()


@contextmanager
def started_early(prepare: Callable[[], Any], *, workers: int) -> Iterator[WorkerPool | None]:
    """A forked worker started now, running ``prepare`` (the imports of the task it will be given)
    while the build goes on; yields it for :func:`in_background` (``worker=``), which hands it its
    one task, the arguments pickled. None with one worker or without ``fork``. Leaving the block
    by an error stops the worker at once, like every worker of the build.
    """
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield None
        return
    with _forked_pool(1, _prepared, (prepare,)) as pool:
        pool.submit(int)  # a pool starts its worker with the first task it is given
        yield pool


@contextmanager
def in_background(fn: Callable[..., T], *args: Any, workers: int, worker: WorkerPool | None = None,
                  **kwargs: Any) -> Iterator[Callable[[], T]]:
    """Start ``fn(*args, **kwargs)`` in a forked process; yield a function that returns its result.

    The process is forked here (``fn`` and its arguments inherited), or is ``worker``, started
    earlier (:func:`started_early`; ``fn`` and its arguments are then pickled to it). An error of
    ``fn`` is raised by that function, as if ``fn`` had run in place. Leaving the ``with`` block
    before asking (an error, Ctrl-C, SIGTERM) stops the child at once.

    >>> with in_background(sum, [1, 2, 3], workers=1) as result:
    ...     result()
    6
    """
    if worker is not None:
        with _awaited(worker, worker.submit(fn, *args, **kwargs)) as result:
            yield result
        return
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield Rider(partial(fn, *args, **kwargs)).result  # computed here, once, when first asked for
        return
    with _forked_pool(1, _adopt, (fn, args, kwargs)) as pool, _awaited(pool, pool.submit(_run)) as result:
        yield result


@contextmanager
def _awaited(pool: WorkerPool, future: Future[T]) -> Iterator[Callable[[], T]]:
    """The result of ``pool``'s last task, ``future``, as a function; the pool's worker exits once
    it has sent it, and is stopped if the block is left without asking for it."""
    # no more work for it: the child exits as soon as its result is sent back, and its memory
    # (the step's imports and heap) is gone for the rest of the build, not held until the end
    pool.shutdown(wait=False)

    def result() -> T:  # a dead worker is raised where the result is asked for
        try:
            return pool.result_of(future)
        except BrokenProcessPool:
            raise worker_lost() from None

    yield result
    if not future.done():  # left without asking: nobody will read the result, do not wait for it
        pool.stop()


RESULT_POLL_SECONDS = 0.5  # how often a wait for a result looks for a worker that died (WorkerPool.result_of)
MANAGER_JOIN_SECONDS = 10.0  # the longest a pool's end waits for its manager thread (WorkerPool.join_managers)


class WorkerPool(ProcessPoolExecutor):
    """A process pool that can still stop its workers after ``shutdown(wait=False)`` (which lets
    them finish their work and exit, and forgets them), and that never waits forever on a worker
    that died (:meth:`result_of`, :meth:`stop`)."""

    _workers: tuple[Any, ...] = ()
    _managers: tuple[Any, ...] = ()  # the manager threads of the pool, kept past a shutdown

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # this process's writing end of the pipe the workers send their results on, kept past a
        # shutdown(wait=False) (which forgets the pipe) for stop to close (_end_results)
        self._results_writer = getattr(getattr(self, "_result_queue", None), "_writer", None)

    def _known_workers(self) -> set[Any]:
        """Every worker the pool has started, forgotten by a shutdown or not."""
        return {*self._workers, *(getattr(self, "_processes", None) or {}).values()}

    def _spawn_process(self) -> None:
        """Fork one worker with the stops held (:func:`stops_held`); :func:`worker_signals` answers them in it."""
        with stops_held():
            ProcessPoolExecutor._spawn_process(self)  # type: ignore[attr-defined]

    def result_of(self, future: Future[T]) -> T:
        """``future.result()``, or BrokenProcessPool as soon as a worker has died: one killed while
        sending its result (by the kernel's out-of-memory killer, say) leaves the pool's manager
        thread reading the rest of that result, and the future would never be answered.
        A worker ends well (exit status 0) only once the pool is shut down and its work sent."""
        while True:
            try:
                return future.result(timeout=RESULT_POLL_SECONDS)
            except FutureTimeout:
                if any(p.exitcode not in (None, 0) for p in self._known_workers()):
                    raise BrokenProcessPool("a worker ended while the pool was waiting for a result") from None

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self._workers = (*self._workers, *(getattr(self, "_processes", None) or {}).values())
        manager = getattr(self, "_executor_manager_thread", None)
        if manager is not None:
            self._managers = (*self._managers, manager)
        super().shutdown(wait=wait, cancel_futures=cancel_futures)

    def join_managers(self, timeout: float = MANAGER_JOIN_SECONDS) -> None:
        """Wait for the pool's manager thread, also after a ``shutdown(wait=False)`` (which does not):
        one still closing its pipes when the interpreter exits races ``concurrent.futures``' exit
        hook, which writes to one of them, and Python prints "Exception ignored ... Bad file
        descriptor" under the build's last line (a failed build that stopped its page worker)."""
        for manager in self._managers:
            manager.join(timeout)

    def stop(self) -> None:
        """Terminate every worker at once and reap it (those that have exited are left alone), then
        end the result a stopped worker may have been sending (:meth:`_end_results`)."""
        running = [p for p in self._known_workers() if p.exitcode is None]
        for process in running:
            process.terminate()
        for process in running:  # a worker dies on SIGTERM (worker_signals); one that does not is killed
            process.join(timeout=5)
            if process.exitcode is None:
                process.kill()
                process.join()
        self._end_results()

    def _end_results(self) -> None:
        """Close this process's end of the pipe the workers send their results on, once no worker is
        left to write to it: a worker stopped in the middle of sending a result (Ctrl-C as an SDTM
        domain group comes back) leaves the pool's manager thread reading the rest of it, which
        would never come while this process still held a writing end, and the build would hang
        joining that thread; with the pipe closed, the read ends and the thread with it."""
        if self._results_writer is not None:
            self._results_writer.close()


@contextmanager
def _forked_pool(size: int, initializer: Callable[..., None],
                 initargs: tuple[Any, ...]) -> Iterator[WorkerPool]:
    """``size`` forked workers, each started by ``initializer(parent pid, *initargs)``, for the
    ``with`` block. A worker that died is raised as :func:`worker_lost`; leaving the block by an
    error, Ctrl-C or SIGTERM stops the workers at once instead of waiting for work nobody will read."""
    pool = WorkerPool(size, mp_context=multiprocessing.get_context("fork"), initializer=initializer,
                      initargs=(os.getpid(), *initargs))
    try:
        yield pool
    except BrokenProcessPool:
        pool.stop()
        raise worker_lost() from None
    except BaseException:
        pool.stop()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        pool.join_managers()


def worker_lost() -> ResourceError:
    """The error of a build whose worker ended abruptly (killed; most often out of memory)."""
    return ResourceError(Issue(
        rule="build.worker-lost", severity="error",
        message="a worker process of the build ended abruptly: it was killed, most often by the kernel's "
                "out-of-memory killer; nothing was published",
        expected="more memory, or fewer processes at once: --workers 1 (or ACLF_WORKERS=1) keeps the build in "
                 "one process; a smaller --block-subjects needs less memory per worker"))


def _adopt_tasks(parent: int, fn: Callable[[Any], Any], items: Sequence[Any]) -> None:
    """Child start of :func:`forked_map`: keep the function and the items (inherited, never pickled)."""
    worker_signals(parent)
    _TASK.update(fn=fn, items=items)


LONG_TASK_SECONDS = 0.5  # after a task this long, a worker gives its heap's free pages back


def _run_item(index: int) -> Any:
    started = time.monotonic()
    result = _TASK["fn"](_TASK["items"][index])
    if time.monotonic() - started > LONG_TASK_SECONDS:
        # the heap keeps a large task's peak (a schema check of ADLB, say) through every task after
        # it; giving it back after the few long tasks costs a few page faults, after every task seconds
        give_back_free_pages()
    return result


def forked_map_beside(fn: Callable[[T], R], items: Sequence[T], *, workers: int,
                      cost: Callable[[T], float] | None = None) -> Iterator[R]:
    """:func:`forked_map`, but one item, the largest by ``cost`` (the first without one), is computed
    in this process while up to ``workers - 1`` forked processes compute the others: its result,
    the largest, is never pickled to come back from a worker. The same results in the same order,
    and the same first error in item order, as :func:`forked_map`.

    >>> list(forked_map_beside(len, ["a", "bb", "ccc"], workers=2, cost=len))
    [1, 2, 3]
    """
    if workers <= 1 or len(items) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from (fn(item) for item in items)
        return
    here = max(range(len(items)), key=lambda i: cost(items[i])) if cost is not None else 0
    elsewhere = [i for i in range(len(items)) if i != here]
    others = [items[i] for i in elsewhere]
    order = sorted(range(len(others)), key=lambda j: -cost(others[j])) if cost is not None else range(len(others))
    with _forked_pool(min(workers - 1, len(others)), _adopt_tasks, (fn, others)) as pool:
        futures = {elsewhere[j]: pool.submit(_run_item, j) for j in order}
        try:
            mine: tuple[Any, Exception | None] = (fn(items[here]), None)
        except Exception as exc:  # raised in item order: after any error of an item before it
            mine = (None, exc)
        for index in range(len(items)):
            if index != here:
                yield pool.result_of(futures[index])
            elif mine[1] is not None:
                raise mine[1]
            else:
                yield mine[0]


def forked_map(fn: Callable[[T], R], items: Sequence[T], *, workers: int,
               cost: Callable[[T], float] | None = None) -> Iterator[R]:
    """``fn(item)`` for each item, in the items' order, computed by up to ``workers`` forked processes.

    The function and the items are inherited by the workers, not pickled; only the results
    travel back. ``cost`` (a guess of each item's work) sets the order the items are handed out
    in, largest first, so the workers finish together; the results still come in item order, so
    what the caller makes of them does not depend on the worker count. The first error of ``fn``,
    in item order, is raised as if ``fn`` had run in place. A worker that dies stops the map with
    :func:`worker_lost` (rule ``build.worker-lost``), never a hang; when the caller stops reading
    (an error, Ctrl-C, SIGTERM), the workers are stopped at once.

    >>> list(forked_map(len, ["a", "bb", "ccc"], workers=1))
    [1, 2, 3]
    """
    if workers <= 1 or len(items) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        yield from (fn(item) for item in items)
        return
    order = sorted(range(len(items)), key=lambda i: -cost(items[i])) if cost is not None else range(len(items))
    with _forked_pool(min(workers, len(items)), _adopt_tasks, (fn, items)) as pool:
        futures = {index: pool.submit(_run_item, index) for index in order}
        for index in range(len(items)):
            yield pool.result_of(futures[index])
