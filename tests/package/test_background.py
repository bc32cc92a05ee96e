"""Forked workers (aclf_cdisc.package.background): in_background (the analysis page) and forked_map (the checks,
the subject blocks)."""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import pickle
import signal
import struct
import subprocess
import sys
import threading
import time
from functools import partial
from pathlib import Path

import pytest

from aclf_cdisc.errors import DerivationError, Issue, ResourceError
from aclf_cdisc.package import background
from aclf_cdisc.package.background import forked_map, forked_map_beside, in_background, started_early
from aclf_cdisc.tasks import Rider


def _square_sum(values: list[int], *, offset: int) -> int:
    return sum(v * v for v in values) + offset


def _fail() -> None:
    raise DerivationError([Issue(rule="adam.example", dataset="ADTTE", message="no event date")], "one problem")


def _wait_forever(pid_file: Path) -> None:
    pid_file.write_text(str(os.getpid()))
    time.sleep(600)


@pytest.mark.parametrize("workers", [1, 2])
def test_01_the_result_is_the_same_in_place_and_in_a_worker(workers):
    with in_background(_square_sum, [1, 2, 3], workers=workers, offset=10) as result:
        assert result() == 24  # 1 + 4 + 9 + 10
        assert result() == 24  # asked twice, computed once


def test_02_an_aclf_error_crosses_the_process_boundary_with_its_issues():
    again = pickle.loads(pickle.dumps(DerivationError([Issue(rule="r", message="m")], "summary")))
    assert isinstance(again, DerivationError) and again.summary == "summary" and again.issues[0].rule == "r"
    with in_background(_fail, workers=2) as result, pytest.raises(DerivationError) as caught:
        result()
    assert caught.value.summary == "one problem"
    assert [(i.rule, i.dataset, i.message) for i in caught.value.issues] == [
        ("adam.example", "ADTTE", "no event date")]


def test_03_leaving_early_stops_the_worker(tmp_path):
    pid_file = tmp_path / "pid"
    with pytest.raises(KeyboardInterrupt), in_background(_wait_forever, pid_file, workers=2):
        while not pid_file.exists() or not pid_file.read_text():
            time.sleep(0.05)
        raise KeyboardInterrupt  # Ctrl-C in the main process while the worker runs
    with pytest.raises(ProcessLookupError):  # terminated and reaped, not left running
        os.kill(int(pid_file.read_text()), 0)


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for its new parent to reap it counts as ended)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return False
    return "\nState:\tZ" not in status


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_04_a_killed_build_takes_its_worker_with_it(tmp_path):
    # A build killed outright (SIGKILL, out of memory) must not leave its worker running: an
    # orphan would hold the build's output pipes open and its memory in use.
    import signal
    import subprocess
    import sys

    pid_file = tmp_path / "pid"
    script = (
        "import os, signal, sys, time\n"
        "from pathlib import Path\n"
        "from aclf_cdisc.package.background import forked_map, in_background\n"
        "def wait(p):\n"
        "    Path(p).write_text(str(os.getpid())); time.sleep(600)\n"
        f"with in_background(wait, {str(pid_file)!r}, workers=2):\n"
        f"    while not Path({str(pid_file)!r}).exists() or not Path({str(pid_file)!r}).read_text():\n"
        "        time.sleep(0.05)\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
    )
    build = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=300,
                           env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert build.returncode == -signal.SIGKILL
    worker = int(pid_file.read_text())
    for _ in range(6000):  # waits on an event (the worker's end), with a guard against hanging
        if not _alive(worker):
            break
        time.sleep(0.05)
    assert not _alive(worker)


def _cube_or_fail(value: int) -> int:
    if value < 0:
        raise DerivationError([Issue(rule="adam.example", value=value, message="negative")], f"item {value}")
    return value ** 3


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_05_forked_map_gives_results_in_item_order_whatever_the_handing_out_order(workers):
    items = [3, 1, 4, 1, 5, 9, 2, 6]
    # handed out largest first (9, 6, 5, ...) on several workers; read back in item order
    assert list(forked_map(_cube_or_fail, items, workers=workers, cost=float)) == [27, 1, 64, 1, 125, 729, 8, 216]


@pytest.mark.parametrize("workers", [1, 2])
def test_06_forked_map_raises_the_first_error_in_item_order(workers):
    # -2 is handed out first (largest cost), -7 comes first in item order: its error is the one raised
    handed_out = {-2: 3.0, 1: 2.0, 2: 1.0, -7: 0.0}  # cost: -2 first, -7 last
    results = forked_map(_cube_or_fail, [2, -7, 1, -2], workers=workers, cost=handed_out.__getitem__)
    assert next(results) == 8
    with pytest.raises(DerivationError) as caught:
        next(results)
    assert caught.value.summary == "item -7" and caught.value.issues[0].value == -7


def _killed(value: int) -> int:
    if value == 2:
        os.kill(os.getpid(), 9)  # SIGKILL, as the kernel's out-of-memory killer sends it
    return value


def test_07_a_worker_killed_mid_task_is_a_clear_error_not_a_crash():
    from aclf_cdisc.errors import ResourceError

    with pytest.raises(ResourceError) as caught:
        list(forked_map(_killed, [1, 2, 3], workers=2))
    assert [i.rule for i in caught.value.issues] == ["build.worker-lost"]
    assert "out-of-memory" in caught.value.issues[0].message and "--workers 1" in str(caught.value.issues[0].expected)
    with in_background(_killed, 2, workers=2) as result, pytest.raises(ResourceError):
        result()


def _own_pid() -> int:
    return os.getpid()


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc (Linux)")
def test_08_the_background_worker_exits_once_its_result_is_sent():
    # the analysis page's worker must not hold its memory through the rest of the build
    with in_background(_own_pid, workers=2) as result:
        pid = result()
        assert pid != os.getpid()
        deadline = time.monotonic() + 60
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(pid)  # gone while the with block still runs


def _in_cost_order(calls: list[object]):
    """A MapEach that hands items out largest cost first, as forked_map does, and notes the order."""

    def map_each(fn, items, *, cost=None):
        order = sorted(range(len(items)), key=lambda i: -cost(items[i])) if cost else range(len(items))
        done = {}
        for index in order:
            calls.append(items[index])
            done[index] = fn(items[index])
        return [done[i] for i in range(len(items))]

    return map_each


def test_09_a_rider_is_handed_out_first_and_its_result_kept():
    calls: list[object] = []
    ran: list[str] = []
    rider = Rider(lambda: ran.append("page") or "the page")
    mapped = rider.riding(_in_cost_order(calls))
    assert list(mapped(_cube_or_fail, [2, 3, 1], cost=float)) == [8, 27, 1]  # the map's own results only
    assert calls == [(True, None), (False, 3), (False, 2), (False, 1)]  # the rider first, then largest first
    assert rider.result() == "the page" and rider.result() == "the page" and ran == ["page"]  # computed once
    # a second map through the same rider runs only its own items
    assert list(mapped(_cube_or_fail, [4], cost=float)) == [64] and ran == ["page"]


def test_10_a_rider_that_rode_no_map_runs_where_its_result_is_asked_for():
    ran: list[int] = []
    rider = Rider(lambda: ran.append(1) or 6)
    assert ran == [] and rider.result() == 6 and rider.result() == 6 and ran == [1]


@pytest.mark.parametrize("workers", [1, 2])
def test_11_a_rider_on_the_forked_workers(workers):
    rider = Rider(_own_pid)
    assert list(rider.riding(partial(forked_map, workers=workers))(_cube_or_fail, [1, 2, 3], cost=float)) == [1, 8, 27]
    assert (rider.result() != os.getpid()) == (workers > 1)  # ran on a worker when there are workers
    with pytest.raises(DerivationError):  # an error of the map's own items is still raised in item order
        list(Rider(_own_pid).riding(partial(forked_map, workers=workers))(_cube_or_fail, [1, -1], cost=float))


def _frozen_objects() -> int:
    return gc.get_freeze_count()


def test_12_a_worker_keeps_what_it_inherited_out_of_its_collections():
    # a collection in a worker would write to every inherited object, copying the pages it shares
    gc.collect()
    assert list(forked_map(lambda _: _frozen_objects() > 1000, [0, 1], workers=2)) == [True, True]
    assert gc.get_freeze_count() == 0  # the build's own process is left as it was


_PREPARED: list[int] = []


def _prepare_here() -> None:
    _PREPARED.append(os.getpid())


def _prepared_by() -> list[int]:
    return list(_PREPARED)


def _prepare_fails() -> None:
    raise ImportError("no such module")


def test_13_a_worker_started_early_is_prepared_before_its_task_arrives():
    with started_early(_prepare_here, workers=2) as worker:
        assert worker is not None
        with in_background(_prepared_by, workers=2, worker=worker) as result:
            prepared = result()
    assert len(prepared) == 1 and prepared[0] != os.getpid()  # prepared once, in the worker, not here
    assert _PREPARED == []


def test_14_a_worker_started_early_takes_pickled_arguments_and_reports_errors_as_in_place():
    # a failed preparation is let be: the task meets the failure itself if it is real
    with started_early(_prepare_fails, workers=2) as worker, \
            in_background(_square_sum, [1, 2, 3], workers=2, worker=worker, offset=1) as result:
        assert result() == 15
    with started_early(_prepare_here, workers=2) as worker, in_background(_fail, workers=2, worker=worker) as result, \
            pytest.raises(DerivationError):
        result()


def test_15_no_worker_is_started_early_for_one_worker():
    with started_early(_prepare_here, workers=1) as worker:
        assert worker is None
        with in_background(_prepared_by, workers=1, worker=worker) as result:
            assert result() == []  # ran here, unprepared


def test_16_leaving_early_stops_a_worker_started_early(tmp_path):
    pid_file = tmp_path / "pid"
    with pytest.raises(KeyboardInterrupt), started_early(_prepare_here, workers=2) as worker, \
            in_background(_wait_forever, pid_file, workers=2, worker=worker):
        while not pid_file.exists() or not pid_file.read_text():
            time.sleep(0.05)
        raise KeyboardInterrupt
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)


_SEEN: dict[str, list[int]] = {}


def _blocked() -> list[int]:
    return sorted(int(s) for s in signal.pthread_sigmask(signal.SIG_BLOCK, []) & background.STOP_SIGNALS)


def _note_the_mask(parent: int) -> None:
    _SEEN["forked"] = _blocked()
    background.worker_signals(parent)
    _SEEN["started"] = _blocked()


def _seen() -> dict[str, list[int]]:
    return dict(_SEEN)


def test_17_a_worker_is_forked_with_the_stop_signals_blocked_until_it_answers_them_itself():
    with background._forked_pool(1, _note_the_mask, ()) as pool:
        seen = pool.submit(_seen).result()
    assert seen == {"forked": sorted([int(signal.SIGINT), int(signal.SIGTERM)]), "started": []}
    assert _blocked() == []  # the build's own mask is as it was


STOPPED_AT_ONCE = """
import os, signal
from aclf_cdisc.errors import ResourceError
from aclf_cdisc.package import background

class BuildStopped(BaseException):
    pass

def stop_build(signum, frame):  # as the command's handler does: raise, to unwind the build
    raise BuildStopped

def stopped_at_once(parent):
    os.kill(os.getpid(), signal.SIGTERM)  # the build stops its worker before the worker answers signals
    background.worker_signals(parent)

signal.signal(signal.SIGTERM, stop_build)
try:
    with background._forked_pool(1, stopped_at_once, ()) as pool:
        pool.submit(int).result()
except ResourceError:
    print("worker lost")
"""


def test_18_a_worker_stopped_before_it_answers_signals_dies_quietly():
    # run as a command runs (no logging set up): a worker that ran the build's handler would print
    # "Exception in initializer" and a traceback under the build's one-line error
    done = subprocess.run([sys.executable, "-c", STOPPED_AT_ONCE], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(Path(background.__file__).parents[2])})
    assert (done.returncode, done.stdout, done.stderr) == (0, "worker lost\n", "")


def _half_a_result_then_wait(writer_fd: int) -> None:
    """In the worker: what a result cut off in the middle of its sending looks like on the pipe
    (the length of a message of a megabyte, and ten of its bytes), then wait to be stopped."""
    os.write(writer_fd, struct.pack("!i", 1 << 20) + b"0123456789")
    time.sleep(600)


def test_19_a_worker_stopped_while_sending_its_result_does_not_hang_the_build():
    # Ctrl-C while an SDTM domain group's worker sends its frames back: the pool's manager thread is
    # reading a message whose rest will never come; stopping the pool must end that read
    done: list[str] = []
    pool = background.WorkerPool(1, mp_context=multiprocessing.get_context("fork"))
    writer = pool._result_queue._writer
    pool.submit(_half_a_result_then_wait, writer.fileno())  # the same fd in the fork
    for _ in range(500):  # until the manager thread is inside the read of the cut-off message
        frames = [f for f in sys._current_frames().values() if f.f_code.co_name == "_recv"]
        if frames:
            break
        time.sleep(0.01)
    assert frames, "the manager thread never started reading the result"
    try:
        pool.stop()
        closing = threading.Thread(target=lambda: (pool.shutdown(wait=True, cancel_futures=True), done.append("shut")),
                                   daemon=True)
        closing.start()
        closing.join(timeout=20)
        assert done == ["shut"], "shutting the pool down hung on the cut-off result"
    finally:  # whatever happened, let the manager thread end, so the test run itself can exit
        writer.close()


def _half_a_result_then_die(writer_fd: int) -> None:
    """In the worker: a result cut off in the middle of its sending, then the worker killed (as
    the kernel's out-of-memory killer would)."""
    os.write(writer_fd, struct.pack("!i", 1 << 20) + b"0123456789")
    os.kill(os.getpid(), signal.SIGKILL)


@pytest.mark.parametrize("through", ["forked_map", "in_background"])
def test_20_a_worker_killed_while_sending_its_result_is_a_lost_worker_not_a_hang(through):
    writers: list[int] = []
    real = background._forked_pool

    @contextlib.contextmanager
    def noting(size, initializer, initargs):  # the pool's result pipe, known to the task before it is forked
        with real(size, initializer, initargs) as pool:
            writers.append(pool._result_queue._writer.fileno())
            yield pool

    def task(_: object = None) -> None:
        _half_a_result_then_die(writers[0])

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(background, "_forked_pool", noting)
        started = time.monotonic()
        with pytest.raises(ResourceError) as lost:
            if through == "forked_map":
                list(forked_map(task, [1, 2], workers=2))
            else:
                with in_background(task, workers=2) as result:
                    result()
    assert lost.value.issues[0].rule == "build.worker-lost"
    assert time.monotonic() - started < 30


def test_21_a_pool_left_by_an_error_ends_its_manager_thread_before_it_returns():
    # a failed build stops its page worker (given its task, then not asked for it) and exits at once:
    # a manager thread still closing its pipes then races concurrent.futures' exit hook ("Exception
    # ignored ... Bad file descriptor" under the build's last line)
    with (pytest.raises(RuntimeError), started_early(int, workers=2) as worker,
          in_background(time.sleep, 30, workers=2, worker=worker)):
        raise RuntimeError("the checks failed")
    assert [t for t in threading.enumerate() if type(t).__name__ == "_ExecutorManagerThread"] == []


STOPPED_IN_THE_FORK_HOOK = """
import os, signal
from aclf_cdisc.package import background

FORKING = []

def released_in_the_parent():  # where Python runs the handler of a stop another thread took mid-fork
    if FORKING:
        signal.getsignal(signal.SIGINT)(signal.SIGINT, None)

os.register_at_fork(after_in_parent=released_in_the_parent)
try:
    with background._forked_pool(1, background.worker_signals, ()) as pool:
        FORKING.append(True)
        pool.submit(int).result()
    print("went on")
except KeyboardInterrupt:
    print("interrupted")
print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)
"""


def test_22_a_stop_answered_inside_a_fork_hook_stops_the_build_after_the_fork():
    # an exception raised in os.fork's hooks is printed as "Exception ignored" and dropped: the old
    # code went on (and the build published) after a Ctrl-C that Python answered there
    done = subprocess.run([sys.executable, "-c", STOPPED_IN_THE_FORK_HOOK], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PYTHONPATH": str(Path(background.__file__).parents[2])})
    assert (done.returncode, done.stdout, done.stderr) == (0, "interrupted\nTrue\n", "")


def test_23_stops_held_gives_back_the_handlers_and_the_mask_and_raises_nothing_without_a_stop():
    handlers = {s: signal.getsignal(s) for s in background.STOP_SIGNALS}
    with background.stops_held():
        assert _blocked() == sorted(int(s) for s in background.STOP_SIGNALS)
    assert {s: signal.getsignal(s) for s in background.STOP_SIGNALS} == handlers
    assert _blocked() == []


def _pid_and_cube(value: int) -> tuple[int, int]:
    return os.getpid(), _cube_or_fail(value)


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_24_forked_map_beside_computes_the_largest_item_here_and_the_others_on_workers(workers):
    results = list(forked_map_beside(_pid_and_cube, [3, 1, 4, 2], workers=workers))
    assert [cube for _, cube in results] == [27, 1, 64, 8]
    assert results[0][0] == os.getpid()  # without a cost, the first: in this process, never pickled
    assert all((pid != os.getpid()) == (workers > 1) for pid, _ in results[1:])
    results = list(forked_map_beside(_pid_and_cube, [3, 1, 4, 2], workers=workers, cost=float))
    assert [cube for _, cube in results] == [27, 1, 64, 8]
    assert [pid == os.getpid() for pid, _ in results] == [workers == 1, workers == 1, True, workers == 1]


@pytest.mark.parametrize("workers", [1, 2])
def test_25_forked_map_beside_raises_the_first_error_in_item_order(workers):
    # the item computed here fails, and so does one before it on a worker: that one is raised
    with pytest.raises(DerivationError) as caught:
        list(forked_map_beside(_cube_or_fail, [1, -3, -7, 2], workers=workers, cost=lambda v: -v))
    assert caught.value.summary == "item -3"
    # only the item computed here fails: raised once the items before it are given
    results = forked_map_beside(_cube_or_fail, [2, -7, -1], workers=workers, cost=lambda v: -v)
    assert next(results) == 8
    with pytest.raises(DerivationError) as caught:
        next(results)
    assert caught.value.summary == "item -7"
