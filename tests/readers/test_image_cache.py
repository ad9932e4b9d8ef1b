"""The image cache: configs by digest forever, tags only until their TTL (any age offline)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from stopsignal.readers.image_cache import Entry, ImageCache

DIGEST = "sha256:" + "ab" * 32
CONFIG = {"config": {"StopSignal": "SIGRTMIN+3", "Entrypoint": ["/sbin/init"]}}


def test_a_tag_is_asked_again_after_its_ttl(tmp_path: Path) -> None:
    fresh = ImageCache(str(tmp_path), ttl=3600)
    fresh.put("quay.io/org/app:1", "linux/amd64", Entry(DIGEST, CONFIG, "dash"))
    assert fresh.get("quay.io/org/app:1", "linux/amd64") == Entry(DIGEST, CONFIG, "dash")
    assert fresh.get("quay.io/org/app:1", "linux/arm64") is None  # per platform
    stale = ImageCache(str(tmp_path), ttl=0)
    pointer = next((tmp_path / "refs").iterdir())
    data = json.loads(pointer.read_text())
    data["checked"] -= 10
    pointer.write_text(json.dumps(data))
    assert stale.get("quay.io/org/app:1", "linux/amd64") is None  # the tag may have moved
    assert stale.get("quay.io/org/app:1", "linux/amd64", any_age=True) == Entry(
        DIGEST, CONFIG, "dash")  # --offline: the last answer is the best there is


def test_a_digest_reference_never_expires(tmp_path: Path) -> None:
    cache = ImageCache(str(tmp_path), ttl=0)
    ref = f"quay.io/org/app@{DIGEST}"
    cache.put(ref, "linux/amd64", Entry(DIGEST, CONFIG, None))
    assert cache.get(ref, "linux/amd64") == Entry(DIGEST, CONFIG, None)
    assert cache.by_digest(DIGEST) == Entry(DIGEST, CONFIG, None)


def test_a_broken_cache_is_a_miss_and_an_unwritable_one_no_error(tmp_path: Path) -> None:
    cache = ImageCache(str(tmp_path), ttl=3600)
    cache.put("app:1", "linux/amd64", Entry(DIGEST, CONFIG, None))
    for entry in (tmp_path / "configs").iterdir():
        entry.write_text("{not json")
    assert cache.get("app:1", "linux/amd64") is None
    assert cache.by_digest("sha256:../../etc/passwd") is None  # never a path outside
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        unwritable = ImageCache(str(locked / "cache"))
        unwritable.put("app:1", "linux/amd64", Entry(DIGEST, CONFIG, None))  # no exception
        if os.geteuid() != 0:  # root writes anyway
            assert unwritable.get("app:1", "linux/amd64") is None
    finally:
        locked.chmod(0o700)
