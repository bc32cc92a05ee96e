"""``aclf-cdisc package verify`` on a manifest or checksum file that is damaged: each problem is named
(the file, the entry and key, or the line), exit 1, never an internal error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aclf_cdisc.cli import main
from aclf_cdisc.package.manifest import (
    CHECKSUM_NAME,
    MANIFEST_NAME,
    manifest_document,
    verify_package,
    write_manifest,
)


def _package(root: Path) -> Path:
    """A two-file package with its manifest and checksum file, as a build writes them."""
    for rel, text in (("m5/dm.xpt", "dm"), ("reports/validation.csv", "rule,severity\n")):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    write_manifest(root, manifest_document(root, ["m5", "reports"], tool={}, build={}, standards={}, specs={},
                                           inputs={}))
    return root


def _edit_manifest(root: Path, change: Any) -> None:
    document = json.loads((root / MANIFEST_NAME).read_text("utf-8"))
    change(document)
    (root / MANIFEST_NAME).write_text(json.dumps(document), encoding="utf-8")


def _verify(root: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[str]]:
    code = main(["package", "verify", str(root)])
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and captured.err == ""
    return code, captured.out.splitlines()


@pytest.mark.parametrize(("change", "column", "value"), [
    (lambda d: d["files"][0].pop("size"), "files[0].size", None),
    (lambda d: d["files"][1].pop("sha256"), "files[1].sha256", None),
    (lambda d: d["files"][0].pop("path"), "files[0].path", None),
    (lambda d: d["files"][0].update(size="2"), "files[0].size", "2"),
    (lambda d: d["files"][0].update(size=True), "files[0].size", True),
    (lambda d: d["files"][1].update(sha256=None), "files[1].sha256", None),
    (lambda d: d["files"][0].update(path=7), "files[0].path", 7),
    (lambda d: d["files"][0].update(path="../../etc/passwd"), "files[0].path", "../../etc/passwd"),
    (lambda d: d["files"][0].update(path="/etc/passwd"), "files[0].path", "/etc/passwd"),
    (lambda d: d["files"].__setitem__(1, "m5/dm.xpt"), "files[1]", "m5/dm.xpt"),
    (lambda d: d.update(folders="m5"), "folders", "m5"),
    (lambda d: d.update(folders=["m5", None]), "folders[1]", None),
    (lambda d: d.update(folders=[".."]), "folders[0]", ".."),
    (lambda d: d["files"].append(dict(d["files"][0])), "files[2].path", "m5/dm.xpt"),
])
def test_a_manifest_entry_missing_a_key_or_of_the_wrong_type_is_named(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], change: Any, column: str, value: Any) -> None:
    root = _package(tmp_path)
    _edit_manifest(root, change)
    issues = verify_package(root)
    assert [(i.rule, i.file, i.column, i.value) for i in issues] == [
        ("package.manifest-invalid", str(root / MANIFEST_NAME), column, value)]
    code, out = _verify(root, capsys)
    assert code == 1
    assert out[0].startswith(f"[error] package.manifest-invalid: {MANIFEST_NAME}: ")
    assert f"(file={root / MANIFEST_NAME}, column={column})" in out[0]


@pytest.mark.parametrize("content", [b"", b"not json", b"\xff\xfe{}", b"[" * 100_000, b"[]", b'{"files": {}}'])
def test_a_manifest_that_is_not_a_json_object_with_files_is_named(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes) -> None:
    root = _package(tmp_path)
    (root / MANIFEST_NAME).write_bytes(content)
    assert [(i.rule, i.file) for i in verify_package(root)] == [("package.manifest-unreadable",
                                                                 str(root / MANIFEST_NAME))]
    assert _verify(root, capsys)[0] == 1


def test_a_checksum_line_that_is_not_utf8_or_not_md5sum_is_named_by_its_number(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _package(tmp_path)
    lines = (root / CHECKSUM_NAME).read_bytes().splitlines()
    (root / CHECKSUM_NAME).write_bytes(b"\n".join([lines[0], b"\xff\xfe not utf-8", lines[1], b"no digest here"])
                                       + b"\n")
    issues = verify_package(root)
    assert [(i.rule, i.file, i.row, i.value) for i in issues] == [
        ("package.checksum-unreadable", CHECKSUM_NAME, 2, b"\xff\xfe not utf-8"),
        ("package.checksum-unreadable", CHECKSUM_NAME, 4, b"no digest here")]
    code, out = _verify(root, capsys)
    assert code == 1
    assert out[0] == (f"[error] package.checksum-unreadable: line 2 of {CHECKSUM_NAME} is not a UTF-8 '<md5>  "
                      f"<path>' line (file={CHECKSUM_NAME}, row=2); value=b'\\xff\\xfe not utf-8'; "
                      "expected <md5>  <path>")


def test_md5sum_binary_mode_lines_and_upper_case_digests_are_read(tmp_path: Path) -> None:
    root = _package(tmp_path)
    lines = [line.split("  ", 1) for line in (root / CHECKSUM_NAME).read_text("utf-8").splitlines()]
    (root / CHECKSUM_NAME).write_text("".join(f"{md5.upper()} *{name}\n" for md5, name in lines), "utf-8")
    assert verify_package(root) == []


_ANY_JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
                         lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner,
                                                                                     max_size=3), max_leaves=6)


@settings(max_examples=150, deadline=None)
@given(key=st.sampled_from(["files", "folders", "path", "size", "sha256", "entry"]), value=_ANY_JSON,
       line=st.binary(max_size=40))
def test_any_damaged_manifest_or_checksum_line_gives_issues_never_a_crash(
        tmp_path_factory: pytest.TempPathFactory, key: str, value: Any, line: bytes) -> None:
    root = _package(tmp_path_factory.mktemp("package"))

    def change(document: dict[str, Any]) -> None:
        if key in ("files", "folders"):
            document[key] = value
        elif key == "entry":
            document["files"][0] = value
        else:
            document["files"][0][key] = value

    _edit_manifest(root, change)
    with (root / CHECKSUM_NAME).open("ab") as handle:
        handle.write(line + b"\n")
    assert all(issue.rule.startswith("package.") for issue in verify_package(root))


def test_a_file_or_folder_replaced_by_a_symbolic_link_is_named_and_not_read_through(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _package(tmp_path / "pkg")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "dm.xpt").write_text("dm", encoding="utf-8")  # the same bytes: the digests would agree
    (root / "m5" / "dm.xpt").unlink()
    (root / "m5" / "dm.xpt").symlink_to(outside / "dm.xpt")
    (root / "m5" / "loop").symlink_to(root / "m5")  # a folder link back into the package
    issues = verify_package(root)
    assert [(i.rule, i.file) for i in issues] == [("package.file-link", "m5/dm.xpt"), ("package.file-link", "m5/loop")]
    code, lines = _verify(root, capsys)
    assert code == 1 and any("m5/dm.xpt is a symbolic link" in line for line in lines)
    # a whole folder of the package replaced by a link to a copy of it
    root2 = _package(tmp_path / "pkg2")
    (root2 / "reports").rename(tmp_path / "reports-copy")
    (root2 / "reports").symlink_to(tmp_path / "reports-copy")
    assert [(i.rule, i.file) for i in verify_package(root2)] == [("package.file-link", "reports"),
                                                                 ("package.file-link", "reports/validation.csv")]
