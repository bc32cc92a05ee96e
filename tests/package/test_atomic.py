"""staged_output: --out holds the old build or the new one, never a mix, and nothing else stays."""

import contextlib
import errno
import os
import signal
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

from aclf_cdisc.errors import OutputError
from aclf_cdisc.package import atomic
from aclf_cdisc.package.atomic import ASIDE_TAG, SPILL_TAG, STAGING_TAG, recover_and_sweep, staged_output


def _tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in sorted(root.rglob("*")) if p.is_file()}


def test_01_success_replaces_products_and_keeps_other_entries(tmp_path):
    (tmp_path / "README.md").write_text("keep")
    (tmp_path / "m5").mkdir()
    (tmp_path / "m5" / "old.xpt").write_text("old")
    with staged_output(tmp_path) as staging:
        (staging / "m5").mkdir()
        (staging / "m5" / "dm.xpt").write_text("new")
    assert _tree(tmp_path) == {"README.md": "keep", "m5/dm.xpt": "new"}


@pytest.mark.parametrize("published", [True, False])
def test_01b_the_users_own_files_keep_their_modes(tmp_path, monkeypatch, published):
    # carried over as hard links, they are the user's files: a build sets the modes of its own only
    (tmp_path / "notes.txt").write_text("private")
    (tmp_path / "notes.txt").chmod(0o600)
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "run.sh").write_text("#!/bin/sh\n")
    (tmp_path / "tools" / "run.sh").chmod(0o700)
    if not published:  # stopped once everything is ready, before the swap (Ctrl-C at that moment)
        def stop(name: str) -> None:
            if name == "publish-ready":
                raise KeyboardInterrupt
        monkeypatch.setattr(atomic, "pause_point", stop)
    with (pytest.raises(KeyboardInterrupt) if not published else contextlib.nullcontext(),
          staged_output(tmp_path) as staging):
        (staging / "m5").mkdir()
        (staging / "m5" / "dm.xpt").write_text("new")
    assert stat.S_IMODE((tmp_path / "notes.txt").stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "tools" / "run.sh").stat().st_mode) == 0o700
    assert (tmp_path / "m5" / "dm.xpt").exists() is published


def test_02_failure_leaves_the_previous_build_untouched(tmp_path):
    (tmp_path / "m5").mkdir()
    (tmp_path / "m5" / "dm.xpt").write_text("old")
    with pytest.raises(RuntimeError), staged_output(tmp_path) as staging:
        (staging / "m5").mkdir()
        (staging / "m5" / "dm.xpt").write_text("half")
        raise RuntimeError("a check failed")
    assert _tree(tmp_path) == {"m5/dm.xpt": "old"}
    assert [p.name for p in tmp_path.iterdir()] == ["m5"]


def _stale(out: Path, tag: str, pid: int) -> Path:
    folder = out.parent / f".{out.name}{tag}{pid}-abc"
    (folder / "m5").mkdir(parents=True)
    return folder


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_03_folders_of_killed_builds_are_swept_and_live_ones_kept(tmp_path):
    out = tmp_path / "out"
    (out / "m5").mkdir(parents=True)
    (out / ".staging-x1y2").mkdir()  # staged inside the package by an older version
    dead = _stale(out, STAGING_TAG, _dead_pid())
    blocks = _stale(out, SPILL_TAG, _dead_pid())  # the finished blocks of a build killed before its join
    live = _stale(out, STAGING_TAG, 1)  # pid 1 always runs: another build in progress
    live_blocks = _stale(out, SPILL_TAG, 1)
    removed = recover_and_sweep(out)
    assert sorted(removed) == sorted([dead, blocks, out / ".staging-x1y2"])
    assert live.is_dir() and live_blocks.is_dir() and not dead.exists() and not blocks.exists()
    assert [p.name for p in out.iterdir()] == ["m5"]


def test_04_a_package_renamed_aside_by_a_killed_build_is_put_back(tmp_path):
    out = tmp_path / "out"
    aside = _stale(out, ASIDE_TAG, _dead_pid())
    (aside / "m5" / "dm.xpt").write_text("previous")
    recover_and_sweep(out)
    assert _tree(out) == {"m5/dm.xpt": "previous"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize("exchange", [True, False])
def test_05_every_file_is_0644_and_every_folder_0755_whatever_the_umask(tmp_path, monkeypatch, exchange):
    if not exchange:
        monkeypatch.setenv("ACLF_TEST_NO_EXCHANGE", "1")
    out = tmp_path / "out"
    (out / "m5").mkdir(parents=True)
    old = os.umask(0o077)
    try:
        with staged_output(out) as staging:
            (staging / "m5").mkdir()
            fd, name = tempfile.mkstemp(dir=staging / "m5")  # 0600, as define.xml used to be
            os.close(fd)
            os.replace(name, staging / "m5" / "define.xml")
    finally:
        os.umask(old)
    assert stat.S_IMODE((out / "m5" / "define.xml").stat().st_mode) == 0o644
    assert {stat.S_IMODE(p.stat().st_mode) for p in (out, out / "m5")} == {0o755}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_06_ctrl_c_during_the_swap_is_held_until_the_new_package_is_in_place(tmp_path, monkeypatch):
    out = tmp_path / "out"
    (out / "m5").mkdir(parents=True)
    (out / "m5" / "dm.xpt").write_text("old")
    real_swap = atomic.swap_in

    def swap_after_ctrl_c(staging: Path, target: Path) -> None:
        os.kill(os.getpid(), signal.SIGINT)  # arrives while the swap runs
        real_swap(staging, target)

    monkeypatch.setattr(atomic, "swap_in", swap_after_ctrl_c)
    # Ctrl-C as a terminal delivers it, even when the suite runs as a background job (SIGINT ignored)
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with pytest.raises(atomic.Published) as caught, staged_output(out) as staging:
            (staging / "m5").mkdir()
            (staging / "m5" / "dm.xpt").write_text("new")
    finally:
        signal.signal(signal.SIGINT, previous)
    assert isinstance(caught.value.interrupt, KeyboardInterrupt)
    assert _tree(out) == {"m5/dm.xpt": "new"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_07_a_write_error_names_the_file_under_the_users_folder(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(OutputError) as caught, staged_output(out) as staging:
        raise OSError(errno.ENOSPC, "No space left on device", str(staging / "m5" / "dm.xpt"))
    assert caught.value.issues[0].message == (
        f"cannot write the package to {out}/m5/dm.xpt: No space left on device; --out {out} left as it was")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_08_out_given_as_a_symlink_or_as_dot_publishes_into_the_folder_it_names(tmp_path, monkeypatch):
    real = tmp_path / "real"
    (real / "m5").mkdir(parents=True)
    link = tmp_path / "link"
    link.symlink_to(real)
    with staged_output(link) as staging:
        (staging / "m5").mkdir()
        (staging / "m5" / "dm.xpt").write_text("via link")
    assert link.is_symlink() and _tree(real) == {"m5/dm.xpt": "via link"}
    monkeypatch.chdir(real)
    with staged_output(Path(".")) as staging:
        (staging / "m5").mkdir()
        (staging / "m5" / "dm.xpt").write_text("via dot")
    assert _tree(real) == {"m5/dm.xpt": "via dot"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "real"]


def test_09_a_failed_build_leaves_no_folder_it_made_for_out(tmp_path):
    from aclf_cdisc.errors import AclfError
    from aclf_cdisc.package.build import BuildOptions, build_package

    out = tmp_path / "new" / "a" / "b" / "out"
    with pytest.raises(AclfError):  # the export does not exist: found after the staging folder was tried
        build_package(BuildOptions(raw_dir=tmp_path / "nope", out_dir=out))
    assert list(tmp_path.iterdir()) == []


def test_10_an_update_starts_from_a_copy_and_a_failure_leaves_the_folder_as_it_was(tmp_path):
    from aclf_cdisc.files import replace_atomically

    out = tmp_path / "out"
    (out / "m5").mkdir(parents=True)
    (out / "m5" / "dm.xpt").write_text("dm")
    (out / "m5" / "define.xml").write_text("old define")
    with pytest.raises(RuntimeError), staged_output(out, update=True) as staging:
        assert _tree(staging) == {"m5/dm.xpt": "dm", "m5/define.xml": "old define"}
        replace_atomically(staging / "m5" / "define.xml", lambda handle: handle.write(b"half"))
        raise RuntimeError("the define failed its checks")
    assert _tree(out) == {"m5/dm.xpt": "dm", "m5/define.xml": "old define"}
    with staged_output(out, update=True, option="--outputs") as staging:
        replace_atomically(staging / "m5" / "define.xml", lambda handle: handle.write(b"new define"))
    assert _tree(out) == {"m5/dm.xpt": "dm", "m5/define.xml": "new define"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
