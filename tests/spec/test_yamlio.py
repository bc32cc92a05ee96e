"""Reading one spec file: a key given twice and aliases that expand without bound are refused, located."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aclf_cdisc.errors import SpecError
from aclf_cdisc.spec import check_spec
from aclf_cdisc.spec.yamlio import MAX_ALIAS_NODES, MAX_DEPTH, read_yaml


def _refusal(path: Path) -> tuple[str, str | None, object, object]:
    with pytest.raises(SpecError) as info:
        read_yaml(path, "specs/x.yaml")
    [issue] = info.value.issues
    return issue.rule, issue.file, issue.row, issue.value


def _laughs(levels: int, fanout: int = 10) -> str:
    """Nested anchors, each list holding ``fanout`` aliases of the one before: fanout**levels nodes."""
    lines = ["a0: &a0 [" + ", ".join(["lol"] * fanout) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * fanout) + "]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_01_a_key_given_twice_names_the_second_line_and_the_key(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("dataset: AE\nlabel: Adverse Events\nvariables:\n  - name: AETERM\n    label: Term\n"
                    "    label: Reported Term\n", encoding="utf-8")
    assert _refusal(path) == ("spec.yaml-duplicate-key", "specs/x.yaml", 6, "label")


def test_02_keys_are_compared_as_the_data_holds_them(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("flags: {yes: 1, true: 2}\n", encoding="utf-8")  # both keys are True in the data
    assert _refusal(path) == ("spec.yaml-duplicate-key", "specs/x.yaml", 1, True)


def test_03_a_merge_key_may_be_overridden(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("base: &b {type: Derived, source: x}\nused: {<<: *b, source: y}\n", encoding="utf-8")
    assert read_yaml(path).data["used"] == {"type": "Derived", "source": "y"}


def test_04_a_billion_laughs_is_refused_before_it_expands(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text(_laughs(9), encoding="utf-8")  # 10**9 nodes expanded
    rule, file, row, value = _refusal(path)
    assert (rule, file, row) == ("spec.yaml-aliases", "specs/x.yaml", 8)  # a7: the anchor aliased most
    assert isinstance(value, int) and value > 10**9


def test_05_an_alias_inside_its_own_anchor_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_text("ok: 1\nloop: &a [1, *a]\n", encoding="utf-8")
    assert _refusal(path) == ("spec.yaml-aliases", "specs/x.yaml", 2, None)


def test_06_an_alias_chain_deeper_than_the_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    lines = ["a0: &a0 [x]"] + [f"a{i}: &a{i} [*a{i - 1}]" for i in range(1, MAX_DEPTH + 5)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert _refusal(path)[0] == "spec.yaml-aliases"


@given(levels=st.integers(1, 8), fanout=st.integers(1, 12))
def test_07_aliases_are_refused_exactly_when_they_add_too_many_nodes(tmp_path_factory: pytest.TempPathFactory,
                                                                    levels: int, fanout: int) -> None:
    path = tmp_path_factory.mktemp("laughs") / "x.yaml"
    path.write_text(_laughs(levels, fanout), encoding="utf-8")
    sizes = [1 + fanout]  # a0 expanded: the list and its items
    for _ in range(1, levels):
        sizes.append(1 + fanout * sizes[-1])
    expanded = 1 + levels + sum(sizes)  # the document, its keys and every list expanded
    distinct = 1 + 2 * levels + fanout  # the document, keys, lists and a0's items as written
    added = expanded - distinct
    if added > MAX_ALIAS_NODES:
        assert _refusal(path)[0] == "spec.yaml-aliases"
    else:
        assert len(read_yaml(path).data) == levels


def test_08_spec_check_reports_both_and_loads_nothing(spec_root: Path) -> None:
    dm = spec_root / "sdtm" / "dm.yaml"
    dm.write_text(dm.read_text(encoding="utf-8").replace("label: Demographics\n",
                                                         "label: Demographics\nlabel: DM\n"), encoding="utf-8")
    with (spec_root / "comments.yaml").open("a", encoding="utf-8") as handle:
        handle.write(_laughs(8))
    lines = (spec_root / "comments.yaml").read_text(encoding="utf-8").splitlines()
    anchor = lines.index(_laughs(8).splitlines()[6]) + 1  # a6, aliased ten times by a7
    spec, issues = check_spec(spec_root)
    assert spec is None
    assert [(i.rule, i.file, i.row, i.value) for i in issues if i.rule.startswith("spec.yaml-")] == [
        ("spec.yaml-aliases", "specs/comments.yaml", anchor, issues[0].value),
        ("spec.yaml-duplicate-key", "specs/sdtm/dm.yaml", 3, "label")]
