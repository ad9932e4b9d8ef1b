"""A small LRU memo for the review seams, keyed by the object's canonical JSON.

Admission traffic repeats itself: every pod a ReplicaSet, Job or DaemonSet creates
arrives with the same spec, so linting and fixing it once is enough. The key is the
object, so anything that could change the answer (spec, annotations, kind) changes the
key, except the bookkeeping fields of its ``metadata`` in ``IGNORED_METADATA``: the
name (pods of one ReplicaSet differ in it when the API server has already generated
it), uid, resourceVersion, managedFields and the like. They cannot change the answer:
lint reads an object for its kind, annotations and pod spec, and the name only names
the object in a finding (``Finding.object``), which no answer shows (warnings name the
rule and the container); no fix edits these fields, so a patch computed for one object
applies to another that differs only in them. These fields are ignored only when their
JSON is plain ASCII and small: when lint read the object as JSON text, a character YAML
refuses made it unreadable; lint now reads the object as data (``read_object``), and the
rule is kept as a cheap margin.

Large objects are not memoized: their keys would cost more memory than they save.
A review that ran out of time is remembered too, so a repeated pathological object
costs its time budget once, not on every request.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from stopsignal.webhook import budget
from stopsignal.webhook.budget import ReviewTimeout

T = TypeVar("T")

MAX_KEY_CHARS = 64 * 1024
MAX_TOTAL_CHARS = 16 * 1024 * 1024  # keys dominate the memory: bound their sum too
#: metadata fields left out of the key (see above); labels and annotations stay in it.
IGNORED_METADATA = frozenset({
    "name", "generateName", "uid", "resourceVersion", "generation", "creationTimestamp",
    "managedFields", "selfLink",
})
MAX_IGNORED_CHARS = 16 * 1024  # more than this is not "bookkeeping": keep it in the key


def object_key(obj: dict[str, Any]) -> str:
    """The object's canonical JSON without the ignorable bookkeeping fields."""
    metadata = obj.get("metadata")
    if isinstance(metadata, dict) and not IGNORED_METADATA.isdisjoint(metadata):
        kept = {key: value for key, value in metadata.items() if key not in IGNORED_METADATA}
        if _plain([value for key, value in metadata.items() if key in IGNORED_METADATA]):
            obj = {**obj, "metadata": kept}
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _plain(values: list[Any]) -> bool:
    """Small, and ASCII without DEL once in JSON (which escapes control characters):
    text every reader accepts, whatever it says."""
    if all(isinstance(value, str) for value in values):  # the usual case: no dump needed
        return (sum(map(len, values)) <= MAX_IGNORED_CHARS
                and all(value.isascii() and "\x7f" not in value for value in values))
    text = json.dumps(values, ensure_ascii=False, separators=(",", ":"))
    return len(text) <= MAX_IGNORED_CHARS and text.isascii() and "\x7f" not in text


class Memo(Generic[T]):
    def __init__(self, compute: Callable[[dict[str, Any]], T], size: int = 1024) -> None:
        self.compute = compute
        self.size = size
        self.hits = 0
        self.misses = 0
        self._chars = 0
        self._entries: OrderedDict[str, T | ReviewTimeout] = OrderedDict()

    def __call__(self, obj: dict[str, Any]) -> T:
        key = object_key(obj)
        if len(key) > MAX_KEY_CHARS or self.size <= 0:
            self.misses += 1
            return self.compute(obj)
        cached = self._entries.get(key)
        if cached is not None:
            self._entries.move_to_end(key)
            self.hits += 1
            if isinstance(cached, ReviewTimeout):
                raise ReviewTimeout(*cached.args)
            return cached
        self.misses += 1
        try:
            value = self.compute(obj)
        except Exception as error:
            # The same content would run out of time again: remember that (the engine may
            # have wrapped the ReviewTimeout), not other failures, which are retried.
            if isinstance(error, ReviewTimeout) or budget.expired():
                self._store(key, ReviewTimeout(str(error)))
            raise
        self._store(key, value)
        return value

    def _store(self, key: str, value: T | ReviewTimeout) -> None:
        if key not in self._entries:
            self._chars += len(key)
        self._entries[key] = value
        while len(self._entries) > self.size or self._chars > MAX_TOTAL_CHARS:
            old, _ = self._entries.popitem(last=False)
            self._chars -= len(old)
