"""The manifest's digests: the XPT files are listed from the digests their writers took as they
wrote them, every other file is read once for its SHA-256 and its MD5, and a file written again
after its writer's digests were taken is read, never listed from them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from aclf_cdisc.package import manifest
from aclf_cdisc.package.build import BuildOptions, build_package
from aclf_cdisc.package.manifest import (
    CHECKSUM_NAME,
    MANIFEST_NAME,
    PackageDigests,
    WrittenDigests,
    file_stamp,
    verify_package,
)

REPO_SPECS = Path(__file__).resolve().parents[2] / "specs"


@pytest.fixture(scope="module")
def reads(tmp_path_factory):
    """A sample build, with every file the manifest read for its digests (paths under the package)."""
    out = tmp_path_factory.mktemp("digests") / "outputs"
    read: list[str] = []
    real = manifest.package_file_digests

    def counted(path: Path) -> tuple[str, str]:
        read.append(path.name)
        return real(path)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(manifest, "package_file_digests", counted)
        build_package(BuildOptions(spec_root=REPO_SPECS, out_dir=out))
    return out, read


def test_the_xpt_files_are_not_read_back_and_every_other_file_is_read_once(reads):
    out, read = reads
    listed = json.loads((out / MANIFEST_NAME).read_text("utf-8"))["files"]
    xpt = [f for f in listed if f["path"].endswith(".xpt")]
    assert len(xpt) == 22
    assert not [name for name in read if name.endswith(".xpt")]
    others = sorted(Path(f["path"]).name for f in listed if not f["path"].endswith(".xpt"))
    assert sorted(read) == others  # each once: the checksum file's MD5 came from the same read


def test_the_digests_taken_while_writing_are_those_of_the_files(reads):
    out, _ = reads
    md5 = dict(reversed(line.split("  ")) for line in (out / CHECKSUM_NAME).read_text("utf-8").splitlines())
    for entry in json.loads((out / MANIFEST_NAME).read_text("utf-8"))["files"]:
        data = (out / entry["path"]).read_bytes()
        assert entry["sha256"] == hashlib.sha256(data).hexdigest(), entry["path"]
        assert md5[entry["path"]] == hashlib.md5(data).hexdigest(), entry["path"]
    assert verify_package(out) == []


def test_a_file_written_again_is_read_not_listed_from_its_writers_digests(tmp_path):
    path = tmp_path / "a.xpt"
    path.write_bytes(b"first")
    told = {Path("a.xpt"): WrittenDigests("sha", "md5", file_stamp(path))}
    assert PackageDigests(tmp_path, told).of([Path("a.xpt")]) == [("sha", "md5")]
    path.write_bytes(b"written again")  # in place: same inode, another size
    assert PackageDigests(tmp_path, told).of([Path("a.xpt")]) == [
        (hashlib.sha256(b"written again").hexdigest(), hashlib.md5(b"written again").hexdigest())]
