"""The package manifest: what was built, from what, with what, and the checksum of every file.

A build writes two files at the top of the outputs tree, beside ``m5/`` and ``reports/``:

``manifest.json``
    every file of the package (path relative to the tree, size in bytes, SHA-256), the tool and
    its version, the SHA-256 of each spec file and each raw input file (and one digest over each
    set), the standards and terminology versions and the build mode. Byte-reproducible: keys
    sorted, files sorted by path, no clock, no absolute paths.
``checksums.md5``
    one ``<md5>  <path>`` line per file, the per-file MD5 an eCTD index (``index.xml``) records
    and ``md5sum -c checksums.md5`` re-checks.

A dummy-randomization build's manifest has a ``notice`` member first (``"notice": "DUMMY
RANDOMIZATION"``, before the sorted keys) and its checksum file a first line ``# DUMMY
RANDOMIZATION``, a comment ``md5sum -c`` and :func:`verify_package` skip.

:func:`verify_package` re-checks a copied tree against its manifest and names every missing,
changed and extra file (extra: a file under a folder the manifest covers that it does not list).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from aclf_cdisc.errors import InputError, Issue, cap, printable
from aclf_cdisc.files import replace_atomically

MANIFEST_NAME = "manifest.json"
CHECKSUM_NAME = "checksums.md5"
MANIFEST_FORMAT = 1
_CHUNK = 1 << 20


def file_digest(path: Path, algorithm: str = "sha256") -> str:
    """Hex digest of a file's bytes, read in chunks."""
    digest = hashlib.new(algorithm)
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def file_digests(paths: Sequence[Path], algorithm: str = "sha256") -> list[str]:
    """:func:`file_digest` of each path, in order, hashed by one thread per core, largest file first
    (:func:`_by_file`).

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name, text in (("a", b"x"), ("b", b"")):
    ...     _ = (folder / name).write_bytes(text)
    >>> file_digests([folder / "a", folder / "b"], "md5")
    ['9dd4e461268c8034f5c8564e155c67a6', 'd41d8cd98f00b204e9800998ecf8427e']
    """
    return _by_file(lambda path: file_digest(path, algorithm), paths)


R = TypeVar("R")


def _by_file(read: Callable[[Path], R], paths: Sequence[Path]) -> list[R]:
    """``read(path)`` of each path, in order, by one thread per core, largest file first: hashlib
    and file reads release the GIL, so the cores hash side by side (a package's two large XPT
    files, LB and ADLB, are most of its bytes)."""
    if len(paths) <= 1:
        return [read(path) for path in paths]
    sizes = [path.stat().st_size for path in paths]
    pool = ThreadPoolExecutor(max_workers=min(len(paths), os.cpu_count() or 1))
    try:
        futures = {i: pool.submit(read, paths[i]) for i in sorted(range(len(paths)), key=lambda i: -sizes[i])}
        return [futures[i].result() for i in range(len(paths))]
    finally:
        pool.shutdown(wait=True, cancel_futures=True)  # on Ctrl-C: no file not yet started is read


# --------------------------------------------------------------------------------------------
# a package's digests: each file read once for both, or taken as it was written
# --------------------------------------------------------------------------------------------

PACKAGE_ALGORITHMS = ("sha256", "md5")  # the manifest's, then the checksum file's


def file_stamp(path: Path) -> tuple[int, int, int]:
    """(size, modification time in ns, inode): what changes when a file is written again."""
    status = path.stat()
    return status.st_size, status.st_mtime_ns, status.st_ino


@dataclass(frozen=True)
class WrittenDigests:
    """The SHA-256 and MD5 of a file taken from the bytes its writer wrote (:class:`DigestingWriter`),
    and the file's :func:`file_stamp` once it was in place: they stand for the file while it
    keeps that stamp."""

    sha256: str
    md5: str
    stamp: tuple[int, int, int]


class DigestingWriter:
    """A binary file that passes what is written on to ``handle`` and takes its SHA-256 and MD5 on
    the way, so a large file need not be read back to be listed in the manifest.

    >>> import io
    >>> out = DigestingWriter(io.BytesIO())
    >>> out.write(b"x"), out.hexdigests() == (hashlib.sha256(b"x").hexdigest(), hashlib.md5(b"x").hexdigest())
    (1, True)
    """

    def __init__(self, handle: BinaryIO) -> None:
        self._handle = handle
        self._hashes = [hashlib.new(name) for name in PACKAGE_ALGORITHMS]

    def write(self, data: bytes | memoryview) -> int:
        written = self._handle.write(data)
        for digest in self._hashes:
            digest.update(data)
        return written

    def hexdigests(self) -> tuple[str, str]:
        sha256, md5 = (digest.hexdigest() for digest in self._hashes)
        return sha256, md5


def package_file_digests(path: Path) -> tuple[str, str]:
    """The SHA-256 and MD5 of a file, read once."""
    hashes = [hashlib.new(name) for name in PACKAGE_ALGORITHMS]
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            for digest in hashes:
                digest.update(chunk)
    sha256, md5 = (digest.hexdigest() for digest in hashes)
    return sha256, md5


class PackageDigests:
    """The SHA-256 and MD5 of the files of one tree while its manifest is written: each file is
    read once for both (:func:`package_file_digests`), and not at all when its writer gave its
    digests (``written``, by path under ``root``) and it still has the stamp it had then.

    The stamp guards against a file written again since, not against every such write: one of the
    same size within the file system's timestamp granularity keeps it. The build gives the
    digests of its XPT files only, which nothing writes again (not in a dummy-randomization
    build, whose outputs are stamped with its label after they are written).

    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> _ = (root / "a").write_bytes(b"x")
    >>> digests = PackageDigests(root)
    >>> digests.of([Path("a")])[0][1]
    '9dd4e461268c8034f5c8564e155c67a6'
    >>> written = {Path("a"): WrittenDigests("s", "m", file_stamp(root / "a"))}
    >>> PackageDigests(root, written).of([Path("a")])
    [('s', 'm')]
    >>> _ = (root / "a").write_bytes(b"yy")  # written again since: read, not taken
    >>> PackageDigests(root, written).of([Path("a")])[0][1] == hashlib.md5(b"yy").hexdigest()
    True
    """

    def __init__(self, root: Path, written: Mapping[Path, WrittenDigests] | None = None) -> None:
        self.root = Path(root)
        self._written = dict(written or {})
        self._known: dict[Path, tuple[str, str]] = {}

    def of(self, files: Sequence[Path]) -> list[tuple[str, str]]:
        """(SHA-256, MD5) of each file (paths relative to the root), in order."""
        for path in files:
            given = self._written.pop(path, None)
            if given is not None and path not in self._known and file_stamp(self.root / path) == given.stamp:
                self._known[path] = (given.sha256, given.md5)
        unread = list(dict.fromkeys(path for path in files if path not in self._known))
        self._known.update(zip(unread, _by_file(package_file_digests, [self.root / p for p in unread]), strict=True))
        return [self._known[path] for path in files]


def tree_files(root: Path, folders: Iterable[str]) -> list[Path]:
    """Every regular, non-hidden file under ``root/<folder>`` for each folder, sorted by path."""
    found: list[Path] = []
    for folder in folders:
        base = root / folder
        if not base.is_dir():
            continue
        for path in base.rglob("*"):
            relative = path.relative_to(root)
            if path.is_file() and not any(part.startswith(".") for part in relative.parts):
                found.append(relative)
    return sorted(found, key=lambda p: p.as_posix())


def tree_links(root: Path, folders: Iterable[str]) -> list[str]:
    """Every symbolic link under ``root/<folder>`` (to a file or a folder; never followed), and a
    folder that is one, as POSIX paths relative to ``root``, sorted.

    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> (root / "m5").mkdir(); (root / "m5" / "dm.xpt").write_bytes(b"")
    0
    >>> (root / "m5" / "ae.xpt").symlink_to(root / "m5" / "dm.xpt"); (root / "m5" / "up").symlink_to(root)
    >>> tree_links(root, ["m5", "reports"])
    ['m5/ae.xpt', 'm5/up']
    """
    found: list[str] = []
    for folder in folders:
        base = root / folder
        if base.is_symlink():
            found.append(folder)
            continue
        for current, folders_here, files_here in os.walk(base):  # links to folders are listed, not entered
            found.extend((Path(current) / name).relative_to(root).as_posix()
                         for name in (*folders_here, *files_here) if (Path(current) / name).is_symlink())
    return sorted(found)


def through_link(root: Path, name: str) -> bool:
    """True when the package path ``name`` is, or lies under, a symbolic link below ``root``."""
    path = root
    for part in Path(name).parts:
        path = path / part
        if path.is_symlink():
            return True
    return False


def file_entries(root: Path, files: Iterable[Path], digests: PackageDigests | None = None) -> list[dict[str, Any]]:
    """``{"path", "size", "sha256"}`` for each file (paths relative to ``root``, POSIX style)."""
    paths = list(files)
    found = (digests or PackageDigests(root)).of(paths)
    return [{"path": f.as_posix(), "size": (root / f).stat().st_size, "sha256": sha256}
            for f, (sha256, _) in zip(paths, found, strict=True)]


def input_digests(folder: Path | None, pattern: str = "*", exclude: Sequence[str] = ()) -> dict[str, Any]:
    """SHA-256 of each file under ``folder`` (relative names) and one digest over the set.

    Files whose stem is in ``exclude`` are not opened (the IRT forms of a dummy-randomization build).

    The set digest is the SHA-256 of the ``<sha256>  <path>`` lines, sorted by path, so it changes
    when any file is added, removed, renamed or edited.
    """
    if folder is None or not Path(folder).is_dir():
        return {"files": {}, "sha256": hashlib.sha256(b"").hexdigest()}
    folder = Path(folder)
    files = sorted((p.relative_to(folder) for p in folder.rglob(pattern)
                    if p.is_file() and p.stem not in exclude
                    and not any(part.startswith(".") for part in p.relative_to(folder).parts)),
                   key=lambda p: p.as_posix())
    unnamed = [f for f in files if printable(f.as_posix()) != f.as_posix()]
    if unnamed:
        raise InputError(Issue("package.input-name-not-utf8", "an input file's name holds bytes that are not UTF-8 "
                               "(shown as \\xNN), and the manifest lists every input by name in UTF-8: rename it",
                               file=printable(str(folder / unnamed[0])), expected="a file name in UTF-8"))
    digests = dict(zip((f.as_posix() for f in files), file_digests([folder / f for f in files]), strict=True))
    lines = "".join(f"{digest}  {name}\n" for name, digest in digests.items())
    return {"files": digests, "sha256": hashlib.sha256(lines.encode("utf-8")).hexdigest()}


def manifest_document(root: Path, folders: Sequence[str], *, tool: Mapping[str, str],
                      build: Mapping[str, Any], standards: Mapping[str, Any],
                      specs: Mapping[str, Any], inputs: Mapping[str, Any],
                      notice: str | None = None, digests: PackageDigests | None = None) -> dict[str, Any]:
    """The manifest of the files under ``root/<folders>`` with the build facts given."""
    files = file_entries(root, tree_files(root, folders), digests)
    return {
        **({"notice": notice} if notice else {}),
        "manifest_format": MANIFEST_FORMAT,
        "tool": dict(tool),
        "build": dict(build),
        "standards": dict(standards),
        "specs": dict(specs),
        "inputs": dict(inputs),
        "folders": sorted(folders),
        "file_count": len(files),
        "total_bytes": sum(int(f["size"]) for f in files),
        "files": files,
    }


def manifest_bytes(document: Mapping[str, Any]) -> bytes:
    """Canonical JSON: sorted keys (a ``notice`` first), two-space indent, UTF-8, trailing newline."""
    rest = {k: v for k, v in document.items() if k != "notice"}
    text = json.dumps(rest, indent=2, sort_keys=True, ensure_ascii=False)
    if "notice" in document:
        notice = json.dumps(document["notice"], ensure_ascii=False)
        text = "{\n  \"notice\": " + notice + ("," if rest else "") + text[1:]
    return (text + "\n").encode("utf-8")


def checksum_bytes(root: Path, document: Mapping[str, Any], digests: PackageDigests | None = None) -> bytes:
    """``md5sum`` format, one line per manifest file, in manifest order (after a ``# notice`` line)."""
    head = f"# {document['notice']}\n" if document.get("notice") else ""
    found = (digests or PackageDigests(root)).of([Path(f["path"]) for f in document["files"]])
    return (head + "".join(f"{md5}  {f['path']}\n"
                           for f, (_, md5) in zip(document["files"], found, strict=True))).encode("utf-8")


def write_manifest(root: Path, document: Mapping[str, Any], digests: PackageDigests | None = None) -> list[Path]:
    """Write ``manifest.json`` and ``checksums.md5`` at the top of ``root`` (``digests``: those
    :func:`manifest_document` took, so no file is read twice).

    Each is replaced, never written into: a tree being updated in a staging copy whose files are
    links to the published ones (:func:`aclf_cdisc.package.atomic.link_tree`) keeps its own."""
    manifest = root / MANIFEST_NAME
    checksums = root / CHECKSUM_NAME
    data = manifest_bytes(document)
    replace_atomically(manifest, lambda handle: handle.write(data))
    checksum = checksum_bytes(root, document, digests)
    replace_atomically(checksums, lambda handle: handle.write(checksum))
    return [manifest, checksums]


MAX_MANIFEST_ISSUES = 20  # a manifest of thousands of broken entries is named by its first ones
_SHA256 = re.compile(r"[0-9a-f]{64}")


def package_path_problem(text: Any) -> str | None:
    """Why ``text`` cannot name a file or folder of a package (None when it can): a relative POSIX
    path that stays inside the package.

    >>> package_path_problem("m5/datasets/dm.xpt") is None
    True
    >>> package_path_problem("../../etc/passwd")
    'leaves the package'
    """
    if not isinstance(text, str):
        return "is not text"
    parts = text.split("/")
    if ".." in parts:
        return "leaves the package"
    if "\\" in text or any(part in ("", ".") for part in parts):  # empty, absolute, a//b, ./a
        return "is not a relative POSIX path"
    return None


def entry_problems(entry: Any, number: int) -> list[tuple[str, str, Any]]:
    """(JSON path, what is wrong, value) for each key of one ``files`` entry that is missing or wrong."""
    at = f"files[{number}]"
    if not isinstance(entry, dict):
        return [(at, f"{at} is not an object with path, size and sha256", entry)]
    problems = [(f"{at}.{key}", f"{at} has no {key}", None) for key in ("path", "size", "sha256") if key not in entry]
    if "path" in entry and (why := package_path_problem(entry["path"])) is not None:
        problems.append((f"{at}.path", f"{at}.path {why}", entry["path"]))
    size = entry.get("size", 0)
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        problems.append((f"{at}.size", f"{at}.size is not a whole number of bytes", size))
    if "sha256" in entry and not (isinstance(entry["sha256"], str) and _SHA256.fullmatch(entry["sha256"])):
        problems.append((f"{at}.sha256", f"{at}.sha256 is not a SHA-256 (64 lower-case hex digits)",
                         entry["sha256"]))
    return problems


def repeated_paths(files: list[Any]) -> list[tuple[str, str, Any]]:
    """(JSON path, what is wrong, value) for each ``files`` entry whose path an earlier entry
    already has: the file is one, so the manifest (and its count of files) would say two.

    >>> repeated_paths([{"path": "a"}, {"path": "b"}, {"path": "a"}])
    [('files[2].path', 'files[2].path repeats files[0].path', 'a')]
    """
    first: dict[str, int] = {}
    problems = []
    for number, entry in enumerate(files):
        path = entry.get("path") if isinstance(entry, dict) else None
        if not isinstance(path, str):
            continue
        if path in first:
            problems.append((f"files[{number}].path", f"files[{number}].path repeats files[{first[path]}].path",
                             path))
        else:
            first[path] = number
    return problems


def manifest_problems(document: Mapping[str, Any]) -> list[tuple[str, str, Any]]:
    """(JSON path, what is wrong, value) for each part of a manifest :func:`verify_package` relies on."""
    problems = [problem for number, entry in enumerate(document["files"])
                for problem in entry_problems(entry, number)] + repeated_paths(document["files"])
    folders = document.get("folders", [])
    if not isinstance(folders, list):
        return [*problems, ("folders", "folders is not a list of folders", folders)]
    return problems + [(f"folders[{number}]", f"folders[{number}] {why}", folder)
                       for number, folder in enumerate(folders) if (why := package_path_problem(folder)) is not None]


def read_manifest(root: Path) -> tuple[dict[str, Any] | None, list[Issue]]:
    """The manifest of ``root``, or None and the issues saying why it cannot be read (each entry or
    key that is missing or wrong: ``package.manifest-invalid``, at its JSON path)."""
    path = Path(root) / MANIFEST_NAME
    if not path.is_file():
        return None, [Issue("package.manifest-missing", f"no {MANIFEST_NAME} in {root}", file=str(path))]
    try:
        document = json.loads(path.read_bytes().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        return None, [Issue("package.manifest-unreadable", f"{MANIFEST_NAME} is not valid JSON: {cap(str(exc))}",
                            file=str(path))]
    if not isinstance(document, dict) or not isinstance(document.get("files"), list):
        return None, [Issue("package.manifest-unreadable", f"{MANIFEST_NAME} has no list of files",
                            file=str(path))]
    problems = manifest_problems(document)
    if problems:
        return None, [Issue("package.manifest-invalid", f"{MANIFEST_NAME}: {why}", file=str(path),
                            column=where, value=value if isinstance(value, (str, int, float)) else
                            None if value is None else cap(repr(value)))
                      for where, why, value in problems[:MAX_MANIFEST_ISSUES]]
    return document, []


def verify_package(root: Path) -> list[Issue]:
    """Every difference between the tree at ``root`` and its manifest (empty: the package is intact).

    Rules: ``package.file-missing`` (listed, absent), ``package.file-changed`` (size or SHA-256
    differs), ``package.file-extra`` (present under a manifest folder, not listed),
    ``package.checksum-mismatch`` (a ``checksums.md5`` line disagrees with the file) and
    ``package.checksum-unreadable`` (a line that is not UTF-8 ``<md5>  <path>``) and
    ``package.file-link`` (a symbolic link where a file or folder belongs: a submission is plain
    files, and a link is not copied as one, may point outside the package, or may change after
    the package is verified; nothing is read through it). A manifest that
    cannot be used is ``package.manifest-missing``, ``package.manifest-unreadable`` (not a JSON
    object with a list of files) or ``package.manifest-invalid`` (an entry or key missing or wrong,
    at its JSON path such as ``files[3].size``, or a path listed twice), and nothing is compared.
    """
    root = Path(root)
    document, problems = read_manifest(root)
    if document is None:
        return problems
    folders = document.get("folders", [])
    named = {str(f["path"]): f for f in document["files"]}
    links = {name for name in named if through_link(root, name)} | set(tree_links(root, folders))
    listed = {name: entry for name, entry in named.items() if name not in links}
    present = {p.as_posix() for p in tree_files(root, folders)} - links
    digests = PackageDigests(root)  # each file read once, for its SHA-256 and its MD5
    digests.of([Path(name) for name in sorted(listed) if (root / name).is_file()])  # side by side, up front
    issues = [Issue("package.file-link", f"{name} is a symbolic link, not a file or folder of the package: "
                    "copy the file itself in", file=name) for name in sorted(links)]
    for name in sorted(listed):
        entry = listed[name]
        path = root / name
        if not path.is_file():
            issues.append(Issue("package.file-missing", f"{name} is listed in the manifest but missing",
                                file=name))
            continue
        size, (digest, _) = path.stat().st_size, digests.of([Path(name)])[0]
        if size != entry["size"] or digest != entry["sha256"]:
            issues.append(Issue("package.file-changed", f"{name} differs from the manifest "
                                f"({size} bytes, SHA-256 {digest[:12]}...)", file=name,
                                value=digest, expected=f"{entry['size']} bytes, SHA-256 {entry['sha256']}"))
    issues.extend(Issue("package.file-extra", f"{name} is in the package but not in the manifest", file=name)
                  for name in sorted(present - set(listed)))
    issues.extend(_checksum_issues(root, named, digests, links))
    return issues


_CHECKSUM_LINE = re.compile(r"([0-9a-fA-F]{32}) [ *](.+)")  # md5sum's text and binary modes


def checksum_lines(raw: bytes) -> list[tuple[int, str | None, str | None, bytes]]:
    """(line number, MD5, path, the line's bytes) of each line of a checksum file that is not blank or
    a ``#`` comment; MD5 and path are None on a line that is not UTF-8 ``<md5>  <path>``.

    >>> lines = checksum_lines(b"# notice\\n" + b"0" * 32 + b"  m5/a.xpt\\n\\xff\\n")
    >>> [(number, name) for number, _, name, _ in lines]
    [(2, 'm5/a.xpt'), (3, None)]
    """
    found = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip() or line.startswith(b"#"):  # a comment (the dummy-randomization notice), as md5sum -c
            continue
        try:
            match = _CHECKSUM_LINE.fullmatch(line.decode("utf-8"))
        except UnicodeDecodeError:
            match = None
        found.append((number, match[1].lower(), match[2], line) if match else (number, None, None, line))
    return found


def _checksum_issues(root: Path, listed: Mapping[str, Any], digests: PackageDigests,
                     links: set[str]) -> list[Issue]:
    path = root / CHECKSUM_NAME
    if not path.is_file():
        return [Issue("package.checksum-missing", f"no {CHECKSUM_NAME} beside the manifest", file=CHECKSUM_NAME)]
    issues = []
    seen = set()
    for number, digest, name, line in checksum_lines(path.read_bytes()):
        if name is None:
            issues.append(Issue("package.checksum-unreadable", f"line {number} of {CHECKSUM_NAME} is not a UTF-8 "
                                "'<md5>  <path>' line", file=CHECKSUM_NAME, row=number,
                                value=line, expected="<md5>  <path>"))
            continue
        seen.add(name)
        target = root / name
        if name not in listed:
            issues.append(Issue("package.checksum-mismatch", f"{CHECKSUM_NAME} lists {name}, which the "
                                "manifest does not", file=CHECKSUM_NAME, row=number, value=name))
        elif name not in links and target.is_file() and digests.of([Path(name)])[0][1] != digest:
            issues.append(Issue("package.checksum-mismatch", f"the MD5 of {name} is not the one "
                                f"{CHECKSUM_NAME} records", file=CHECKSUM_NAME, row=number, value=name))
    issues.extend(Issue("package.checksum-mismatch", f"{CHECKSUM_NAME} does not list {name}",
                        file=CHECKSUM_NAME, value=name) for name in sorted(set(listed) - seen))
    return issues


PACKAGE_FOLDERS = ("m5", "reports")


def build_facts(spec: Any, *, raw_dir: Path, blinded: bool, dataset_json: bool, dummy: str | None = None,
                raw_exclude: Sequence[str] = ()) -> dict[str, Any]:
    """The manifest sections a build states about itself (tool, mode, standards, specs, inputs)."""
    from aclf_cdisc import __version__
    from aclf_cdisc.define.standards import DEFINE_VERSION, IG_STANDARDS

    study = spec.study
    standards: dict[str, Any] = {name: version for name, version in IG_STANDARDS.values()}
    standards.update({"Define-XML": DEFINE_VERSION, "MedDRA": str(study.meddra_version),
                      "CDISC CT": {k: str(v) for k, v in sorted(study.ct_versions.items())}})
    return {
        "tool": {"name": "aclf-cdisc", "version": __version__},
        "build": {"study": study.studyid,
                  "mode": dummy if dummy else "blinded" if blinded else "unblinded",
                  "dataset_json": dataset_json},
        "standards": standards,
        "specs": input_digests(Path(spec.root) if spec.root else None, "*.yaml"),
        "inputs": {"raw_export": input_digests(raw_dir, exclude=raw_exclude)},
    }


def refresh_manifest(root: Path) -> list[Path]:
    """Re-list the files of a tree that already has a manifest (after ``aclf-cdisc define`` rewrote
    its defines), keeping what the manifest says about the build; nothing when there is none."""
    document, _ = read_manifest(root)
    if document is None:
        return []
    facts = {key: document[key] for key in ("tool", "build", "standards", "specs", "inputs")}
    facts["notice"] = document.get("notice")
    digests = PackageDigests(root)
    return write_manifest(root, manifest_document(root, document.get("folders", PACKAGE_FOLDERS), **facts,
                                                  digests=digests), digests)


def write_build_manifest(root: Path, spec: Any, *, raw_dir: Path, blinded: bool,
                         dataset_json: bool = False, dummy: str | None = None,
                         raw_exclude: Sequence[str] = (),
                         written: Mapping[Path, WrittenDigests] | None = None) -> list[Path]:
    """The manifest and checksum file of a finished outputs tree (called last in a build);
    ``written``: the digests the writers took of their files (by path under ``root``)."""
    facts = build_facts(spec, raw_dir=raw_dir, blinded=blinded, dataset_json=dataset_json, dummy=dummy,
                        raw_exclude=raw_exclude)
    digests = PackageDigests(root, written)
    return write_manifest(root, manifest_document(root, PACKAGE_FOLDERS, **facts, notice=dummy, digests=digests),
                          digests)
