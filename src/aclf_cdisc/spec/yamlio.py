"""Read a YAML spec file into plain data plus a map from JSON path to YAML line number.

The text is composed once into a node tree (libyaml's safe loader where PyYAML has it); the data
are constructed from that tree and the line map is walked from it, so every Issue about a spec
file can name the line a programmer must edit.

Two things YAML allows are refused, each as a :class:`~aclf_cdisc.errors.SpecError` naming the
file, line and key:

- a key given twice in one mapping (``spec.yaml-duplicate-key``): YAML keeps the later value
  silently, so the earlier one, which a reader of the file sees, would not be what is built;
- aliases that expand the file beyond :data:`MAX_ALIAS_NODES` nodes, that nest deeper than
  :data:`MAX_DEPTH` levels or that refer to themselves (``spec.yaml-aliases``): a few lines of
  nested anchors (a "billion laughs" file) otherwise expand to more nodes than memory holds.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import yaml

from aclf_cdisc.errors import Issue, SpecError, cap

Path_ = tuple[str | int, ...]
MAX_ALIAS_NODES = 100_000  # nodes aliases may add to a file (a spec file holds a few thousand in all)
MAX_DEPTH = 100  # levels of nesting, aliases expanded (a spec file nests fewer than 15)
MERGE_TAG = "tag:yaml.org,2002:merge"


def format_path(path: Iterable[str | int]) -> str:
    """``("variables", 3, "length")`` -> ``variables[3].length``; the empty path -> ``$``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "$"


@dataclass
class YamlDoc:
    """A parsed spec file: its data and where each node starts (1-based line)."""

    file: str
    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)

    def line(self, path: Iterable[str | int]) -> int | None:
        """Line of the deepest node on ``path`` that exists (a missing key reports its parent)."""
        parts = tuple(path)
        while True:
            if parts in self.lines:
                return self.lines[parts]
            if not parts:
                return None
            parts = parts[:-1]


def _walk(node: yaml.Node, path: Path_, lines: dict[Path_, int]) -> None:
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            _walk(value_node, (*path, key), lines)
            # a key's own line is more useful than its value's when the value is a block
            lines[(*path, key)] = key_node.start_mark.line + 1
            if isinstance(value_node, yaml.MappingNode | yaml.SequenceNode):
                lines.setdefault((*path, key, "__value__"), value_node.start_mark.line + 1)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines)


def _children(node: yaml.Node) -> list[yaml.Node]:
    """The nodes directly inside ``node``: a mapping's keys and values, a sequence's items."""
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def expanded_sizes(root: yaml.Node, file: str) -> dict[int, tuple[int, int]]:
    """(nodes, depth) of each node of ``root`` (by ``id``) once every alias is expanded, in time linear
    in the composed tree (an alias is the same node object as its anchor, counted once and reused).

    A node that contains itself (``&a [*a]``) expands without end: a SpecError naming its line.
    """
    sizes: dict[int, tuple[int, int]] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            parts = [sizes[id(child)] for child in _children(node)]
            sizes[key] = (1 + sum(n for n, _ in parts), 1 + max((d for _, d in parts), default=0))
            open_nodes.discard(key)
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            raise SpecError(Issue(
                rule="spec.yaml-aliases", file=file, row=node.start_mark.line + 1,
                message=f"{file}: an alias refers to the node that holds it (line {node.start_mark.line + 1}), "
                        "which expands without end",
                expected="aliases (*name) of nodes that do not contain them"))
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    return sizes


def node_uses(root: yaml.Node) -> dict[int, tuple[yaml.Node, int]]:
    """Each node object of the composed tree and how often it is used (more than once: aliased)."""
    uses: dict[int, tuple[yaml.Node, int]] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        seen, count = uses.get(id(node), (node, 0))
        uses[id(node)] = (seen, count + 1)
        if not count:
            stack.extend(_children(node))
    return uses


def check_expansion(root: yaml.Node, file: str) -> None:
    """Refuse a tree whose aliases expand it past :data:`MAX_ALIAS_NODES` extra nodes or :data:`MAX_DEPTH`;
    the Issue names the line of the anchor whose aliases add the most."""
    sizes = expanded_sizes(root, file)
    nodes, depth = sizes[id(root)]
    uses = node_uses(root)
    added = nodes - len(uses)
    if added <= MAX_ALIAS_NODES and depth <= MAX_DEPTH:
        return
    added_by = {key: sizes[key][0] * (count - 1) for key, (_node, count) in uses.items() if count > 1}
    anchor = uses[max(added_by, key=added_by.__getitem__)][0] if added_by else root
    raise SpecError(Issue(
        rule="spec.yaml-aliases", file=file, row=anchor.start_mark.line + 1, value=nodes,
        message=f"{file}: its aliases expand it to {nodes:,} nodes ({added:,} from aliases) nested "
                f"{depth} levels deep: too much to be a spec file; write the values out or use fewer aliases",
        expected=f"aliases adding at most {MAX_ALIAS_NODES:,} nodes, at most {MAX_DEPTH} levels"))


# libyaml's safe loader where PyYAML was built with it (the wheels are), else the pure-Python one.
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _SpecLoader(_SafeLoader):
    """The safe loader, refusing a mapping that gives one key twice (parsing stays in libyaml)."""

    file = "<yaml>"

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            check_unique_keys(node, self.construct_object, self.file)
        return cast(dict[Any, Any], super().construct_mapping(node, deep=deep))


def check_unique_keys(node: yaml.MappingNode, construct: Any, file: str) -> None:
    """A SpecError naming the line and key of the second occurrence of a key in ``node``.

    Keys are compared as the values they construct to (``yes`` and ``true`` are one key, as they
    are in the data); merge keys (``<<``) and unhashable keys (refused by the constructor) are skipped.
    """
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == MERGE_TAG:
            continue
        key = construct(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            given = key in seen
        except TypeError:
            continue
        if given:
            first = seen[key]
            raise SpecError(Issue(
                rule="spec.yaml-duplicate-key", file=file, row=line, value=key,
                message=f"{file}: key {cap(str(key))!r} is given twice in one mapping (lines {first} and {line}); "
                        "YAML would keep only the later value: remove one",
                expected="each key once per mapping"))
        seen[key] = line


def read_yaml(path: Path, display_name: str | None = None) -> YamlDoc:
    """Parse ``path`` once: compose the node tree (for line numbers), then build the data from it.

    Raises ``yaml.YAMLError`` (with its mark) on a syntax error, :class:`SpecError` on a key given
    twice or aliases that expand the file without bound (see the module docstring).
    """
    file = display_name or str(path)
    text = path.read_text(encoding="utf-8")
    loader = _SpecLoader(text)
    loader.file = file
    try:
        node = loader.get_single_node()
        if node is not None:
            check_expansion(node, file)
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    lines: dict[Path_, int] = {}
    if node is not None:
        _walk(node, (), lines)
    return YamlDoc(file=file, data=data, lines=lines)
