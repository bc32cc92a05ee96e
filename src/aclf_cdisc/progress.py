"""Progress of a long build: a live line on a terminal, a JSON-lines log for pipelines.

The build calls one function, ``progress(stage, dataset, records)``, each time a step is done
(:data:`ProgressHook`; the build itself never reads a clock). :class:`BuildProgress` is that
function for the command line: it times the steps, shows the last one on stderr with rich when
stderr is a terminal (never when piped or with ``--quiet``), and, with ``--log-json FILE``, writes
one JSON object per step:

    {"stage": "xpt", "dataset": "AE", "records": 412, "seconds": 0.031}

Nothing of this reaches the outputs: timings live only in the terminal and the log file.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import IO, Any

ProgressHook = Callable[[str, str | None, int | None], None]


def no_progress(stage: str, dataset: str | None = None, records: int | None = None) -> None:
    """The hook of a build nobody watches."""


def log_record(stage: str, dataset: str | None, records: int | None, seconds: float) -> str:
    """One line of the JSON log.

    >>> log_record("xpt", "AE", 412, 0.0312)
    '{"stage": "xpt", "dataset": "AE", "records": 412, "seconds": 0.031}'
    """
    return json.dumps({"stage": stage, "dataset": dataset, "records": records, "seconds": round(seconds, 3)})


class BuildProgress:
    """The command line's progress hook: ``with BuildProgress(quiet, log) as hook: build(progress=hook)``."""

    def __init__(self, *, quiet: bool = False, log_json: Path | None = None, stream: IO[str] | None = None,
                 clock: Callable[[], float] = time.perf_counter):
        self.stream = stream if stream is not None else sys.stderr
        self.live = not quiet and self.stream.isatty()
        self.log_path = log_json
        self.clock = clock
        self.log: IO[str] | None = None
        self.last = 0.0
        self.display: Any = None
        self.task: Any = None

    def __enter__(self) -> BuildProgress:
        if self.log_path is not None:
            self.log = Path(self.log_path).open("w", encoding="utf-8")
        if self.live:
            from rich.console import Console
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self.display = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                                    console=Console(file=self.stream), transient=True)
            self.display.start()
            self.task = self.display.add_task("reading the specs")
        self.last = self.clock()
        return self

    def __call__(self, stage: str, dataset: str | None = None, records: int | None = None) -> None:
        now = self.clock()
        if self.log is not None:
            try:
                self.log.write(log_record(stage, dataset, records, now - self.last) + "\n")
                self.log.flush()
            except OSError as exc:  # a full disk: the error names the log, not an anonymous write
                raise self._log_error(exc) from None
        if self.display is not None:
            what = " ".join(p for p in (stage, dataset, f"({records:,} records)" if records is not None else None) if p)
            self.display.update(self.task, description=f"done: {what}")
        self.last = now

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.display is not None:
            self.display.stop()
        if self.log is not None:
            try:
                self.log.close()
            except OSError as exc:
                if kind is None:  # an error already on its way says more than the log's
                    raise self._log_error(exc) from None

    def _log_error(self, exc: OSError) -> OSError:
        """``exc`` naming the log file (a full disk's error names no file of its own)."""
        return OSError(exc.errno, exc.strerror, str(self.log_path))
