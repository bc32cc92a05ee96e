"""Paths whose bytes are not UTF-8 (Python holds them with lone surrogates): named in one line,
never an internal error, nothing left behind; and output the terminal cannot encode is escaped."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from aclf_cdisc.cli import paths_not_utf8
from aclf_cdisc.errors import printable
from aclf_cdisc.package.manifest import manifest_document, write_manifest

from .helpers import REPO_ROOT, cli_env, debris, one_error_line


def run_bytes(*args: str | Path, **extra: str) -> subprocess.CompletedProcess[bytes]:
    """The CLI run with each argument as the bytes of the path (as a shell passes ``$'x\\xff'``)."""
    return subprocess.run([sys.executable, "-m", "aclf_cdisc", *map(os.fsencode, args)], cwd=REPO_ROOT,
                          env=cli_env(**extra), capture_output=True, check=False)


def test_printable_shows_the_bytes_that_are_not_utf8() -> None:
    assert printable(os.fsdecode(b"/tmp/caf\xe9/\xff.xpt")) == "/tmp/caf\\xe9/\\xff.xpt"
    assert printable("/tmp/café") == "/tmp/café"
    assert printable("\ud800") == "\\ud800"  # a lone surrogate no file name gives


def test_each_argument_that_is_not_utf8_is_an_issue() -> None:
    args = argparse.Namespace(file=Path(os.fsdecode(b"dm\xff.xpt")), out=Path("dm.json"), rows=3,
                              encoding="ascii", created=os.fsdecode(b"2020\xfe"))
    found = [(i.rule, i.column, i.file) for i in paths_not_utf8(args)]
    assert found == [("cli.path-not-utf8", "created", "2020\\xfe"), ("cli.path-not-utf8", "file", "dm\\xff.xpt")]


def test_an_output_folder_that_is_not_utf8_is_one_line_and_nothing_is_made(tmp_path: Path) -> None:
    out = tmp_path / os.fsdecode(b"out\xff")
    result = run_bytes("build", "--out", out)
    assert result.returncode == 1
    line = one_error_line(result.stderr.decode("utf-8"))
    assert line == ("aclf-cdisc build: [error] cli.path-not-utf8: the out argument holds bytes that are not UTF-8 "
                    "(shown as \\xNN): rename the file or folder, or give another path "
                    f"(file={tmp_path}/out\\xff, column=out); expected a path in UTF-8")
    assert list(tmp_path.iterdir()) == []


def test_an_input_file_that_is_not_utf8_is_named_in_both_arguments(tmp_path: Path) -> None:
    source = tmp_path / os.fsdecode(b"dm\xff.json")
    source.write_text("{}", encoding="utf-8")
    result = run_bytes("xpt", "from-json", source, tmp_path / os.fsdecode(b"dm\xff.xpt"))
    assert result.returncode == 1 and b"Traceback" not in result.stderr
    assert [line.split(" (file=")[1] for line in result.stderr.decode("utf-8").splitlines()[1:]] == [
        f"{tmp_path}/dm\\xff.json, column=file); expected a path in UTF-8",
        f"{tmp_path}/dm\\xff.xpt, column=out); expected a path in UTF-8"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [source.name]


def test_a_raw_file_whose_name_is_not_utf8_is_named_and_nothing_published(small_raw: Path, tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(small_raw, raw)
    (raw / os.fsdecode(b"notes\xff.csv")).write_text("kept by the site\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_bytes("build", "--raw", raw, "--out", out)
    assert result.returncode == 1
    line = one_error_line(result.stderr.decode("utf-8"))
    assert "[error] package.input-name-not-utf8: " in line and f"(file={raw}/notes\\xff.csv)" in line
    assert not out.exists() and debris(out) == []


def test_a_name_the_terminal_cannot_encode_is_escaped_not_a_crash(tmp_path: Path) -> None:
    root = tmp_path / "package"
    (root / "m5").mkdir(parents=True)
    (root / "m5" / "dm.xpt").write_text("dm", encoding="utf-8")
    write_manifest(root, manifest_document(root, ["m5"], tool={}, build={}, standards={}, specs={}, inputs={}))
    (root / "m5" / os.fsdecode(b"extra\xff.txt")).write_text("x", encoding="utf-8")
    result = run_bytes("package", "verify", root, PYTHONIOENCODING="utf-8:strict")
    assert result.returncode == 1 and result.stderr == b""
    assert result.stdout.decode("utf-8").splitlines()[0] == (
        "[error] package.file-extra: m5/extra\\udcff.txt is in the package but not in the manifest "
        "(file=m5/extra\\udcff.txt)")
