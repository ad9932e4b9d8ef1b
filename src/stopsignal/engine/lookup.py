"""Where image configs come from besides the linted files (``--lookup-images``).

``none``: nowhere. ``local``: the podman (or docker) store, when its CLI is installed.
``registry``: also registries, through skopeo, with a disk cache keyed by digest;
``offline``: the cache only. A lookup that fails leaves the image unknown and says
why in a note naming the image; lint goes on. Lookups run in a few threads at once
(skopeo and podman are separate processes: threads only wait for them).
"""

from __future__ import annotations

# os.path rather than pathlib, like the other modules on lint's path.
# ruff: noqa: PTH110, PTH111, PTH118, PTH123, PTH207
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterable
from typing import Any, NamedTuple

from stopsignal.engine.images import normalize_ref
from stopsignal.model import ImageConfig
from stopsignal.readers.image_cache import Entry, ImageCache
from stopsignal.readers.image_config import config_from_plain
from stopsignal.readers.registry import LookupFailed, fetch, host_platform

MODES = ("none", "local", "registry")
MAX_CONCURRENT = 4
LOCAL_TIMEOUT = 15.0


class LookupOptions(NamedTuple):
    mode: str = "local"
    offline: bool = False
    timeout: float = 20.0
    cache_root: str | None = None
    ttl: float | None = None
    layer_bytes: int = 64 * 1024 * 1024  # 0: never read layers


class ImageLookup:
    """Answers "what is image REF?" once per reference; thread-safe."""

    def __init__(self, options: LookupOptions) -> None:
        self.options = options
        self.platform = "/".join(host_platform())
        self._known: dict[str, ImageConfig | None] = {}
        self.notes: dict[str, str] = {}  # ref -> why it stays unknown
        self._lock = threading.Lock()
        self._local: dict[str, str] | None = None  # normalized name -> image id
        self._skopeo = shutil.which("skopeo") if options.mode == "registry" else None
        self._cache: ImageCache | None = None
        if options.mode == "registry":
            kwargs = {"ttl": options.ttl} if options.ttl is not None else {}
            self._cache = ImageCache(options.cache_root, **kwargs)

    @property
    def active(self) -> bool:
        return self.options.mode != "none"

    def get(self, ref: str) -> ImageConfig | None:
        with self._lock:
            if ref in self._known:
                return self._known[ref]
        image = self._lookup(ref)
        with self._lock:
            self._known[ref] = image
        return image

    def prefetch(self, refs: Iterable[str]) -> None:
        """Look ``refs`` up concurrently (at most MAX_CONCURRENT at once)."""
        with self._lock:
            wanted = sorted({ref for ref in refs if ref and ref not in self._known})
        # Threads only for what may wait on a process (a registry, a store's inspect): what
        # the cache or the local index answers is answered here, in a fraction of a millisecond.
        slow = [ref for ref in wanted if self._needs_process(ref)]
        for ref in wanted:
            if ref not in slow:
                self.get(ref)
        wanted = slow
        if len(wanted) < 2:
            for ref in wanted:
                self.get(ref)
            return
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(MAX_CONCURRENT, len(wanted))) as pool:
            list(pool.map(self.get, wanted))

    def _needs_process(self, ref: str) -> bool:
        if not self.active or not _plausible(ref):
            return False
        names = self._local_names()
        if (names.get(ref) if "@" in ref else names.get(normalize_ref(ref))) is not None:
            return True  # `podman image inspect`
        if self.options.mode != "registry" or self.options.offline or self._cache is None:
            return False
        return self._cache.get(ref, self.platform) is None

    def _lookup(self, ref: str) -> ImageConfig | None:
        if not self.active or not _plausible(ref):
            return None
        image = self._from_local(ref)
        if image is not None or self.options.mode != "registry":
            return image
        return self._from_registry(ref)

    # -- the local store ---------------------------------------------------------------

    def _local_names(self) -> dict[str, str]:
        """Every local image's names: podman's image index when it can be read (a JSON file,
        about a millisecond), else ``podman images``; then docker's, when a daemon is there."""
        with self._lock:
            if self._local is not None:
                return self._local
        names: dict[str, str] = {}
        podman = shutil.which("podman")
        if podman is not None:
            entries = _podman_index()
            if entries is None:
                entries = _json_list(_run([podman, "images", "--format", "json"], LOCAL_TIMEOUT))
            _add_names(names, "podman", entries)
        docker = shutil.which("docker")
        if docker is not None and (os.environ.get("DOCKER_HOST")
                                   or os.path.exists("/var/run/docker.sock")):
            output = _run([docker, "images", "--no-trunc", "--format", "{{json .}}"],
                          LOCAL_TIMEOUT) or ""
            lines = [line for line in output.splitlines() if line.startswith("{")]
            entries = _json_list("[" + ",".join(lines) + "]")
            for entry in entries:
                if entry.get("Repository") not in (None, "<none>"):
                    entry["Names"] = [f"{entry['Repository']}:{entry.get('Tag', 'latest')}"]
            _add_names(names, "docker", entries)
        with self._lock:
            self._local = names
        return names

    def _from_local(self, ref: str) -> ImageConfig | None:
        names = self._local_names()
        found = names.get(ref) if "@" in ref else names.get(normalize_ref(ref))
        if found is None:
            return None
        tool, _, image_id = found.partition("\0")
        path = shutil.which(tool)
        if path is None:
            return None
        data = _json_list(_run([path, "image", "inspect", image_id], LOCAL_TIMEOUT))
        return config_from_plain(data[0], ref) if data else None

    # -- registries ----------------------------------------------------------------------

    def _from_registry(self, ref: str) -> ImageConfig | None:
        cache = self._cache
        assert cache is not None  # registry mode
        entry = cache.get(ref, self.platform, any_age=self.options.offline)
        if entry is None and self.options.offline:
            self._note(ref, "not in the image cache (--offline)")
            return None
        if entry is None:
            if self._skopeo is None:
                self._note(ref, "skopeo is not installed, so registries cannot be asked")
                return None
            try:
                fetched = fetch(ref, skopeo=self._skopeo, timeout=self.options.timeout,
                                layer_bytes=self.options.layer_bytes)
            except LookupFailed as error:
                self._note(ref, f"registry lookup failed: {error}")
                return None
            entry = Entry(fetched.digest, fetched.config, fetched.sh)
            cache.put(ref, self.platform, entry)
        image = config_from_plain(entry.config, ref)
        if image is None:
            self._note(ref, "malformed image config")
            return None
        return image._replace(sh=entry.sh) if entry.sh is not None else image

    def _note(self, ref: str, why: str) -> None:
        with self._lock:
            self.notes.setdefault(ref, why)


def _add_names(names: dict[str, str], tool: str, entries: list[dict[str, Any]]) -> None:
    for entry in entries:
        image_id = entry.get("Id") or entry.get("ID") or entry.get("id")
        if not isinstance(image_id, str):
            continue
        for name in entry.get("Names") or entry.get("names") or []:
            if isinstance(name, str):
                names.setdefault(normalize_ref(name), f"{tool}\0{image_id}")
        for digest in entry.get("RepoDigests") or []:
            if isinstance(digest, str):
                names.setdefault(digest, f"{tool}\0{image_id}")


def _podman_index() -> list[dict[str, Any]] | None:
    """The image list of podman's store (containers/storage keeps it in
    ``GRAPHROOT/DRIVER-images/images.json``), or None when it cannot be found: then
    ``podman images`` is asked, which costs a process and a fraction of a second."""
    import glob
    import re

    graphroot = None
    conf = os.environ.get("CONTAINERS_STORAGE_CONF") or "/etc/containers/storage.conf"
    if os.geteuid() == 0:
        try:
            with open(conf, encoding="utf-8") as handle:
                match = re.search(r'^\s*graphroot\s*=\s*"([^"]+)"', handle.read(), re.MULTILINE)
            graphroot = match.group(1) if match else None
        except OSError:
            pass
        graphroot = graphroot or "/var/lib/containers/storage"
    else:
        data = os.environ.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share")
        graphroot = os.path.join(data, "containers", "storage")
    found = glob.glob(os.path.join(graphroot, "*-images", "images.json"))
    if len(found) != 1:
        return None
    try:
        with open(found[0], encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else None


def _plausible(ref: str) -> bool:
    """A reference skopeo could look up (not a template, not a variable)."""
    return bool(ref) and not any(char in ref for char in "${}<> \t") and ref != "scratch"


def _run(argv: list[str], timeout: float) -> str | None:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                              check=False, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def _json_list(output: str | None) -> list[dict[str, Any]]:
    if not output:
        return []
    try:
        data = json.loads(output)
    except ValueError:
        return []
    return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []
