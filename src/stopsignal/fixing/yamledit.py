"""Structured edits on YAML and JSON files, keeping every byte the edit does not concern.

YAML goes through ruamel.yaml's round-trip loader (comments, key order, quoting,
flow style and anchors survive), JSON through ``json`` with the file's own
indentation; either way ``splice`` carries only the edited lines back onto the
original text. ruamel is imported here and nowhere else on the fix path.
"""

from __future__ import annotations

import copy
import io
import itertools
import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from stopsignal.fixing.data import EditError, apply_edits
from stopsignal.fixing.splice import splice
from stopsignal.model import Edit

BOM = "\ufeff"


def looks_like_json(text: str) -> bool:
    return text.lstrip(BOM + " \t\r\n")[:1] in ("{", "[")


def apply_structured(text: str, edits: Sequence[Edit]) -> str:
    """Apply ``set``/``remove`` edits to a YAML or JSON file's text."""
    bom = BOM if text.startswith(BOM) else ""
    body = text[len(bom):]
    if looks_like_json(body):
        try:
            return bom + _apply_json(body, edits)
        except json.JSONDecodeError:
            pass  # YAML that starts with a flow collection
    return bom + _apply_yaml(body, edits)


# ---------------------------------------------------------------- JSON


def _apply_json(text: str, edits: Sequence[Edit]) -> str:
    data = json.loads(text)
    edited = apply_edits([copy.deepcopy(data)], edits)[0]
    style = _json_style(text)
    tail = "\n" if text.endswith("\n") else ""
    return splice(text, style.dump(data) + tail, style.dump(edited) + tail).text


_INLINE_ARRAY = re.compile(r'\[ *(?:"|-?\d|true|false|null)[^\n]*\]')


@dataclass(frozen=True)
class _JsonStyle:
    """The layout of a JSON file, so that a dump of its data reproduces its lines."""

    indent: str | None  # None: everything on one line
    inline_arrays: bool  # arrays of scalars written on one line, as kubectl does not
    compact: bool  # no space after ':' and ','
    ascii: bool = False  # non-ASCII written as escapes (``json.dumps``'s default)

    def dump(self, value: Any, level: int = 0) -> str:
        if self.indent is None:
            separators = (",", ":") if self.compact else (", ", ": ")
            return json.dumps(value, ensure_ascii=self.ascii, separators=separators)
        pad = self.indent * (level + 1)
        if isinstance(value, dict) and value:
            items = [f"{pad}{json.dumps(key, ensure_ascii=self.ascii)}: "
                     f"{self.dump(item, level + 1)}" for key, item in value.items()]
            return "{\n" + ",\n".join(items) + "\n" + self.indent * level + "}"
        if isinstance(value, list) and value:
            if self.inline_arrays and not any(isinstance(item, dict | list) for item in value):
                return "[" + ", ".join(json.dumps(item, ensure_ascii=self.ascii)
                                       for item in value) + "]"
            items = [pad + self.dump(item, level + 1) for item in value]
            return "[\n" + ",\n".join(items) + "\n" + self.indent * level + "]"
        return json.dumps(value, ensure_ascii=self.ascii)


def _json_style(text: str) -> _JsonStyle:
    lines = text.replace("\r\n", "\n").split("\n")
    inline = bool(_INLINE_ARRAY.search(text))
    # A file that escapes what is not ASCII (an emoji as \ud83d\ude80) keeps doing so.
    ascii_only = "\\u" in text and text.isascii()
    for line in lines[1:]:
        stripped = line.lstrip(" \t")
        if stripped and len(stripped) < len(line):
            return _JsonStyle(line[:len(line) - len(stripped)], inline, compact=False,
                              ascii=ascii_only)
    return _JsonStyle(None, inline, compact='":' in text and '": ' not in text,
                      ascii=ascii_only)


# ---------------------------------------------------------------- YAML


def _apply_yaml(text: str, edits: Sequence[Edit]) -> str:
    """Edit each document of the stream on its own: the others are never re-serialized
    (faster on long Helm streams, and empty documents or markers cannot be disturbed)."""
    spans = document_spans(text)
    pieces = _split_lines(text, spans)
    by_document: dict[int, list[Edit]] = {}
    for edit in edits:
        if edit.document >= len(spans):
            raise EditError(f"document {edit.document} does not exist")
        by_document.setdefault(edit.document, []).append(
            edit._replace(document=0))
    for index, document_edits in by_document.items():
        pieces[index] = _apply_document(pieces[index], document_edits)
    return pieces[-1] if len(pieces) == 1 else "".join(pieces)


def document_spans(text: str) -> list[tuple[int, int]]:
    """Line ranges (start, end) partitioning ``text``, one per YAML document."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    starts = [event.start_mark.line for event in yaml.parse(text, Loader=loader)
              if isinstance(event, yaml.DocumentStartEvent) and event.start_mark is not None]
    if not starts:
        return [(0, text.count("\n") + 1)]
    starts[0] = 0
    ends = [*starts[1:], text.count("\n") + 1]
    return list(zip(starts, ends, strict=True))


def _split_lines(text: str, spans: list[tuple[int, int]]) -> list[str]:
    lines = text.split("\n")
    with_endings = [line + "\n" for line in lines[:-1]] + [lines[-1]]
    return ["".join(with_endings[start:end]) for start, end in spans]


def _apply_document(text: str, edits: Sequence[Edit]) -> str:
    """Round-trip with the indentation the document seems to use; if the edited lines
    still land at another depth than the original's, try the other common layouts."""
    source = text.replace("\r\n", "\n")
    guessed = guess_indent(source)
    best: tuple[int, str] | None = None
    for layout in dict.fromkeys([guessed, *_LAYOUTS]):
        yaml = _round_trip(source, layout)
        documents = list(yaml.load_all(source))
        if len(documents) != 1:
            raise EditError(f"expected one document, found {len(documents)}")
        baseline = _dump(yaml, documents)
        for edit in edits:
            documents[0] = _apply_one(documents[0], edit)
        result = splice(text, baseline, _dump(yaml, documents))
        if result.shifted == 0:
            return result.text
        if best is None or result.shifted < best[0]:
            best = (result.shifted, result.text)
    assert best is not None
    return best[1]


#: (mapping indent, sequence indent, dash offset): the layouts met in Kubernetes YAML.
_LAYOUTS = ((2, 2, 0), (2, 4, 2), (4, 2, 0), (4, 4, 2), (4, 6, 4), (4, 4, 0), (2, 3, 1))


def _round_trip(text: str, layout: tuple[int, int, int]) -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.allow_duplicate_keys = True
    yaml.width = 1 << 16  # never fold long lines
    mapping, sequence, offset = layout
    yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
    if text.lstrip().startswith("---"):
        yaml.explicit_start = True
    return yaml


def _dump(yaml: Any, documents: list[Any]) -> str:
    stream = io.StringIO()
    yaml.dump_all(documents, stream)
    return stream.getvalue()


_KEY_ONLY = re.compile(r"^( *)(?:[^\s#-][^#]*?|- [^#]*?):\s*(?:#.*)?$")


def guess_indent(text: str) -> tuple[int, int, int]:
    """(mapping indent, sequence indent, dash offset) most used in ``text``."""
    lines = [line.rstrip("\r") for line in text.split("\n")]
    maps: Counter[int] = Counter()
    offsets: Counter[int] = Counter()
    for current, following in itertools.pairwise(lines):
        match = _KEY_ONLY.match(current)
        if not match or not following.strip() or following.lstrip().startswith("#"):
            continue
        key_indent = len(match.group(1))
        if current.lstrip().startswith("- "):
            key_indent += 2
        inner = len(following) - len(following.lstrip(" "))
        if following.lstrip().startswith("- "):
            if inner >= key_indent:
                offsets[inner - key_indent] += 1
        elif inner > key_indent:
            maps[inner - key_indent] += 1
    mapping = maps.most_common(1)[0][0] if maps else 2
    offset = offsets.most_common(1)[0][0] if offsets else 0
    # An item's content starts after "- ": ruamel's sequence indent is offset + 2.
    return mapping, offset + 2, offset


def _apply_one(document: Any, edit: Edit) -> Any:
    from ruamel.yaml.comments import CommentedMap

    path = edit.yaml_path
    if edit.op not in ("set", "remove"):
        raise EditError(f"{edit.op} is not a YAML edit")
    if not path:
        return _styled(edit.value, document) if edit.op == "set" else None
    if document is None:
        document = CommentedMap()
    node = document
    for key in path[:-1]:
        child = _get(node, key)
        if child is None:
            if edit.op == "remove":
                return document
            child = CommentedMap()
            _put(node, key, child)
        node = child
    last = path[-1]
    if edit.op == "remove":
        if isinstance(node, dict) and last in node:
            del node[last]
        return document
    old = _get(node, last)
    if isinstance(old, list) and isinstance(edit.value, list):
        _replace_items(old, edit.value)
    elif not _same(old, edit.value):
        _put(node, last, _styled(edit.value, old))
    return document


def _same(old: Any, new: Any) -> bool:
    """Equal as data: ``True`` is not ``1``, and a quoted string equals its plain value."""
    if isinstance(old, str) and isinstance(new, str):
        return str(old) == new
    return type(old) is type(new) and bool(old == new)


def _get(node: Any, key: str | int) -> Any:
    if isinstance(node, list) and key == "-":
        return None  # the item an append creates
    if isinstance(node, dict):
        return node.get(key)
    if isinstance(node, list) and isinstance(key, int) and key < len(node):
        return node[key]
    raise EditError(f"cannot follow {key!r}: not a mapping or list item")


def _put(node: Any, key: str | int, value: Any) -> None:
    if isinstance(node, list) and key == "-":  # append, as "-" in a JSON Pointer
        node.append(value)
        return
    if isinstance(node, dict):
        node[key] = value
        return
    if isinstance(node, list) and isinstance(key, int):
        node[key] = value
        return
    raise EditError(f"cannot set {key!r}")


def _styled(value: Any, old: Any = None) -> Any:
    """Plain data as ruamel nodes: argv lists in flow style with double quotes, as people
    write ``command: ["/bin/sh", "-c", "..."]``; a replaced string keeps its quotes."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, ScalarString

    if isinstance(value, dict):
        mapping = CommentedMap()
        for key, item in value.items():
            mapping[key] = _styled(item)
        return mapping
    if isinstance(value, list):
        if value and all(isinstance(item, str) for item in value):
            seq = CommentedSeq(DoubleQuotedScalarString(item) for item in value)
            seq.fa.set_flow_style()
            return seq
        return CommentedSeq(_styled(item) for item in value)
    if isinstance(value, str) and isinstance(old, ScalarString):
        return type(old)(value)
    return value


def _replace_items(old: Any, values: list[Any]) -> None:
    """Replace a list's items in place, so its flow/block style and comments stay."""
    from ruamel.yaml.scalarstring import ScalarString

    style = next((type(item) for item in old if isinstance(item, ScalarString)), None)
    quoted_all = style is not None and all(isinstance(item, style) for item in old)
    new = [style(item) if quoted_all and style is not None and isinstance(item, str)
           else _styled(item) for item in values]
    if list(old) == new and all(type(a) is type(b) for a, b in zip(old, new, strict=True)):
        return
    # Item by item: ruamel keeps comments (and a trailing blank line) per index.
    for index, item in enumerate(new[:len(old)]):
        if not _same(old[index], item) or type(old[index]) is not type(item):
            old[index] = item
    if len(old) > len(new):
        del old[len(new):]
    else:
        old.extend(new[len(old):])
