"""Atomic builds: the package is assembled in a staging folder beside ``--out`` and swapped in whole.

``--out`` therefore holds exactly the previous package or exactly the new one, whatever happens:
a broken input, a failed check, a full disk, Ctrl-C, SIGTERM, or SIGKILL at any instant.

How (every step is one rename on the same file system, so a kill between two steps is safe):

1. ``<parent>/.<name>.aclf-staging-<pid>-<random>`` is created beside ``--out`` (same folder,
   hence same file system) and the build writes the whole package into it. The top-level
   entries of the previous ``--out`` that the build does not produce (a README someone put
   there) are carried over into it, so they survive the swap.
2. On Linux the staging folder and ``--out`` are exchanged in one ``renameat2(RENAME_EXCHANGE)``
   call; the staging name then holds the previous package, which is removed. Where the call is
   not available, ``--out`` is first renamed aside to ``.<name>.aclf-old-<pid>-<random>`` and
   the staging folder renamed to ``--out``: a kill between those two renames leaves no ``--out``
   and the aside folder, which the next build renames back before anything else.
3. SIGINT and SIGTERM are held back for the duration of step 2 (their handlers only record
   them), so Ctrl-C lands before or after the swap, never inside it.

A study built in blocks of subjects keeps its finished blocks, then its joined datasets, on disk
in ``<parent>/.<name>.aclf-blocks-<pid>-<random>`` (:func:`spill_folder`), removed when the
build ends. Folders left by a killed build (their process is gone), staging or blocks,
are swept at the start of the next build into the same ``--out``. Nothing is ever staged inside
the package tree.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import signal
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from aclf_cdisc.errors import Issue, OutputError
from aclf_cdisc.faults import pause_point

STAGING_TAG = ".aclf-staging-"
SPILL_TAG = ".aclf-blocks-"
ASIDE_TAG = ".aclf-old-"
LEGACY_PREFIXES = (".staging-", ".old-")  # staging debris of versions that staged inside --out
FILE_MODE, DIR_MODE = 0o644, 0o755  # what write_xpt gives its files; every file of the package gets it
_RENAME_EXCHANGE = 2
_HELD_SIGNALS = {signal.SIGINT, signal.SIGTERM}


# --------------------------------------------------------------------------------------------
# Checking the target before anything is built
# --------------------------------------------------------------------------------------------
def _cause(path: Path, exc: OSError | None = None) -> str:
    """A plain-words reason why ``path`` cannot be written."""
    if exc is not None and exc.errno not in (errno.EACCES, errno.EPERM):
        return exc.strerror or str(exc)
    try:
        if os.statvfs(path).f_flag & os.ST_RDONLY:
            return "read-only file system"
    except OSError:
        pass
    return "permission denied"


def _fail(rule: str, out_dir: Path, message: str) -> OutputError:
    return OutputError(Issue(rule=rule, message=message, file=str(out_dir)))


def real_path(out_dir: Path) -> Path:
    """The folder the package really goes to: absolute, symlinks followed (``--out .`` or a link).

    The swap renames this folder; messages keep naming ``out_dir`` as the user wrote it.
    """
    return Path(os.path.realpath(out_dir))


def leads_back_to_itself(path: Path) -> bool:
    """True when following the symbolic links of ``path`` never ends (a link to itself, or a cycle).

    >>> folder = Path(tempfile.mkdtemp())
    >>> (folder / "loop").symlink_to("loop")
    >>> leads_back_to_itself(folder / "loop"), leads_back_to_itself(folder / "absent")
    (True, False)
    """
    try:
        os.stat(path)
    except OSError as exc:
        return exc.errno == errno.ELOOP
    return False


def check_output_target(out_dir: Path, *, option: str = "--out") -> None:
    """Raise OutputError when ``out_dir`` cannot receive a package (before anything is built).

    ``option``: how messages name the folder (the command's option for it)."""
    try:
        recover_and_sweep(real_path(out_dir))  # a previous build killed mid-swap is finished first
    except OSError as exc:
        raise output_error(exc, out_dir, option=option) from None
    if out_dir.exists() and not out_dir.is_dir():
        raise _fail("build.out-not-a-folder", out_dir, f"{option} {out_dir} is a file, not a folder")
    if leads_back_to_itself(out_dir):
        raise _fail("build.out-symlink-loop", out_dir,
                    f"{option} {out_dir} cannot be reached: a symbolic link on its path leads back to itself; "
                    "point the link at a folder or remove it")
    if out_dir.is_dir() and os.path.ismount(real_path(out_dir)):
        raise _fail("build.out-mount-point", out_dir,
                    f"{option} {out_dir} is a mount point, which renaming a folder beside it (how the output is "
                    f"published whole) cannot replace; give a folder inside it, such as {out_dir / 'outputs'}")
    existing = out_dir
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing != out_dir and not existing.is_dir():
        raise _fail("build.out-cannot-create", out_dir,
                    f"cannot create {option} {out_dir}: {existing} is a file, not a folder")
    if out_dir.is_dir() and not os.access(out_dir, os.W_OK):
        raise _fail("build.out-read-only", out_dir, f"{option} {out_dir} is not writable: {_cause(out_dir)}")
    parent = out_dir.parent if existing == out_dir else existing
    if not os.access(parent, os.W_OK):
        raise _fail("build.out-cannot-create", out_dir,
                    f"cannot write beside {option} {out_dir}: {parent} is not writable: {_cause(parent)}")
    try:  # the real test: can a staging folder be made where the build will make it
        real = real_path(out_dir)
        real.parent.mkdir(parents=True, exist_ok=True)
        os.rmdir(tempfile.mkdtemp(prefix=f".{real.name}{STAGING_TAG}{os.getpid()}-", dir=real.parent))
    except OSError as exc:
        raise output_error(exc, out_dir, option=option) from None


def check_not_holding(out_dir: Path, inner: Path, *, rule: str, what: str, option: str = "--out") -> None:
    """Raise OutputError when ``out_dir`` is the folder ``inner`` (``what``, as a message names it)
    or a folder above it: a published folder keeps the top-level entries it held
    (:func:`staged_output`), so ``inner`` would be published inside the package."""
    out, held = real_path(out_dir), real_path(inner)
    if out == held or out in held.parents:
        relation = "is" if out == held else "holds"
        raise _fail(rule, out_dir, f"{option} {out_dir} {relation} {what} {inner}: the package keeps what its "
                                   f"folder held, so {what} would be published inside it; give {option} a "
                                   "folder of its own")


@contextlib.contextmanager
def parents_made_for(out_dir: Path) -> Iterator[None]:
    """For the ``with`` block (a build): the folders above ``out_dir`` that do not exist yet, which
    the build makes for its staging and working folders, are removed again (those left empty) when
    the block is left by an error, so that a failed build leaves the disk as it found it."""
    missing = []
    folder = real_path(out_dir).parent
    while not folder.exists() and folder != folder.parent:
        missing.append(folder)  # the deepest first
        folder = folder.parent
    try:
        yield
    except BaseException:
        for made in missing:
            with contextlib.suppress(OSError):
                made.rmdir()
        raise


def output_error(exc: OSError, out_dir: Path, staging: Path | None = None, *, option: str = "--out",
                 what: str = "the package") -> OutputError:
    """An OSError met while writing ``what`` (the package), as one located error naming the user's
    folder (``option``: the command's option for it)."""
    if staging is None:
        return _fail("build.out-cannot-create", out_dir,
                     f"cannot create {option} {out_dir}: {exc.strerror or exc}")
    where = str(out_dir)
    if exc.filename is not None:
        with contextlib.suppress(ValueError):
            where = str(out_dir / Path(os.fsdecode(exc.filename)).relative_to(staging))
    return _fail("build.out-write-failed", out_dir,
                 f"cannot write {what} to {where}: {exc.strerror or exc}; {option} {out_dir} left as it was")


# --------------------------------------------------------------------------------------------
# Debris of killed builds
# --------------------------------------------------------------------------------------------
def _owner_alive(folder: Path, tag: str, *, own: bool = False) -> bool:
    """True when the build that made ``folder`` (pid in its name) is another live process, or
    this one when ``own`` (its working files are in use while it publishes)."""
    try:
        pid = int(folder.name.split(tag, 1)[1].split("-", 1)[0])
    except (IndexError, ValueError):
        return False
    if pid == os.getpid():
        return own
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _leftovers(out_dir: Path, tag: str) -> list[Path]:
    parent = out_dir.parent
    if not parent.is_dir():
        return []
    return sorted(p for p in parent.glob(f".{out_dir.name}{tag}*") if not _owner_alive(p, tag, own=tag == SPILL_TAG))


def recover_and_sweep(out_dir: Path) -> list[Path]:
    """Finish what a killed build left: restore a renamed-aside package, remove stale folders.

    Returns the folders removed. A package renamed aside by a build killed before it could put
    the new one in place is renamed back, so ``out_dir`` again holds the previous package.
    """
    asides = _leftovers(out_dir, ASIDE_TAG)
    if asides and not out_dir.exists():
        newest = max(asides, key=lambda p: p.stat().st_mtime_ns)
        os.rename(newest, out_dir)
        asides.remove(newest)
    removed = [*_leftovers(out_dir, STAGING_TAG), *_leftovers(out_dir, SPILL_TAG), *asides]
    if out_dir.is_dir():
        removed += [p for p in out_dir.iterdir() if p.is_dir() and p.name.startswith(LEGACY_PREFIXES)]
    for folder in removed:
        shutil.rmtree(folder, ignore_errors=True)
    return removed


# --------------------------------------------------------------------------------------------
# Publishing
# --------------------------------------------------------------------------------------------
def _exchange(a: Path, b: Path) -> None:
    """Swap two paths atomically (Linux renameat2 RENAME_EXCHANGE); OSError where unsupported."""
    if os.environ.get("ACLF_TEST_NO_EXCHANGE"):  # test seam: exercise the rename-aside path
        raise OSError(errno.ENOSYS, "exchange disabled")
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError) as exc:
        raise OSError(errno.ENOSYS, "renameat2 not available") from exc
    at_cwd = -100
    if renameat2(at_cwd, os.fsencode(a), at_cwd, os.fsencode(b), _RENAME_EXCHANGE) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(a))


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def carry_over(out_dir: Path, staging: Path) -> None:
    """Copy (hard-link) entries of ``out_dir`` the build does not produce into ``staging``."""
    if not out_dir.is_dir():
        return
    for entry in sorted(out_dir.iterdir()):
        target = staging / entry.name
        if target.exists() or target.is_symlink() or entry.name.startswith(LEGACY_PREFIXES):
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.copytree(entry, target, symlinks=True, copy_function=_link_or_copy)
        elif entry.is_symlink():
            os.symlink(os.readlink(entry), target)
        else:
            _link_or_copy(str(entry), str(target))


def normalise_permissions(root: Path) -> None:
    """Every file 0644, every folder 0755, whatever the umask or the writer (mkstemp gives 0600)."""
    for folder, _dirs, files in os.walk(root):
        os.chmod(folder, DIR_MODE)
        for name in files:
            path = os.path.join(folder, name)
            if stat.S_ISREG(os.lstat(path).st_mode):
                os.chmod(path, FILE_MODE)


def swap_in(staging: Path, out_dir: Path) -> None:
    """Put ``staging`` in place of ``out_dir``; afterwards ``staging`` (if it exists) holds the old."""
    if not out_dir.exists():
        os.rename(staging, out_dir)
        return
    try:
        _exchange(staging, out_dir)
        pause_point("publish-swapped")
        return
    except OSError as exc:
        if exc.errno not in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
            raise
    aside = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}{ASIDE_TAG}{os.getpid()}-", dir=out_dir.parent))
    os.rename(out_dir, aside)  # replaces the empty folder just made
    pause_point("publish-aside")
    os.rename(staging, out_dir)
    pause_point("publish-swapped")
    shutil.rmtree(aside, ignore_errors=True)


class Published(BaseException):
    """An interrupt that arrived while the swap was held: the new package *is* in place."""

    def __init__(self, interrupt: BaseException) -> None:
        super().__init__(str(interrupt))
        self.interrupt = interrupt


@contextlib.contextmanager
def signals_held() -> Iterator[list[int]]:
    """Record SIGINT/SIGTERM instead of acting on them; yield the list of those that arrived.

    Python runs signal handlers in the main thread whatever thread the kernel picked, so
    swapping the handlers (not masking the signal, which only covers the calling thread) holds
    them back reliably. Outside the main thread handlers cannot be set: nothing is held.
    """
    arrived: list[int] = []
    try:
        previous = {signum: signal.signal(signum, lambda got, _frame: arrived.append(got))
                    for signum in _HELD_SIGNALS}
    except ValueError:  # not the main thread
        previous = {}
    try:
        yield arrived
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def publish(staging: Path, out_dir: Path, *, normalise: bool = True) -> None:
    """Fix the permissions of what the build wrote (unless not ``normalise``), carry over foreign
    entries, swap in (signals held), drop the old package.

    The permissions are set before the foreign entries are carried over: those are hard links to
    the user's own files, whose modes are theirs (a private note stays 0600, a script keeps its
    execute bit), whether the package is published or the build stops before the swap.

    A Ctrl-C or SIGTERM that arrives during the swap is delivered right after it, to the usual
    handler, and what it raises is wrapped in :class:`Published`: the new package is in place.
    """
    if normalise:
        normalise_permissions(staging)
    carry_over(out_dir, staging)
    pause_point("publish-ready")
    with signals_held() as arrived:
        swap_in(staging, out_dir)  # on an OSError here the build fails as a write error, published nothing
        shutil.rmtree(staging, ignore_errors=True)
    for signum in arrived[:1]:
        try:
            signal.raise_signal(signum)  # the restored handler raises KeyboardInterrupt / Interrupted
        except BaseException as interrupt:
            raise Published(interrupt) from None


@contextlib.contextmanager
def spill_folder(beside: Path | None = None, *, inside: Path | None = None) -> Iterator[Path]:
    """Yield an empty, private folder for the build's working files (finished blocks, the joined
    datasets), removed on leaving, however left.

    Inside ``inside`` (a working folder of the build), else beside ``beside`` (the ``--out``
    folder: the user's disk, swept by the next build if this one is killed), else in the system's
    temporary folder. An OSError making it becomes one OutputError naming where.
    """
    if inside is not None:
        parent, prefix = inside, "blocks-"
    elif beside is not None:
        parent, prefix = real_path(beside).parent, f".{real_path(beside).name}{SPILL_TAG}{os.getpid()}-"
    else:
        parent, prefix = Path(tempfile.gettempdir()), "aclf" + SPILL_TAG.lstrip(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
        folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    except OSError as exc:
        raise spill_error(exc, parent) from None
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def spill_error(exc: OSError, folder: Path) -> OutputError:
    """An OSError met keeping the build's working files on disk (most often a full disk), as one error."""
    return _fail("build.work-files-failed", folder,
                 f"cannot keep the build's working files (finished blocks of subjects, joined datasets) in "
                 f"{folder}: {exc.strerror or exc}; nothing was published")


def link_tree(source: Path, target: Path) -> None:
    """Make the empty folder ``target`` a copy of the folder ``source``: its folders made anew with
    their modes, its files hard-linked (copied where the file system has no hard links), its
    symlinks copied as links. A package of any size is so copied at once, using no space."""
    shutil.copytree(source, target, symlinks=True, copy_function=_link_or_copy, dirs_exist_ok=True)
    shutil.copystat(source, target)


@contextlib.contextmanager
def staged_output(out_dir: Path, *, option: str = "--out", what: str = "the package",
                  update: bool = False) -> Iterator[Path]:
    """Yield an empty staging folder beside ``out_dir``; on normal exit it becomes ``out_dir``.

    Top-level entries of the previous ``out_dir`` the build does not write (its README, say) are
    kept. On any exception the staging folder is removed and ``out_dir`` is untouched; an
    OSError (disk full, permission) becomes one OutputError naming ``out_dir`` as ``option`` (the
    command's option for it) and what was written as ``what``. A build, ``simulate`` and ``init``
    publish their folders so.

    ``update``: the staging folder starts as a copy of the existing folder ``out_dir``
    (:func:`link_tree`), which the block changes (``aclf-cdisc define`` rewriting the defines of
    a package): ``out_dir`` then holds exactly the old tree or exactly the changed one. The block
    changes a file by replacing it (a new file renamed over it:
    :func:`aclf_cdisc.files.replace_atomically`), never by writing into it, which would change the
    old tree's file too (they are one file until then); the modes of what was copied are kept.
    """
    out_dir = Path(out_dir)
    check_output_target(out_dir, option=option)
    real = real_path(out_dir)
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{real.name}{STAGING_TAG}{os.getpid()}-", dir=real.parent))
    except OSError as exc:
        raise output_error(exc, out_dir, option=option) from None
    try:
        try:
            if update:
                link_tree(real, staging)
            pause_point("staging")
            yield staging
            publish(staging, real, normalise=not update)
        except OSError as exc:
            raise output_error(exc, out_dir, staging, option=option, what=what) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
