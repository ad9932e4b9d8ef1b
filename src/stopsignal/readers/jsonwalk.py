"""JSON documents read by the ``json`` module's C scanner, with the position of every value.

A node is the offset of a value in the decoded text (an ``int``; the root is often 0, so
callers test ``is None``, never truthiness). Nothing is built ahead: asking for a
mapping's fields walks its members once, each member's value skipped by the C scanner;
scalars are decoded by the same scanner when asked for and read as the webhook reads the
same object after ``json.loads`` (``objects.ObjectWalk``), so a file and an admission
request give the same containers. Memory is the text plus what the reader keeps; a
position is the line and column of the value's first character, columns counted in
characters as libyaml counts them for YAML (an escape such as ``\\ud83d`` is six).

Why a small reader of our own (measured on a List of 150,000 small pods, 18.7 MB on one
line, as ``json.dumps`` writes it; the project's 2-core machine, shared, load average 4):

* libyaml (PyYAML's C ``compose``, what read JSON before) reads JSON as YAML flow style:
  escapes of UTF-16 surrogates (``\\ud83d``, as ``json.dumps`` writes an emoji) are not
  YAML, and composing the List took 21.9 s CPU and 1,020 MiB (a ``yaml.Node`` and two
  marks per value), after which it was refused;
* ``json-source-map`` (PyPI, pure Python, last release 2022) builds a pointer map of
  every value: 115 s and 1.6 GiB;
* ``tree-sitter-json`` positions are bytes (columns in bytes, not characters) and the
  reader would walk its tree node by node from Python; ``ijson``, ``orjson``, ``jiter``
  and ``json-stream`` report no positions at all.

This reader: validating the text (``validate``) takes 0.12 s CPU where ``json.loads``
takes 0.87 s; reading every container 5.3 s; the whole ``stopsignal lint`` 6.9 s CPU
with a peak RSS of 196 MiB, against 181 MiB for a bare ``json.loads`` of the file
(``benchmarks/json_list.py --yaml``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from stopsignal.model import Location
from stopsignal.readers.objects import ObjectWalk

try:
    from _json import scanstring  # the C scanner's (CPython always builds it)
except ImportError:  # pragma: no cover - another Python: what its json module uses
    scanstring = json.decoder.scanstring  # type: ignore[attr-defined]

# The C scanner with ``len`` as object hook: it checks a value and skips it building
# next to nothing (an object becomes its member count). Another for real values.
_SKIP = json.JSONDecoder(object_pairs_hook=len)
_skip: Callable[[str, int], tuple[Any, int]] = _SKIP.scan_once  # type: ignore[attr-defined]
_decode: Callable[[str, int], tuple[Any, int]] = json.JSONDecoder().scan_once  # type: ignore[attr-defined]
_SPACE = re.compile(r"[ \t\n\r]*").match
# Where the next member or item starts (None: the collection ends there).
_OPEN = re.compile(r"[ \t\n\r]*[^ \t\n\r}]").match
_OPEN_ARRAY = re.compile(r"[ \t\n\r]*[^ \t\n\r\]]").match
_COMMA = re.compile(r"[ \t\n\r]*,[ \t\n\r]*").match
_KEY = re.compile(r'"([^"\\]*)"[ \t\n\r]*:[ \t\n\r]*').match
Node = int


def _space(text: str, at: int) -> int:
    """The offset of the first non-space character from ``at``."""
    return _SPACE(text, at).end()  # type: ignore[union-attr]  # ``*`` always matches


def validate(text: str) -> None:
    """Raise ``json.JSONDecodeError`` (or ``ValueError``, ``RecursionError``) unless
    ``text`` is one JSON value; builds no Python objects beyond a few counts."""
    _SKIP.decode(text)


def root(text: str) -> int:
    """The offset of the document's value."""
    return _space(text, 0)


class JsonWalk:
    """``kubernetes.Tree`` (and what compose and image configs ask) over JSON text."""

    __slots__ = ("_at", "_last", "_line", "_start", "path", "source")

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.source = text
        # Where the last position was asked: readers ask in (nearly) increasing order,
        # so each position costs the distance from the previous one, not from the start.
        self._at = 0
        self._line = 1
        self._start = 0  # offset of the line the cursor is on
        self._last: tuple[int | None, dict[str, tuple[Node, Node]]] = (None, {})

    # -- structure
    def members(self, node: Node | None) -> list[tuple[str, int, int]]:
        """An object's members in order, duplicates included: (key, key offset, value offset).

        The text was validated, so only what tells one member from the next is looked at.
        """
        text = self.source
        if node is None or text[node] != "{":
            return []
        found: list[tuple[str, int, int]] = []
        match = _OPEN(text, node + 1)
        if match is None:
            return found  # "{}"
        at = match.end() - 1
        while True:
            match = _KEY(text, at)
            if match is not None:  # a key without escapes: one regular expression
                key, value = match.group(1), match.end()
            else:
                key, after = scanstring(text, at + 1)
                value = _space(text, _space(text, after) + 1)
            found.append((key, at, value))
            if text[value] == '"':
                end = scanstring(text, value + 1)[1]
            else:
                end = _skip(text, value)[1]
            match = _COMMA(text, end)
            if match is None:
                return found  # "}"
            at = match.end()

    def fields(self, node: Node | None) -> dict[str, tuple[Node, Node]]:
        """An object's keys -> (key offset, value offset); the last one wins, as in json.

        The last object's are kept: readers ask one object for several keys in a row
        (``value``, ``get``), and each walk of a large object skips all its values.
        """
        if node == self._last[0]:
            return self._last[1]
        found = {key: (at, value) for key, at, value in self.members(node)}
        self._last = (node, found)
        return found

    def items(self, node: Node | None) -> list[tuple[Node, Node]]:
        return [(at, value) for _, at, value in self.members(node)]

    def get(self, node: Node | None, key: str) -> tuple[Node, Node] | None:
        return self.fields(node).get(key)

    def value(self, node: Node | None, key: str) -> Node | None:
        pair = self.fields(node).get(key)
        if pair is None or self.source.startswith("null", pair[1]):
            return None
        return pair[1]

    def sequence(self, node: Node | None) -> list[Node]:
        text = self.source
        if node is None or text[node] != "[":
            return []
        found: list[int] = []
        match = _OPEN_ARRAY(text, node + 1)
        if match is None:
            return found  # "[]"
        at = match.end() - 1
        while True:
            found.append(at)
            if text[at] == '"':
                end = scanstring(text, at + 1)[1]
            else:
                end = _skip(text, at)[1]
            match = _COMMA(text, end)
            if match is None:
                return found  # "]"
            at = match.end()

    # -- values, read as objects.ObjectWalk reads the same data
    def plain(self, node: Node | None) -> Any:
        """The value at ``node`` as ``json.loads`` gives it."""
        return None if node is None else _decode(self.source, node)[0]

    def _scalar(self, node: Node | None) -> Any:
        if node is None or self.source[node] in "{[":
            return None
        return _decode(self.source, node)[0]

    def text(self, node: Node | None) -> str | None:
        return ObjectWalk.text(self._scalar(node))

    def strings(self, node: Node | None) -> tuple[str, ...] | None:
        if node is None or self.source[node] != "[":
            return None
        return ObjectWalk.strings(ObjectWalk, self.plain(node))  # type: ignore[arg-type]

    def string_map(self, node: Node | None) -> tuple[tuple[str, str], ...]:
        if node is None or self.source[node] != "{":
            return ()
        return ObjectWalk.string_map(ObjectWalk, self.plain(node))  # type: ignore[arg-type]

    def number(self, node: Node | None) -> float | None:
        return ObjectWalk.number(self._scalar(node))

    def boolean(self, node: Node | None) -> bool | None:
        return ObjectWalk.boolean(self._scalar(node))

    def port(self, node: Node | None) -> int | str | None:
        return ObjectWalk.port(self._scalar(node))

    def is_mapping(self, node: Node | None) -> bool:
        return node is not None and self.source[node] == "{"

    def is_sequence(self, node: Node | None) -> bool:
        return node is not None and self.source[node] == "["

    def is_scalar(self, node: Node | None) -> bool:
        return node is not None and self.source[node] not in "{["

    # -- positions
    def position(self, node: Node) -> tuple[int, int]:
        """1-based line and column (in characters) of the value at ``node``."""
        text, at = self.source, self._at
        if node >= at:
            lines = text.count("\n", at, node)
            if lines:
                self._line += lines
                self._start = text.rfind("\n", at, node) + 1
        else:
            lines = text.count("\n", node, at)
            if lines:
                self._line -= lines
                self._start = text.rfind("\n", 0, node) + 1
        self._at = node
        return self._line, node - self._start + 1

    def location(self, node: Node, yaml_path: tuple[str | int, ...]) -> Location:
        line, column = self.position(node)
        return Location(self.path, line, column, 0, yaml_path)

