"""Values out of composed YAML nodes: positions, tags resolved on demand, bounded work."""

from __future__ import annotations

import math

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from stopsignal.model import Location
from stopsignal.readers.result import ReadFailure
from stopsignal.readers.yamlnodes import (
    BOOL_TAG,
    MERGE_TAG,
    NODE_BUDGET,
    NULL_TAG,
    NULLS,
    NUMBER_TAGS,
    UNTAGGED,
    Document,
    tag_of,
)


class Walk:
    """Reads values out of one composed document, positions included.

    Every collection touched is charged to a budget, so a document whose aliases
    share a big node many times (an alias bomb) fails cleanly instead of
    running for ever.
    """

    def __init__(self, path: str, document: Document) -> None:
        self.path = path
        self.document = document.index
        self.line_offset = document.line_offset
        self.budget = NODE_BUDGET

    def charge(self, node: Node, amount: int = 1) -> None:
        self.budget -= amount
        if self.budget < 0:
            raise ReadFailure(
                f"document too large to read: more than {NODE_BUDGET:,} values once YAML "
                "aliases are expanded (the reader's limit per document)",
                *self.position(node),
            )

    def position(self, node: Node) -> tuple[int, int]:
        mark = node.start_mark
        return mark.line + 1 + self.line_offset, mark.column + 1

    def location(self, node: Node, yaml_path: tuple[str | int, ...]) -> Location:
        line, column = self.position(node)
        return Location(self.path, line, column, self.document, yaml_path)

    def fields(self, node: Node | None, depth: int = 0) -> dict[str, tuple[Node, Node]]:
        """A mapping's keys -> (key node, value node); the last one wins, ``<<`` merges."""
        if not isinstance(node, MappingNode):
            return {}
        pairs = node.value
        self.budget -= len(pairs)
        if self.budget < 0:
            self.charge(node, 0)  # raises
        found: dict[str, tuple[Node, Node]] = {}
        merges: list[Node] = []
        for pair in pairs:
            key_node = pair[0]
            if type(key_node) is ScalarNode:
                key = key_node.value
                if key == "<<" and (key_node.tag == MERGE_TAG or (
                        key_node.tag == UNTAGGED and not key_node.style)):
                    merges.append(pair[1])
                else:
                    found[key] = pair
        if merges and depth < 8:  # merged keys never override the mapping's own
            for merge in merges:
                sources = merge.value if isinstance(merge, SequenceNode) else [merge]
                for source in sources:
                    for key, pair in self.fields(source, depth + 1).items():
                        found.setdefault(key, pair)
        return found

    def get(self, node: Node | None, key: str) -> tuple[Node, Node] | None:
        return self.fields(node).get(key)

    def value(self, node: Node | None, key: str) -> Node | None:
        pair = self.get(node, key)
        if pair is None or is_null(pair[1]):
            return None
        return pair[1]

    def items(self, node: Node | None) -> list[tuple[Node, Node]]:
        if not isinstance(node, MappingNode):
            return []
        self.charge(node, len(node.value))
        return list(node.value)

    def sequence(self, node: Node | None) -> list[Node]:
        if not isinstance(node, SequenceNode):
            return []
        self.charge(node, len(node.value))
        return list(node.value)

    def strings(self, node: Node | None) -> tuple[str, ...] | None:
        """A sequence of scalars as strings; None when absent or not a sequence."""
        if not isinstance(node, SequenceNode):
            return None
        self.charge(node, len(node.value))
        return tuple(item.value if isinstance(item, ScalarNode) else "" for item in node.value)

    def string_map(self, node: Node | None) -> tuple[tuple[str, str], ...]:
        pairs = []
        for key_node, value_node in self.items(node):
            if isinstance(key_node, ScalarNode) and isinstance(value_node, ScalarNode):
                pairs.append((key_node.value, "" if is_null(value_node) else value_node.value))
        return tuple(pairs)

    # Scalars, as the Kubernetes reader asks for them (kubernetes.Tree).
    @staticmethod
    def text(node: Node | None) -> str | None:
        return text(node)

    @staticmethod
    def number(node: Node | None) -> float | None:
        return number(node)

    @staticmethod
    def boolean(node: Node | None) -> bool | None:
        return boolean(node)

    @staticmethod
    def port(node: Node | None) -> int | str | None:
        if isinstance(node, ScalarNode) and tag_of(node) == "tag:yaml.org,2002:int":
            try:
                return int(str(node.value), 0)
            except ValueError:
                return str(node.value)
        return text(node)

    @staticmethod
    def is_mapping(node: Node | None) -> bool:
        return isinstance(node, MappingNode)

    @staticmethod
    def is_sequence(node: Node | None) -> bool:
        return isinstance(node, SequenceNode)

    @staticmethod
    def is_scalar(node: Node | None) -> bool:
        return isinstance(node, ScalarNode)

    def plain(self, node: Node | None) -> object:
        """A node as plain Python data (see the module's ``plain``)."""
        return plain(self, node)


def is_null(node: Node | None) -> bool:
    if node is None:
        return True
    if type(node) is not ScalarNode:
        return False
    tag = node.tag
    if tag == UNTAGGED:
        return not node.style and node.value in NULLS
    return tag == NULL_TAG


def text(node: Node | None) -> str | None:
    """A scalar's text; None for null, absent or a collection."""
    if type(node) is ScalarNode and not is_null(node):
        return str(node.value)
    return None


def number(node: Node | None) -> float | None:
    if isinstance(node, ScalarNode) and tag_of(node) in NUMBER_TAGS:
        try:
            value = float(str(node.value).replace("_", ""))
        except ValueError:
            return None
        # 1e400 and 400-digit integers overflow to inf: no field Kubernetes or compose
        # accepts holds them, and every use of the value (int(), ceil) would raise.
        return value if math.isfinite(value) else None
    return None


def boolean(node: Node | None) -> bool | None:
    if isinstance(node, ScalarNode) and tag_of(node) == BOOL_TAG:
        return str(node.value).lower() in {"true", "yes", "on"}
    return None


def plain(walk: Walk, node: Node | None, depth: int = 0) -> object:
    """A node as plain Python data (str/int/float/bool/None, lists, dicts), bounded."""
    if node is None or depth > 64:
        return None
    walk.charge(node)
    if isinstance(node, ScalarNode):
        tag = tag_of(node)
        if tag == NULL_TAG:
            return None
        if tag == BOOL_TAG:
            return boolean(node)
        if tag in NUMBER_TAGS:
            value = number(node)
            return int(value) if value is not None and value.is_integer() else value
        return str(node.value)
    if isinstance(node, SequenceNode):
        return [plain(walk, item, depth + 1) for item in walk.sequence(node)]
    if isinstance(node, MappingNode):
        return {
            str(key.value): plain(walk, value, depth + 1)
            for key, value in walk.items(node)
            if isinstance(key, ScalarNode)
        }
    return None

