"""A small LRU memo for the review seams, keyed by the object's canonical JSON.

Admission traffic repeats itself: every pod a ReplicaSet, Job or DaemonSet creates
arrives with the same spec (the API server names ``generateName`` pods after
admission), so linting and fixing it once is enough. The key is the whole object,
so anything that could change the answer (spec, annotations, kind) changes the key.
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


class Memo(Generic[T]):
    def __init__(self, compute: Callable[[dict[str, Any]], T], size: int = 1024) -> None:
        self.compute = compute
        self.size = size
        self.hits = 0
        self.misses = 0
        self._chars = 0
        self._entries: OrderedDict[str, T | ReviewTimeout] = OrderedDict()

    def __call__(self, obj: dict[str, Any]) -> T:
        key = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
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
