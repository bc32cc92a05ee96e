"""Write a file whole or not at all: a temporary file beside the target, renamed over it.

    replace_atomically(Path("out/ae.xpt"), lambda handle: handle.write(data))

The temporary file is in the target's folder (same file system, so ``os.replace`` is atomic),
named ``.<target name>.<random><suffix>``; it is removed if anything fails, the check included,
so a reader never sees a half-written file and a failed write leaves the old file in place. The
new file is 0644 (``mkstemp`` makes 0600; package files are 0644).
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from aclf_cdisc.errors import AclfError, Issue


def unreplaceable_kind(target: Path) -> str | None:
    """What ``target`` is when it exists as something a new file must not be renamed over: a
    folder, a FIFO, a device or a socket (a symbolic link counts as what it leads to, so
    ``/dev/stdout`` is a device); None when it is absent or a regular file.

    >>> import tempfile as t
    >>> folder = Path(t.mkdtemp())
    >>> unreplaceable_kind(folder), unreplaceable_kind(folder / "new.json"), unreplaceable_kind(Path("/dev/null"))
    ('a folder', None, 'a device')
    """
    try:
        mode = os.stat(target).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    return "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "not a regular file"


def replace_atomically(target: Path, fill: Callable[[BinaryIO], object], *, check: Callable[[], None] | None = None,
                       suffix: str = ".part", sync: bool = False) -> None:
    """Run ``fill(handle)`` on a temporary file beside ``target``, then ``check()`` (which raises to
    refuse the file), then replace ``target`` with it; ``sync`` flushes it to disk first. A
    ``target`` that is a folder, a pipe or a device is refused first (``output.not-a-file``).

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
    kind = unreplaceable_kind(target)
    if kind is not None:  # renamed over, a device node or a pipe's reader would be replaced by a file
        raise AclfError(Issue(rule="output.not-a-file", file=str(target),
                              message=f"{target} is {kind}, which the output (a new file renamed into its "
                                      "place) would replace",
                              expected="the path of a regular file, or of one that does not exist yet"))
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
