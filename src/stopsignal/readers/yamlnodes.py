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

import yaml

try:
    from yaml._yaml import CParser
except ImportError:  # PyYAML without libyaml: the same API in pure Python (yamlpure), slower
    from stopsignal.readers.yamlpure import PureParser as CParser  # type: ignore[assignment]
from yaml.nodes import Node, ScalarNode, SequenceNode
from yaml.resolver import Resolver

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
NULLS = frozenset({"", "~", "null", "Null", "NULL"})
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


class Document:
    """One document of a stream: its index, its root node (None if not composed).

    A plain class: a dataclass costs a millisecond of start-up, and ``index`` cannot be
    a NamedTuple field.
    """

    __slots__ = ("index", "line_offset", "root")

    def __init__(self, index: int, root: Node | None, line_offset: int) -> None:
        self.index = index
        self.root = root
        self.line_offset = line_offset  # lines before the document's first line


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
    if not want(data):  # no part of the stream is wanted (``want`` looks for words)
        _check(data, 0, errors)
        return
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
                    yield from _whole(data, errors, skip=index)
                    return
                errors.append(yaml_error(error, line, chunk))
                continue
            except yaml.YAMLError as error:
                errors.append(yaml_error(error, line, chunk))
                continue
            yield Document(index, root, line)
        elif not _EMPTY_DOC.match(chunk):
            _check(chunk, line, errors)


def _check(data: bytes, line_offset: int, errors: list[ReadFailure]) -> None:
    """Syntax only: libyaml parses without building a single Python object."""
    parser = CParser(data)
    try:
        parser.raw_parse()
    except yaml.YAMLError as error:
        errors.append(yaml_error(error, line_offset, data))
    finally:
        parser.dispose()


def _compose(chunk: bytes) -> Node | None:
    loader = FastLoader(chunk)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _whole(data: bytes, errors: list[ReadFailure], skip: int = 0) -> Iterator[Document]:
    """Every document, composed by libyaml in one pass; the first ``skip`` are not yielded."""
    loader = FastLoader(data)
    index = 0
    try:
        while loader.check_node():
            if index >= MAX_DOCUMENTS:
                errors.append(ReadFailure(f"more than {MAX_DOCUMENTS} documents; not all read"))
                return
            node = loader.get_node()
            if index >= skip:
                yield Document(index, node, 0)
            index += 1
    except yaml.YAMLError as error:
        errors.append(yaml_error(error, 0, data))
    finally:
        loader.dispose()
