"""YAML streams as PyYAML nodes (C loader), with positions and bounded work.

Reading is the hot path. A stream is cut into documents at ``---`` lines (a
``---`` at column 0 always starts a document in YAML, even inside a block
scalar), and only the documents a reader wants are composed into nodes; the
others are only checked for syntax with libyaml's ``raw_parse``, which builds no
Python objects. Streams with directives (``%YAML``) or ``...`` markers are
composed whole, which is exact but slower. Marks are 0-based; ``Location``s
are 1-based.
"""

from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import yaml
from yaml._yaml import CParser
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

from stopsignal.model import Location
from stopsignal.readers.result import ReadFailure

NULL_TAG = "tag:yaml.org,2002:null"
BOOL_TAG = "tag:yaml.org,2002:bool"
STR_TAG = "tag:yaml.org,2002:str"
MERGE_TAG = "tag:yaml.org,2002:merge"
NUMBER_TAGS = frozenset({"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"})
# The tag of every node written without one. What a scalar is (null, bool, int, str) is
# resolved only when a reader asks, from its text and its style (plain or quoted):
# resolving every scalar while composing costs a third of the composition.
UNTAGGED = "!untagged"
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_RESOLVER = Resolver()


class FastLoader(CParser):
    """libyaml's composer without tag resolution (see ``UNTAGGED``).

    libyaml's composer calls these three methods for every node. C builtins that take
    the same arguments cost a fraction of a Python method: a bound ``str.format``
    returns its string whatever the arguments; ``operator.is_`` and ``tuple`` do
    nothing useful, quickly. (Builtins are not descriptors: no ``self`` is passed.)
    """

    resolve = UNTAGGED.format
    descend_resolver = staticmethod(operator.is_)
    ascend_resolver = staticmethod(tuple)


def tag_of(node: Node) -> str:
    """A node's tag, an untagged plain scalar resolved as YAML 1.1 (PyYAML's SafeLoader)."""
    if node.tag != UNTAGGED:
        return str(node.tag)
    if isinstance(node, ScalarNode):
        if not node.style:  # plain: libyaml says "", PyYAML None
            return str(_RESOLVER.resolve(ScalarNode, node.value, (True, False)))  # type: ignore[no-untyped-call]
        return STR_TAG
    return "tag:yaml.org,2002:seq" if isinstance(node, SequenceNode) else "tag:yaml.org,2002:map"


MAX_DOCUMENTS = 100_000
# Work allowed per document when walking nodes: aliases may share one big node many times.
NODE_BUDGET = 1_000_000

_EXOTIC = re.compile(rb"^(?:%|\.\.\.(?:[ \t\r\n]|$))", re.MULTILINE)
_CONTENT = re.compile(rb"^[ \t]*[^ \t\r\n#]", re.MULTILINE)
_EMPTY_DOC = re.compile(rb"\A---[ \t]*(?:#[^\n]*)?(?:\r?\n[ \t]*(?:#[^\n]*)?)*\s*\Z")
_EXOTIC_BREAK = re.compile(rb"\r(?!\n)|\xc2\x85|\xe2\x80[\xa8\xa9]")
_SUPPRESS = re.compile(rb"#[ \t]*(stopsignal[ \t]*:[^\r\n]*)")


@dataclass(frozen=True)
class Document:
    """One document of a stream: its index, its root node (None if not composed)."""

    index: int
    root: Node | None
    line_offset: int  # lines before the document's first line


def yaml_error(error: Exception, line_offset: int = 0, data: bytes = b"") -> ReadFailure:
    """A one-line ReadFailure from any PyYAML error, positioned in the whole stream."""
    if isinstance(error, yaml.MarkedYAMLError) and error.problem_mark is not None:
        mark = error.problem_mark
        what = error.problem or "invalid YAML"
        if error.context:
            what = f"{what} ({error.context})"
        return ReadFailure(f"invalid YAML: {what}", mark.line + 1 + line_offset, mark.column + 1)
    if isinstance(error, yaml.reader.ReaderError):
        position = min(max(error.position, 0), len(data))
        line = data.count(b"\n", 0, position) + 1 + line_offset
        column = position - (data.rfind(b"\n", 0, position) + 1) + 1
        return ReadFailure(f"invalid YAML: {error.reason}", line, column)
    return ReadFailure(f"invalid YAML: {str(error).splitlines()[0] if str(error) else error}")


def comments(data: bytes) -> dict[int, str]:
    """``# stopsignal: ...`` comments by line, for the suppression engine."""
    if b"stopsignal" not in data:
        return {}
    found: dict[int, str] = {}
    for match in _SUPPRESS.finditer(data):
        line = data.count(b"\n", 0, match.start()) + 1
        found[line] = match.group(1).decode("utf-8", "replace").strip()
    return found


def _spans(data: bytes) -> list[tuple[int, int]] | None:
    """Byte spans of the documents, or None when the stream must be composed whole."""
    if b"\n%" in data or data.startswith(b"%") or (b"..." in data and _EXOTIC.search(data)):
        return None
    if (b"\r" in data or b"\xc2\x85" in data or b"\xe2\x80" in data) and _EXOTIC_BREAK.search(
        data
    ):
        return None  # libyaml also breaks lines at a lone CR, NEL, LS and PS: compose whole
    starts = _markers(data)
    spans: list[tuple[int, int]] = []
    first = starts[0] if starts else len(data)
    if _CONTENT.search(data, 0, first):
        spans.append((0, first))
    starts.append(len(data))
    spans.extend(itertools.pairwise(starts))
    return spans


def _markers(data: bytes) -> list[int]:
    """Offsets of the ``---`` lines (memchr-fast ``find``, not a multi-line regex)."""
    starts = []
    end = len(data)
    if data.startswith(b"---") and (end == 3 or data[3] in b" \t\r\n"):
        starts.append(0)
    found = data.find(b"\n---")
    while found >= 0:
        after = found + 4
        if after == end or data[after] in b" \t\r\n":
            starts.append(found + 1)
        found = data.find(b"\n---", after)
    return starts


def documents(
    data: bytes, want: Callable[[bytes], bool], errors: list[ReadFailure]
) -> Iterator[Document]:
    """The documents of ``data``; those ``want`` accepts are composed, the rest only checked.

    Syntax errors are appended to ``errors``; a broken document does not stop the
    ones after it when the stream could be cut into documents.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]  # a BOM is not a column; libyaml rejects it once the stream is cut
    spans = _spans(data)
    if spans is None:
        yield from _whole(data, errors)
        return
    if len(spans) > MAX_DOCUMENTS:
        errors.append(ReadFailure(f"more than {MAX_DOCUMENTS} documents; the rest is not read"))
        spans = spans[:MAX_DOCUMENTS]
    line = 0
    position = 0
    for index, (start, end) in enumerate(spans):
        line += data.count(b"\n", position, start)
        position = start
        chunk = data[start:end]
        if want(chunk):
            try:
                root = _compose(chunk)
            except yaml.composer.ComposerError as error:
                if "single document" in str(error):  # the cut was wrong: fall back, exactly
                    yield from _whole(data, errors)
                    return
                errors.append(yaml_error(error, line, chunk))
                continue
            except yaml.YAMLError as error:
                errors.append(yaml_error(error, line, chunk))
                continue
            yield Document(index, root, line)
        elif not _EMPTY_DOC.match(chunk):
            parser = CParser(chunk)
            try:
                parser.raw_parse()
            except yaml.YAMLError as error:
                errors.append(yaml_error(error, line, chunk))
            finally:
                parser.dispose()


def _compose(chunk: bytes) -> Node | None:
    loader = FastLoader(chunk)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _whole(data: bytes, errors: list[ReadFailure]) -> Iterator[Document]:
    loader = FastLoader(data)
    index = 0
    try:
        while loader.check_node():
            if index >= MAX_DOCUMENTS:
                errors.append(ReadFailure(f"more than {MAX_DOCUMENTS} documents; not all read"))
                return
            yield Document(index, loader.get_node(), 0)
            index += 1
    except yaml.YAMLError as error:
        errors.append(yaml_error(error, 0, data))
    finally:
        loader.dispose()


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
                "document too large once aliases are expanded (a YAML alias bomb?)",
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


def is_null(node: Node | None) -> bool:
    if node is None:
        return True
    if type(node) is not ScalarNode:
        return False
    tag = node.tag
    if tag == UNTAGGED:
        return not node.style and node.value in _NULLS
    return tag == NULL_TAG


def text(node: Node | None) -> str | None:
    """A scalar's text; None for null, absent or a collection."""
    if type(node) is ScalarNode and not is_null(node):
        return str(node.value)
    return None


def number(node: Node | None) -> float | None:
    if isinstance(node, ScalarNode) and tag_of(node) in NUMBER_TAGS:
        try:
            return float(str(node.value).replace("_", ""))
        except ValueError:
            return None
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
