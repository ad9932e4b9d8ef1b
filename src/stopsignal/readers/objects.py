"""In-memory Kubernetes objects (plain dicts and lists, as ``json.loads`` gives them)
-> the same ``Container``s the YAML reader builds from their JSON text.

The webhook's path: an admission request already holds the object as data, and
serialising it only for the YAML reader to parse it again cost most of a lint. The
workload kinds are read by ``kubernetes.read_document`` through ``ObjectWalk``, so
both sources share one reader; scalars are rendered as that text would give them
(``true``, ``8080``, ``null`` in a list of strings). Objects have no text, so every
``Location`` has line and column 0 and only its ``yaml_path`` says where it is.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping
from typing import Any

from stopsignal.model import Location, SourceKind
from stopsignal.readers import kubernetes
from stopsignal.readers.result import UNKNOWN_FILE, ReadError, ReadResult


def read_object(obj: object, path: str = "<object>") -> ReadResult:
    """The containers of one Kubernetes object (or List); never raises.

    An object is Kubernetes when it has a ``kind``; anything else is skipped, as an
    unknown file would be.
    """
    if not isinstance(obj, dict):
        return _failed(path, "not a JSON object")
    if "kind" not in obj:
        return ReadResult(path, skipped=UNKNOWN_FILE)
    try:
        walk = ObjectWalk(path)
        containers = kubernetes.read_document(walk, obj, walk.fields(obj))
    except RecursionError:
        return _failed(path, "object nested too deeply")
    except Exception as error:  # noqa: BLE001 - as read_text: a reader bug costs one object
        return _failed(path, f"internal error while reading ({type(error).__name__}: {error})")
    return ReadResult(path, containers=tuple(containers), kind=SourceKind.KUBERNETES)


def _failed(path: str, message: str) -> ReadResult:
    return ReadResult(path, errors=(ReadError(path, 1, 1, message),))


def scalar_text(value: object) -> str | None:
    """A scalar as its JSON text would read (None for null and collections)."""
    if isinstance(value, str):
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    return None


class ObjectWalk:
    """``kubernetes.Tree`` over plain data: no aliases, so no budget; no positions."""

    __slots__ = ("path",)

    def __init__(self, path: str) -> None:
        self.path = path

    def location(self, node: object, yaml_path: tuple[str | int, ...]) -> Location:
        return Location(self.path, 0, 0, 0, yaml_path)

    def fields(self, node: object) -> Mapping[str, tuple[Any, Any]]:
        return _Pairs(node) if isinstance(node, dict) else _NO_FIELDS

    def value(self, node: object, key: str) -> Any:
        return node.get(key) if isinstance(node, dict) else None

    def sequence(self, node: object) -> list[Any]:
        return node if isinstance(node, list) else []

    def strings(self, node: object) -> tuple[str, ...] | None:
        if not isinstance(node, list):
            return None
        # As text: a scalar item reads as its text, null as "null"; a collection as "".
        return tuple(item if isinstance(item, str) else
                     "null" if item is None else scalar_text(item) or "" for item in node)

    def string_map(self, node: object) -> tuple[tuple[str, str], ...]:
        if not isinstance(node, dict):
            return ()
        pairs = []
        for key, value in node.items():
            if isinstance(value, str):
                pairs.append((key, value))
            elif value is None:
                pairs.append((key, ""))
            else:
                text = scalar_text(value)
                if text is not None:
                    pairs.append((key, text))
        return tuple(pairs)

    @staticmethod
    def text(node: object) -> str | None:
        return node if isinstance(node, str) else scalar_text(node)

    @staticmethod
    def number(node: object) -> float | None:
        if isinstance(node, bool) or not isinstance(node, int | float):
            return None
        # YAML 1.1 reads a JSON float as a number only with a dot ("1e+20" is a string).
        if isinstance(node, float) and "." not in json.dumps(node):
            return None
        try:
            value = float(node)
        except OverflowError:  # a 400-digit integer: no field holds it (as walk.number)
            return None
        return value if math.isfinite(value) else None

    @staticmethod
    def boolean(node: object) -> bool | None:
        return node if isinstance(node, bool) else None

    @staticmethod
    def port(node: object) -> int | str | None:
        if isinstance(node, int) and not isinstance(node, bool):
            return node
        return ObjectWalk.text(node)

    @staticmethod
    def is_mapping(node: object) -> bool:
        return isinstance(node, dict)


_NO_FIELDS: Mapping[str, tuple[Any, Any]] = {}


class _Pairs(Mapping[str, tuple[Any, Any]]):
    """A dict seen as YAML fields (key -> (key, value)), built per lookup: the reader
    looks up a few keys of each mapping, so copying every mapping would cost more."""

    __slots__ = ("_node",)

    def __init__(self, node: dict[Any, Any]) -> None:
        self._node = node

    def get(self, key: str, default: Any = None) -> Any:
        node = self._node
        return (key, node[key]) if key in node else default

    def __contains__(self, key: object) -> bool:
        return key in self._node

    def __getitem__(self, key: str) -> tuple[Any, Any]:
        return key, self._node[key]

    def __iter__(self) -> Iterator[str]:
        return (key for key in self._node if isinstance(key, str))

    def __len__(self) -> int:
        return sum(1 for _ in self)
