"""``simulate --out DIR`` and ``init DIR`` publish their folder as a build publishes its package: written
into a staging folder beside DIR and swapped in whole, so a full disk or an error midway leaves DIR
exactly as it was (a previous export byte for byte, an empty or absent study folder) and nothing
beside it."""

from __future__ import annotations

import errno
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from aclf_cdisc import cli

from .helpers import SPECS, debris, mount, one_error_line, run_cli, tree


def _previous_export(out: Path) -> dict[str, bytes]:
    """A stand-in for an export written before, and a file of the user's beside the forms."""
    out.mkdir(parents=True)
    (out / "dm.csv").write_text("STUDYID,SUBJID\nprevious,001\n")
    (out / "README.md").write_text("kept")
    return tree(out)


def _disk_full_on_csv(monkeypatch: pytest.MonkeyPatch, after: int) -> None:
    """Every CSV form after the first ``after`` fails as a full disk fails a write."""
    real: Callable[..., object] = pd.DataFrame.to_csv
    calls = []

    def to_csv(self: pd.DataFrame, *args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) > after:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "to_csv", to_csv)


def test_01_simulate_stopped_midway_by_a_full_disk_leaves_the_previous_export(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "edc"
    before = _previous_export(out)
    _disk_full_on_csv(monkeypatch, after=3)
    assert cli.main(["simulate", "--subjects", "8", "--out", str(out)]) == cli.EXIT_DATA
    assert one_error_line(capsys.readouterr().err) == (
        f"aclf-cdisc simulate: [error] build.out-write-failed: cannot write the export to {out}: No space left "
        f"on device; --out {out} left as it was (file={out})")
    assert tree(out) == before
    assert debris(out) == []


def test_02_simulate_on_a_disk_that_fills_up(tmp_path: Path, mounted: list[Path]) -> None:
    disk = tmp_path / "disk"
    disk.mkdir()
    mount(mounted, "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk))  # the 150-subject export needs 1.7 MB
    out = disk / "edc"
    before = _previous_export(out)
    result = run_cli("simulate", "--out", out)
    assert result.returncode == 1
    line = one_error_line(result.stderr)
    assert line.startswith(f"aclf-cdisc simulate: [error] build.out-write-failed: cannot write the export to {out}")
    assert line.endswith(f": No space left on device; --out {out} left as it was (file={out})")
    assert tree(out) == before
    assert sorted(p.name for p in disk.iterdir()) == ["edc"]


def test_03_simulate_replaces_a_previous_export_whole_and_keeps_the_users_files(tmp_path: Path) -> None:
    out = tmp_path / "edc"
    _previous_export(out)
    assert run_cli("simulate", "--subjects", "8", "--out", out).returncode == 0
    assert (out / "README.md").read_text() == "kept"
    assert (out / "dm.csv").read_text().startswith("STUDYID,SITEID,SUBJID")
    assert len(list(out.glob("*.csv"))) == 13
    assert debris(out) == []


@pytest.mark.parametrize("exists", [False, True])
def test_04_init_stopped_midway_by_a_full_disk_leaves_no_study_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], exists: bool) -> None:
    study = tmp_path / "new" / "study"
    if exists:
        study.mkdir(parents=True)
    _disk_full_on_csv(monkeypatch, after=5)
    assert cli.main(["init", str(study), "--specs", str(SPECS)]) == cli.EXIT_DATA
    line = one_error_line(capsys.readouterr().err)
    assert line.startswith(f"aclf-cdisc init: [error] build.out-write-failed: cannot write the study folder to "
                           f"{study}")
    assert line.endswith(f": No space left on device; DIR {study} left as it was (file={study})")
    if exists:
        assert sorted(p.name for p in study.parent.iterdir()) == ["study"]
        assert list(study.iterdir()) == []
    else:
        assert sorted(p.name for p in tmp_path.iterdir()) == []
