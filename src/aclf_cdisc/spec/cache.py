"""A cache of checked specs, keyed by the bytes of the spec files and of the code that reads them.

Checking a spec (YAML parse, JSON Schema, cross-references) costs far more than reading a pickle,
and specs change rarely between builds. The key is the SHA-256 of every spec file's path and
bytes, the spec folder, the JSON Schemas and loader code, and the package version, so any edit
gives a new key; only specs that passed their checks are stored. The cache lives in
``$ACLF_CACHE_DIR``, else ``$XDG_CACHE_HOME/aclf-cdisc``, else ``~/.cache/aclf-cdisc``;
``ACLF_CACHE_DIR=off`` turns it off. An unreadable or corrupt entry is ignored and rebuilt, and a
cache folder that cannot be written is simply not used.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import pickle
import tempfile
from pathlib import Path

from aclf_cdisc.spec.model import Spec

_CODE = Path(__file__).resolve().parent  # the spec package: loader, model, JSON Schemas
_BUILDERS = _CODE.parent / "sdtm"  # the SDTM builders, whose map inputs the loader checks the specs against
KEEP = 16  # entries kept; older ones are removed when a new one is written


def cache_dir() -> Path | None:
    """Where checked specs are kept, or None when caching is off."""
    configured = os.environ.get("ACLF_CACHE_DIR")
    if configured is not None:
        return None if configured.strip().lower() in {"", "off", "0", "no"} else Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "aclf-cdisc"


def spec_fingerprint(root: Path) -> str:
    """SHA-256 over the spec folder's YAML files, the loader's code and schemas, the SDTM builders'
    code, and the version."""
    from aclf_cdisc import __version__

    digest = hashlib.sha256(f"aclf-cdisc {__version__}\0{Path(root).resolve()}\0".encode())
    for base, pattern in ((Path(root), "*.yaml"), (_CODE, "*.py"), (_CODE, "*.json"), (_BUILDERS, "*.py")):
        for path in sorted(base.rglob(pattern)):
            digest.update(str(path.relative_to(base)).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def read_cached(key: str, root: Path) -> Spec | None:
    """The checked spec stored under ``key``, with ``root`` as given this time, or None."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        with open(folder / f"spec-{key}.pickle", "rb") as handle:
            spec = pickle.load(handle)
    except Exception:  # missing, unreadable, corrupt or from another Python: rebuild
        return None
    return dataclasses.replace(spec, root=str(root)) if isinstance(spec, Spec) else None


def write_cached(key: str, spec: Spec) -> None:
    """Store ``spec`` under ``key`` (atomically), keeping the newest KEEP entries."""
    folder = cache_dir()
    if folder is None:
        return
    temporary: str | None = None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".spec-", delete=False) as handle:
            temporary = handle.name
            pickle.dump(spec, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, folder / f"spec-{key}.pickle")
        temporary = None
        entries = sorted(folder.glob("spec-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in entries[KEEP:]:
            old.unlink(missing_ok=True)
    except OSError:  # a read-only home or a full disk: work without the cache
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
