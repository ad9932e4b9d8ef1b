"""Edits applied to plain data (parsed YAML/JSON documents), and where two trees differ.

The file renderers change text; this module states what the change must mean.
Verification parses the fixed text and compares it with the input data with the
same edits applied here, and the webhook's JSON Patch is the difference between
an object and its edited copy.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from typing import Any

from stopsignal.model import Edit

Path = tuple[str | int, ...]


class EditError(Exception):
    """An edit whose path does not fit the document (a list where a mapping was expected)."""


class TooLarge(Exception):
    """Data larger than the node budget once shared nodes (YAML aliases) are expanded."""


def check_size(documents: Sequence[Any], budget: int) -> None:
    """Raise ``TooLarge`` when walking ``documents`` would visit more than ``budget`` nodes.

    Parsed YAML shares the node of an alias wherever it is used, so a few hundred
    bytes can stand for billions of nodes (an alias bomb); every walk here
    (``diff_paths``, equality) visits the expanded tree. Lint charges the same
    budget per document while it reads.
    """
    for document in documents:
        left = budget
        stack = [document]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                left -= len(node) + 1
                stack.extend(node.values())
            elif isinstance(node, list):
                left -= len(node) + 1
                stack.extend(node)
            if left < 0:
                raise TooLarge(f"more than {budget:,} nodes once YAML aliases are expanded")


def apply_edits(documents: list[Any], edits: Sequence[Edit]) -> list[Any]:
    """Apply structured edits to ``documents`` in place and return them."""
    for edit in edits:
        if edit.document >= len(documents):
            raise EditError(f"document {edit.document} does not exist")
        if edit.op == "set":
            documents[edit.document] = set_path(documents[edit.document], edit.yaml_path,
                                                copy.deepcopy(edit.value))
        elif edit.op == "remove":
            remove_path(documents[edit.document], edit.yaml_path)
        else:
            raise EditError(f"{edit.op} is not a structured edit")
    return documents


#: The last key of a ``set`` path that appends to a list (as ``-`` in a JSON Pointer).
APPEND = "-"


def set_path(root: Any, path: Path, value: Any) -> Any:
    """Set ``value`` at ``path``, creating missing mappings; returns the (new) root."""
    if not path:
        return value
    if root is None:
        root = {}
    node = root
    for index, key in enumerate(path[:-1]):
        child = _child(node, key, path[:index + 1])
        if child is None:
            child = {}
            _store(node, key, child, path[:index + 1])
        node = child
    _store(node, path[-1], value, path)
    return root


def remove_path(root: Any, path: Path) -> None:
    node = root
    for index, key in enumerate(path[:-1]):
        node = _child(node, key, path[:index + 1])
        if node is None:
            return
    if isinstance(node, dict):
        node.pop(path[-1], None)
    elif isinstance(node, list) and isinstance(path[-1], int) and path[-1] < len(node):
        del node[path[-1]]


def get_path(root: Any, path: Path) -> Any:
    node = root
    for index, key in enumerate(path):
        node = _child(node, key, path[:index + 1])
        if node is None:
            return None
    return node


def _child(node: Any, key: str | int, where: Path) -> Any:
    if isinstance(node, dict):
        return node.get(key)
    if isinstance(node, list) and isinstance(key, int):
        if key >= len(node):
            raise EditError(f"no item {key} at {format_path(where[:-1])}")
        return node[key]
    raise EditError(f"{format_path(where[:-1]) or 'the document'} is not a mapping")


def _store(node: Any, key: str | int, value: Any, where: Path) -> None:
    if isinstance(node, list) and key == APPEND:
        node.append(value)
        return
    fits_list = isinstance(node, list) and isinstance(key, int) and key < len(node)
    if isinstance(node, dict) or fits_list:
        node[key] = value
    else:
        raise EditError(f"cannot set {format_path(where)}")


def diff_paths(before: Any, after: Any, prefix: Path = ()) -> Iterator[Path]:
    """The outermost paths at which two plain-data trees differ."""
    if isinstance(before, dict) and isinstance(after, dict):
        for key in before.keys() | after.keys():
            if key not in before or key not in after:
                yield (*prefix, key)
            else:
                yield from diff_paths(before[key], after[key], (*prefix, key))
    elif isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        for index, (old, new) in enumerate(zip(before, after, strict=True)):
            yield from diff_paths(old, new, (*prefix, index))
    elif before != after or type(before) is not type(after):
        yield prefix


def covered(path: Path, edited: Sequence[Path]) -> bool:
    """Whether a changed ``path`` lies at or under an edited path (or creates one)."""
    return any(path[:len(target)] == target or target[:len(path)] == path for target in edited)


class Coverage:
    """``covered`` against one set of edited paths, for many changed paths: each check
    costs the length of the path, not the number of edits (thousands in a big pod)."""

    def __init__(self, edited: Sequence[Path]) -> None:
        self.edited = set(edited)
        self.prefixes = {target[:size] for target in edited for size in range(len(target) + 1)}

    def __contains__(self, path: Path) -> bool:
        return path in self.prefixes or any(path[:size] in self.edited
                                            for size in range(len(path) + 1))


def format_path(path: Path) -> str:
    text = ""
    for key in path:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text
