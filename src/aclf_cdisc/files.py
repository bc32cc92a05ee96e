"""Write a file whole or not at all: a temporary file beside the target, renamed over it.

    replace_atomically(Path("out/ae.xpt"), lambda handle: handle.write(data))

The temporary file is in the target's folder (same file system, so ``os.replace`` is atomic),
named ``.<target name>.<random><suffix>``; it is removed if anything fails, the check included,
so a reader never sees a half-written file and a failed write leaves the old file in place. The
new file is 0644 (``mkstemp`` makes 0600; package files are 0644).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO


def replace_atomically(target: Path, fill: Callable[[BinaryIO], object], *, check: Callable[[], None] | None = None,
                       suffix: str = ".part", sync: bool = False) -> None:
    """Run ``fill(handle)`` on a temporary file beside ``target``, then ``check()`` (which raises to
    refuse the file), then replace ``target`` with it; ``sync`` flushes it to disk first.

    >>> import tempfile as t
    >>> folder = Path(t.mkdtemp())
    >>> replace_atomically(folder / "a.txt", lambda h: h.write(b"one"))
    >>> (folder / "a.txt").read_bytes(), oct((folder / "a.txt").stat().st_mode & 0o777)
    (b'one', '0o644')
    >>> def refuse() -> None:
    ...     raise ValueError("no")
    >>> replace_atomically(folder / "a.txt", lambda h: h.write(b"two"), check=refuse)
    Traceback (most recent call last):
    ...
    ValueError: no
    >>> (folder / "a.txt").read_bytes(), sorted(p.name for p in folder.iterdir())
    (b'one', ['a.txt'])
    """
    fd, temp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            fill(handle)
            if sync:
                handle.flush()
                os.fsync(handle.fileno())
        if check is not None:
            check()
        os.chmod(temp_name, 0o644)
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
