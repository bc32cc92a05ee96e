"""Atomic builds: a build writes into a staging folder and swaps it in only when complete.

``outputs/`` therefore always holds either the previous complete build or the new one, never
a half-written mix, whatever fails (a broken input, a failed check, an interrupted process).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

STAGING_PREFIX = ".staging-"


@contextlib.contextmanager
def staged_output(out_dir: Path) -> Iterator[Path]:
    """Yield an empty staging folder next to ``out_dir``'s products; publish it on success.

    On normal exit every top-level entry of the staging folder replaces the entry of the same
    name in ``out_dir`` (other entries of ``out_dir``, such as its README, are left alone).
    On an exception the staging folder is removed and ``out_dir`` is untouched.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir))
    try:
        yield staging
        publish(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def publish(staging: Path, out_dir: Path) -> None:
    """Move each entry of ``staging`` into ``out_dir`` by rename (same file system)."""
    for entry in sorted(staging.iterdir()):
        target = out_dir / entry.name
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=".old-", dir=out_dir)) / entry.name
            os.replace(target, old)
        os.replace(entry, target)
        if old is not None:
            shutil.rmtree(old.parent, ignore_errors=True)
