"""``build --out X`` where X cannot take a package: one [error] line naming X and the cause, exit 1,
the previous package byte-identical, nothing left behind.

Tests run as root, for whom permission bits do not apply: "read-only" is therefore a real
read-only bind mount, and "the disk fills up" a real 512 KiB tmpfs. Both skip, saying why, where
mounting is not allowed.
"""

from __future__ import annotations

import stat
from pathlib import Path

from .helpers import debris, mount, one_error_line, previous_package, run_cli, tree


def test_01_out_is_a_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.write_text("not a folder")
    result = run_cli("build", "--out", out)
    assert result.returncode == 1
    assert one_error_line(result.stderr) == (
        f"aclf-cdisc build: [error] build.out-not-a-folder: --out {out} is a file, not a folder (file={out})")
    assert out.read_text() == "not a folder"
    assert debris(out) == []


def test_02_the_parent_of_out_is_a_file(tmp_path: Path) -> None:
    parent = tmp_path / "parent"
    parent.write_text("a file")
    out = parent / "out"
    result = run_cli("build", "--out", out)
    assert result.returncode == 1
    assert one_error_line(result.stderr) == (
        f"aclf-cdisc build: [error] build.out-cannot-create: cannot create --out {out}: {parent} is a file, "
        f"not a folder (file={out})")
    assert parent.read_text() == "a file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["parent"]


def test_03_out_cannot_be_created() -> None:
    out = Path("/proc/x")
    result = run_cli("build", "--out", out)
    assert result.returncode == 1
    assert one_error_line(result.stderr) == (
        "aclf-cdisc build: [error] build.out-cannot-create: cannot create --out /proc/x: "
        "No such file or directory (file=/proc/x)")
    assert not out.exists()


def test_04_out_is_read_only(tmp_path: Path, mounted: list[Path]) -> None:
    out = tmp_path / "out"
    before = previous_package(out)
    mount(mounted, "--bind", str(out), str(out))
    mount(mounted, "-o", "remount,bind,ro", str(out))
    result = run_cli("build", "--out", out)
    assert result.returncode == 1
    assert one_error_line(result.stderr) == (
        f"aclf-cdisc build: [error] build.out-read-only: --out {out} is not writable: read-only file system "
        f"(file={out})")
    assert tree(out) == before
    assert debris(out) == []


def test_05_the_disk_fills_up_while_writing(tmp_path: Path, mounted: list[Path], small_raw: Path) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    mount(mounted, "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(disk))  # the package needs ~1.3 MB
    out = disk / "out"
    before = previous_package(out)
    result = run_cli("build", "--raw", small_raw, "--out", out)
    assert result.returncode == 1
    line = one_error_line(result.stderr)
    assert line.startswith(f"aclf-cdisc build: [error] build.out-write-failed: cannot write the package to {out}")
    assert line.endswith(f": No space left on device; --out {out} left as it was (file={out})")
    assert tree(out) == before
    assert debris(out) == []
    assert sorted(p.name for p in disk.iterdir()) == ["out"]


def test_06_every_file_of_the_package_has_the_permissions_of_the_xpt_files(reference_build: Path) -> None:
    modes = {str(p.relative_to(reference_build)): stat.S_IMODE(p.stat().st_mode) for p in reference_build.rglob("*")}
    sdtm = "m5/datasets/aclf-msc-302/tabulations/sdtm"
    assert modes[f"{sdtm}/dm.xpt"] == 0o644
    for name in ("define.xml", "define.html", "define2-1.xsl"):  # written through mkstemp (0600)
        assert modes[f"{sdtm}/{name}"] == 0o644
    files = {k for k in modes if (reference_build / k).is_file()}
    assert sum(k.endswith(".xpt") for k in files) == 22  # 18 SDTM (EC and RELREC included) + 4 ADaM
    assert sum(k.rsplit("/", 1)[-1] in ("define.xml", "define.html", "define2-1.xsl") for k in files) == 6
    assert {"reports/validation.csv", "reports/validation.json", "reports/validation.html"} <= files
    assert {modes[k] for k in files} == {0o644}
    assert {modes[k] for k in modes if k not in files} | {stat.S_IMODE(reference_build.stat().st_mode)} == {0o755}


def test_07_out_through_a_symlink_loop_is_refused_before_the_build(tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to("loop")
    for out in (loop, loop / "package"):
        result = run_cli("build", "--raw", tmp_path / "no-export", "--out", out)  # checked before the export
        assert result.returncode == 1
        assert one_error_line(result.stderr) == (
            f"aclf-cdisc build: [error] build.out-symlink-loop: --out {out} cannot be reached: a symbolic link on "
            f"its path leads back to itself; point the link at a folder or remove it (file={out})")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["loop"]


def test_08_out_at_a_mount_point_is_refused_before_the_build(tmp_path: Path, mounted: list[Path]) -> None:
    out = tmp_path / "disk"
    out.mkdir()
    mount(mounted, "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(out))
    before = previous_package(out)
    link = tmp_path / "link"
    link.symlink_to(out)
    for given in (out, link):
        result = run_cli("build", "--raw", tmp_path / "no-export", "--out", given)  # checked before the export
        assert result.returncode == 1
        assert one_error_line(result.stderr) == (
            f"aclf-cdisc build: [error] build.out-mount-point: --out {given} is a mount point, which renaming a "
            f"folder beside it (how the output is published whole) cannot replace; give a folder inside it, such "
            f"as {given}/outputs (file={given})")
    assert tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["disk", "link"]


def test_09_out_that_is_or_holds_the_raw_export_is_refused_before_the_build(tmp_path: Path) -> None:
    # a package keeps what its folder held: built there, it would carry the raw export, IRT
    # randomization (which unblinds) included
    raw = tmp_path / "study" / "raw"
    raw.mkdir(parents=True)
    (raw / "irt_rand.csv").write_text("SUBJID,TRT\n")
    for out, relation in ((raw, "is"), (tmp_path / "study", "holds"), (raw / ".." / "..", "holds")):
        result = run_cli("build", "--raw", raw, "--out", out)
        assert result.returncode == 1
        assert one_error_line(result.stderr) == (
            f"aclf-cdisc build: [error] build.out-holds-raw: --out {out} {relation} the raw export {raw}: the "
            f"package keeps what its folder held, so the raw export would be published inside it; give --out "
            f"a folder of its own (file={out})")
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == [
        "study", "study/raw", "study/raw/irt_rand.csv"]
