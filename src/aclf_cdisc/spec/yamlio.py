"""Read a YAML spec file into plain data plus a map from JSON path to YAML line number.

The data come from ``yaml.safe_load``; the line map comes from composing the same text into a
node tree (also safe), so every Issue about a spec file can name the line a programmer must edit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Path_ = tuple[str | int, ...]


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


# libyaml's safe loader where PyYAML was built with it (the wheels are), else the pure-Python one.
_SafeLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path, display_name: str | None = None) -> YamlDoc:
    """Parse ``path`` once: compose the node tree (for line numbers), then build the data from it.

    Raises ``yaml.YAMLError`` (with its mark) on a syntax error.
    """
    text = path.read_text(encoding="utf-8")
    loader = _SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    lines: dict[Path_, int] = {}
    if node is not None:
        _walk(node, (), lines)
    return YamlDoc(file=display_name or str(path), data=data, lines=lines)
