"""Spec values <-> spreadsheet cells, losslessly, and the flattening of nested spec records.

A column has a *kind* saying how a spec value is written into one cell and read back:

``scalar``  text, number or boolean as a cell of that type (text is always stored as text,
            so ``=SUM(A1)`` or ``007`` stay text: no formula, no lost zeros)
``integer`` as ``scalar``; on reading, text of digits becomes a number (a typed ``8``)
``yesno``   a boolean as ``Yes`` / ``No`` (the Pinnacle 21 convention)
``list``    a list of texts joined with ``", "``
``words``   a list of texts joined with a space (page references)

:func:`encode` returns :data:`UNFIT` when a value cannot make the trip through its cell exactly
(an empty text, a number beyond 2**53, a list item holding the separator, control characters...):
the caller then keeps that value in the row's ``Extra (JSON)`` cell instead, so nothing is lost.

>>> encode("list", ["STUDYID", "USUBJID"])
'STUDYID, USUBJID'
>>> decode("list", "STUDYID, USUBJID")
['STUDYID', 'USUBJID']
>>> encode("scalar", "") is UNFIT
True
>>> flatten({"origin": {"type": "Derived", "x": 1}}, [("origin", "type")])
({('origin', 'type'): 'Derived'}, {'origin': {'x': 1}})
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Iterable, Sequence
from typing import Any

import yaml
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from aclf_cdisc.spec.yamlio import MAX_DEPTH

KINDS = ("scalar", "integer", "yesno", "list", "words")
MAX_CELL = 32767          # characters an Excel cell holds
MAX_EXACT_INT = 2 ** 53   # numbers are IEEE doubles in a workbook
UNFIT = object()
_MISSING = object()
_YES = {"yes", "y", "true"}
_NO = {"no", "n", "false"}
_WORD_SPLIT = re.compile(r"[,\s]+")

Path_ = tuple[str, ...]


class CellError(ValueError):
    """A cell holds something its column cannot mean; ``expected`` says what would do."""

    def __init__(self, expected: str) -> None:
        super().__init__(expected)
        self.expected = expected


def same(a: Any, b: Any) -> bool:
    """Equal and of the same types all the way down (``1``, ``1.0`` and ``True`` differ)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return set(a) == set(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def _text_fits(value: str) -> bool:
    return value != "" and len(value) <= MAX_CELL and not ILLEGAL_CHARACTERS_RE.search(value)


def _scalar_fits(value: Any) -> bool:
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return abs(value) <= MAX_EXACT_INT
    if isinstance(value, float):
        # an integral float would come back as an int; the xlsx writer keeps 16 significant digits
        return math.isfinite(value) and not value.is_integer() and float(f"{value:.16g}") == value
    if isinstance(value, str):
        return _text_fits(value)
    return False


def _list_fits(value: Any, sep: str) -> bool:
    if not isinstance(value, list) or not value:
        return False
    for item in value:
        if not isinstance(item, str) or not _text_fits(item) or item != item.strip():
            return False
        if "," in item or (sep == " " and _WORD_SPLIT.search(item)):
            return False
    return len(sep.join(value)) <= MAX_CELL


def encode(kind: str, value: Any) -> Any:
    """The cell value for ``value`` in a ``kind`` column, or :data:`UNFIT`."""
    if kind in ("scalar", "integer"):
        return value if _scalar_fits(value) else UNFIT
    if kind == "yesno":
        return ("Yes" if value else "No") if isinstance(value, bool) else UNFIT
    if kind == "list":
        return ", ".join(value) if _list_fits(value, ", ") else UNFIT
    if kind == "words":
        return " ".join(value) if _list_fits(value, " ") else UNFIT
    raise KeyError(f"unknown column kind {kind!r}")


def decode(kind: str, cell: Any) -> Any:
    """The spec value of a non-empty cell of a ``kind`` column; :class:`CellError` if it has none."""
    if kind == "scalar":
        return cell
    if kind == "integer":
        if isinstance(cell, str) and cell.strip().lstrip("-").isdigit():
            return int(cell.strip())
        if isinstance(cell, float) and cell.is_integer():
            return int(cell)
        return cell
    if kind == "yesno":
        if isinstance(cell, bool):
            return cell
        text = str(cell).strip().lower()
        if text in _YES:
            return True
        if text in _NO:
            return False
        raise CellError("Yes or No")
    if kind == "list":
        return [part.strip() for part in str(cell).split(",") if part.strip()]
    if kind == "words":
        return [part for part in _WORD_SPLIT.split(str(cell).strip()) if part]
    raise KeyError(f"unknown column kind {kind!r}")


# --------------------------------------------------------------------------------------------
# Nested records
# --------------------------------------------------------------------------------------------
def get_path(record: Any, path: Path_) -> Any:
    """The value at ``path`` in nested dicts, or the private missing marker."""
    node = record
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return _MISSING
        node = node[key]
    return node


def is_missing(value: Any) -> bool:
    return value is _MISSING


def _remove(record: dict[str, Any], path: Path_) -> None:
    """Delete ``path``; parents left empty by the deletion go too (empty dicts that were empty stay)."""
    parents = [record]
    for key in path[:-1]:
        parents.append(parents[-1][key])
    del parents[-1][path[-1]]
    for depth in range(len(path) - 1, 0, -1):
        if parents[depth]:
            break
        del parents[depth - 1][path[depth - 1]]


def set_path(record: dict[str, Any], path: Path_, value: Any) -> None:
    node = record
    for key in path[:-1]:
        node = node.setdefault(key, {})
    node[path[-1]] = value


def flatten(record: dict[str, Any], paths: Sequence[Path_],
            kinds: Sequence[str] | None = None) -> tuple[dict[Path_, Any], dict[str, Any] | None]:
    """Split ``record`` into cell values per path and the rest (``None`` when nothing is left).

    A value goes to its cell only when reading the cell back gives exactly the same value.
    """
    kinds = list(kinds) if kinds is not None else ["scalar"] * len(paths)
    rest = copy.deepcopy(record)
    cells: dict[Path_, Any] = {}
    for path, kind in zip(paths, kinds, strict=True):
        value = get_path(record, path)
        if value is _MISSING:
            continue
        cell = encode(kind, value)
        if cell is UNFIT or not same(decode(kind, cell), value):
            continue
        cells[path] = cell
        _remove(rest, path)
    return cells, (rest or None)


def merge(record: dict[str, Any], extra: dict[str, Any]) -> list[Path_]:
    """Deep-merge ``extra`` into ``record`` in place; return the paths both sides set."""
    clashes: list[Path_] = []

    def walk(target: dict[str, Any], source: dict[str, Any], where: Path_) -> None:
        for key, value in source.items():
            if key in target and isinstance(target[key], dict) and isinstance(value, dict):
                walk(target[key], value, (*where, key))
            elif key in target:
                clashes.append((*where, key))
            else:
                target[key] = copy.deepcopy(value)

    walk(record, extra, ())
    return clashes


# --------------------------------------------------------------------------------------------
# JSON cells
# --------------------------------------------------------------------------------------------
def to_json(value: Any) -> str:
    """Compact one-line JSON (key order kept, non-ASCII kept, control characters escaped)."""
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "), allow_nan=False)


def json_fits(value: Any) -> bool:
    """Whether ``value`` survives JSON exactly (string keys only, no NaN) and fits a cell."""
    try:
        text = to_json(value)
    except ValueError:
        return False
    return len(text) <= MAX_CELL and same(json.loads(text), value)


def to_structured(value: Any) -> str | None:
    """Nested data as one cell: compact JSON, or YAML flow style where JSON cannot hold it exactly
    (a mapping with number keys); None when neither fits a cell.

    >>> to_structured({"a": [1, None]})
    '{"a": [1, null]}'
    >>> to_structured({1: "STAGE 1"})
    '{1: STAGE 1}'
    """
    if json_fits(value):
        return to_json(value)
    try:
        text = yaml.safe_dump(value, default_flow_style=True, width=2 ** 31 - 1, allow_unicode=True,
                              sort_keys=False).strip()
    except yaml.YAMLError:
        return None
    return text if len(text) <= MAX_CELL and same(yaml.safe_load(text), value) else None


TOO_DEEP = f"JSON whose lists and objects nest at most {MAX_DEPTH} levels deep, as a spec file's do"


def nesting_depth(value: Any) -> int:
    """Levels of lists and dicts in ``value`` (0 for a scalar), counted without recursion.

    >>> nesting_depth(1), nesting_depth([]), nesting_depth({"a": [1, {"b": []}]})
    (0, 1, 4)
    """
    deepest, pending = 0, [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth + 1)
            pending.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


def from_json(cell: Any) -> Any:
    """Parse a JSON (or YAML flow) cell; :class:`CellError` when it is neither, or nests deeper than
    :data:`~aclf_cdisc.spec.yamlio.MAX_DEPTH` (a spec file nests fewer than 15 levels; the readers
    and writers of spec data recurse, and a cell of a thousand ``[`` would exhaust them)."""
    try:
        value = json.loads(str(cell))
    except RecursionError as exc:
        raise CellError(TOO_DEEP) from exc
    except json.JSONDecodeError as exc:
        try:
            value = yaml.safe_load(str(cell))
        except RecursionError as deep:
            raise CellError(TOO_DEEP) from deep
        except yaml.YAMLError:
            raise CellError(f"JSON ({exc.msg} at character {exc.pos})") from exc
    if nesting_depth(value) > MAX_DEPTH:
        raise CellError(TOO_DEEP)
    return value


def chunks(text: str, size: int = MAX_CELL) -> Iterable[str]:
    for start in range(0, len(text), size):
        yield text[start:start + size]
