"""staged_output: outputs/ holds the old build or the new one, never a mix."""

from pathlib import Path

import pytest

from aclf_cdisc.package.atomic import staged_output


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


def test_02_failure_leaves_the_previous_build_untouched(tmp_path):
    (tmp_path / "m5").mkdir()
    (tmp_path / "m5" / "dm.xpt").write_text("old")
    with pytest.raises(RuntimeError), staged_output(tmp_path) as staging:
        (staging / "m5").mkdir()
        (staging / "m5" / "dm.xpt").write_text("half")
        raise RuntimeError("a check failed")
    assert _tree(tmp_path) == {"m5/dm.xpt": "old"}
    assert [p.name for p in tmp_path.iterdir()] == ["m5"]
