"""The disk cache of image configs: ``$XDG_CACHE_HOME/stopsignal/images``.

Configs are stored by manifest digest (content never changes, so they never expire);
a reference (a tag, for a platform) points at a digest and is asked again after
``ttl`` seconds. ``--offline`` reads references whatever their age. Every write is
atomic (a temporary file renamed over the entry), so concurrent lints share one cache.
"""

# os.path rather than pathlib: lint start-up.
# ruff: noqa: PTH103, PTH105, PTH108, PTH111, PTH118, PTH120, PTH123

from __future__ import annotations

import hashlib
import json
import os
import time
from typing import Any, NamedTuple

TTL = 24 * 3600.0


def cache_home() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "stopsignal", "images")


class Entry(NamedTuple):
    digest: str
    config: dict[str, Any]
    sh: str | None


class ImageCache:
    def __init__(self, root: str | None = None, *, ttl: float = TTL) -> None:
        self.root = root or cache_home()
        self.ttl = ttl

    def _ref_path(self, ref: str, platform: str) -> str:
        key = hashlib.sha256(f"{platform} {ref}".encode()).hexdigest()
        return os.path.join(self.root, "refs", key + ".json")

    def _config_path(self, digest: str) -> str:
        algorithm, _, hexdigest = digest.partition(":")
        if not hexdigest.isalnum() or not algorithm.isalnum():
            raise ValueError(f"invalid digest {digest!r}")
        return os.path.join(self.root, "configs", f"{algorithm}-{hexdigest}.json")

    def get(self, ref: str, platform: str, *, any_age: bool = False) -> Entry | None:
        """The cached config of ``ref``; None when missing, or stale unless ``any_age``."""
        pointer = _load(self._ref_path(ref, platform))
        if pointer is None or not isinstance(pointer.get("digest"), str):
            return None
        checked = pointer.get("checked")
        pinned = "@" in ref
        if not (any_age or pinned) and (not isinstance(checked, int | float)
                                        or time.time() - checked > self.ttl):
            return None
        return self.by_digest(str(pointer["digest"]))

    def by_digest(self, digest: str) -> Entry | None:
        try:
            blob = _load(self._config_path(digest))
        except ValueError:
            return None
        if blob is None or not isinstance(blob.get("config"), dict):
            return None
        sh = blob.get("sh")
        return Entry(digest, blob["config"], sh if isinstance(sh, str) else None)

    def put(self, ref: str, platform: str, entry: Entry) -> None:
        """Remember ``entry``; a cache that cannot be written is only slower, never an error."""
        try:
            _store(self._config_path(entry.digest), {"config": entry.config, "sh": entry.sh})
            _store(self._ref_path(ref, platform),
                   {"ref": ref, "platform": platform, "digest": entry.digest,
                    "checked": time.time()})
        except (OSError, ValueError):
            pass


def _load(path: str) -> dict[str, Any] | None:
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _store(path: str, data: dict[str, Any]) -> None:
    import tempfile

    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
