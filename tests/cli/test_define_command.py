"""``define --outputs DIR`` updates a finished package all or nothing: the defines are written into
a staging copy of DIR that replaces it only once both passed their checks (the manifest refreshed),
so DIR holds exactly the old package or exactly the new one, and nothing is left beside it."""

from __future__ import annotations

import shutil
import stat
from pathlib import Path

from .helpers import debris, one_error_line, run_cli, tree

SDTM_DEFINE = "m5/datasets/aclf-msc-302/tabulations/sdtm/define.xml"


def _copy(reference_build: Path, tmp_path: Path) -> Path:
    out = tmp_path / "package"
    shutil.copytree(reference_build, out)
    return out


def test_01_defines_that_fail_their_checks_leave_the_package_as_it_was(reference_build: Path,
                                                                         tmp_path: Path) -> None:
    out = _copy(reference_build, tmp_path)
    before = tree(out)
    result = run_cli("define", "--outputs", out, "--creation-datetime", "not-a-date")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert [line.split(":", 1)[0] for line in lines[:-1]] == ["[error] define.schema-invalid"] * 2
    assert f"(file={SDTM_DEFINE}, row=3)" in lines[0]
    assert lines[-1] == f"define: 2 error(s), 0 warning(s); --outputs {out} left as it was"
    assert tree(out) == before
    assert debris(out) == []
    assert run_cli("package", "verify", out).returncode == 0


def test_02_defines_that_pass_are_published_with_the_manifest_and_the_users_files_kept(
        reference_build: Path, tmp_path: Path) -> None:
    out = _copy(reference_build, tmp_path)
    (out / "notes.txt").write_text("private")
    (out / "notes.txt").chmod(0o600)
    before = (out / SDTM_DEFINE).read_bytes()
    result = run_cli("define", "--outputs", out, "--creation-datetime", "2030-01-01T00:00:00")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "define: 0 error(s), 0 warning(s)"
    assert (out / SDTM_DEFINE).read_bytes() != before
    assert b'CreationDateTime="2030-01-01T00:00:00"' in (out / SDTM_DEFINE).read_bytes()
    assert (out / "notes.txt").read_text() == "private"
    assert stat.S_IMODE((out / "notes.txt").stat().st_mode) == 0o600
    assert {stat.S_IMODE(p.stat().st_mode) for p in out.rglob("*") if p.is_file() and p.name != "notes.txt"} == {
        0o644}
    assert debris(out) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["package"]


def test_03_outputs_that_is_not_a_folder_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    result = run_cli("define", "--outputs", missing)
    assert result.returncode == 1
    assert one_error_line(result.stderr) == (
        f"aclf-cdisc define: [error] define.outputs-not-found: --outputs {missing} does not exist; define "
        f"rewrites the defines of a finished outputs tree: give the folder a build wrote (file={missing}); "
        "expected the folder holding m5/datasets/<studyid>/...")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def _schema_copy_with_broken_xsd(tmp_path: Path) -> Path:
    """A copy of the shipped Define-XML 2.1 schema folder whose define2-1-0.xsd is cut off mid-tag."""
    from aclf_cdisc.define.schema import DEFINE_XSD, shipped_schema_dir

    folder = tmp_path / "schemas"
    shutil.copytree(shipped_schema_dir(), folder)
    xsd = folder / DEFINE_XSD
    lines = xsd.read_text(encoding="utf-8").split("\n")
    xsd.write_text("\n".join([*lines[:5], lines[5] + ' broken="']), encoding="utf-8")
    return folder


def test_04_a_schema_dir_whose_xsd_is_not_xml_is_one_error_for_build_and_define(small_raw: Path,
                                                                                reference_build: Path,
                                                                                tmp_path: Path) -> None:
    """A --schema-dir copy with a damaged XSD failed the define check in a worker process with an
    error that could not be sent back (exit 3); it is one error naming the XSD and its line."""
    schemas = _schema_copy_with_broken_xsd(tmp_path)
    xsd = schemas / "cdisc-define-2.1" / "define2-1-0.xsd"
    out = tmp_path / "out"
    result = run_cli("build", "--raw", small_raw, "--out", out, "--schema-dir", schemas)
    assert result.returncode == 1
    line = one_error_line(result.stderr)
    assert line.startswith("aclf-cdisc build: [error] define.schema-unreadable: the schema define2-1-0.xsd "
                           "cannot be used: ")
    assert f"define.xml cannot be schema-validated (file={xsd}, row=6); expected the CDISC Define-XML 2.1" in line
    assert not out.exists() and debris(out) == []
    package = _copy(reference_build, tmp_path)
    before = tree(package)
    result = run_cli("define", "--outputs", package, "--schema-dir", schemas)
    assert result.returncode == 1
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert [line.split(":", 1)[0] for line in result.stdout.splitlines() if "[error]" in line] == [
        "[error] define.schema-unreadable"]
    assert tree(package) == before and debris(package) == []
