"""Stop signal, stop timeout and command of podman containers, from podman's own state DB.

Why read it: ``podman ps`` has the PIDs but not the stop signal and timeout, and the
only other source, ``podman container inspect``, costs more than ``ps`` itself. Measured
with ``benchmarks/inspect_vs_cli.py`` (100 running containers, podman 4.3.1, medians):
``podman ps`` 0.071 s and ``ps`` then ``container inspect`` 0.175 s on a quiet machine;
on a busy one 0.095 s and 0.228 s of CPU (user + system). Podman 4.3 keeps each
container's configuration as JSON (``stopSignal``, ``stopTimeout``, ``spec.process.args``)
and state (``state``, ``pid``, ``startedTime``) in the BoltDB file
``GRAPHROOT/libpod/bolt_state.db``, bucket ``ctr`` / ID / ``config`` and ``state``:
reading the file takes about 3 ms, parsing 100 configs (11 kB each, with the OCI spec)
about 9 ms of CPU, while ``podman ps`` runs.

What is not found here (another graph root, the SQLite backend of newer podman, a
container created meanwhile, a format this reader does not understand) is asked of
``podman container inspect`` by the caller, so the layout is never a guess that
decides a result; ``tests/e2e/test_inspect_podman_state_e2e.py`` checks these values
against ``podman container inspect`` on real containers.
"""

# os.path rather than pathlib: inspect reads this before `podman ps` starts, and pathlib
# costs a few milliseconds of start-up (urllib.parse, ipaddress).
# ruff: noqa: PTH111, PTH113, PTH118, PTH120, PTH123

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from stopsignal.inspect.boltdb import BoltError, BoltFile
from stopsignal.inspect.timestamps import epoch

RUNNING = 3  # define.ContainerStateRunning (libpod/define/containerstate.go)


class StoredConfig(NamedTuple):
    stop_signal: int | None  # the number ``podman stop`` sends
    stop_timeout: int  # seconds (podman omits 0 from the JSON)
    argv: tuple[str, ...]


class Stored:
    """A container's ``config`` and ``state`` in podman's BoltDB (JSON), parsed when asked."""

    def __init__(self, config: bytes, state: bytes | None) -> None:
        self.raw_config, self.raw_state = config, state
        self._config: dict[str, Any] | None = None

    def config(self) -> dict[str, Any]:
        """The config (about 10 kB, with the OCI spec), parsed once; ValueError or TypeError
        when it is not a JSON object."""
        if self._config is None:
            data = json.loads(self.raw_config)
            if not isinstance(data, dict):
                raise TypeError("the config is not a JSON object")
            self._config = data
        return self._config

    def state(self) -> dict[str, Any]:
        data = json.loads(self.raw_state or b"{}")
        if not isinstance(data, dict):
            raise TypeError("the state is not a JSON object")
        return data


def read_state(env: dict[str, str]) -> dict[str, Stored]:
    """Every container in podman's BoltDB, by ID; {} when it cannot be read."""
    path = state_db(env)
    if path is None:
        return {}
    try:
        buckets = BoltFile.read(path).root.buckets()
        # The DB names the directory it belongs to: a copy elsewhere is not this store's.
        settings = buckets[b"runtime-config"].values()
        if os.path.normpath(settings[b"static-dir"].decode()) != os.path.dirname(path):
            return {}
        containers = buckets[b"ctr"].buckets()
        found: dict[str, Stored] = {}
        for key, bucket in containers.items():
            values = bucket.values()
            if b"config" in values:
                found[key.decode()] = Stored(values[b"config"], values.get(b"state"))
        return found
    except (BoltError, OSError, KeyError, UnicodeDecodeError):
        return {}


def stored_configs(ids: Iterable[str], state: Mapping[str, Stored]) -> dict[str, StoredConfig]:
    """The stop settings of those ``ids`` whose config ``state`` holds and this module reads."""
    found: dict[str, StoredConfig] = {}
    for container_id in ids:
        stored = state.get(container_id)
        try:
            config = _config(container_id, stored.config()) if stored else None
        except (ValueError, TypeError):  # not JSON: ask podman
            continue
        if config is not None:
            found[container_id] = config
    return found


def running_pids(state: Mapping[str, Stored], names: Sequence[str]
                 ) -> list[tuple[str, str, int, float | None, float | None]]:
    """(ID, name, PID 1, started, created) of the containers the DB says run, named or all.

    Only a head start for procfs: ``podman ps`` decides which containers run with which
    PID, and a read is used only for the same container and PID (``live.inspect``).
    """
    found = []
    for container_id, stored in state.items():
        try:
            status = stored.state()
            if status.get("state") != RUNNING or not isinstance(status.get("pid"), int) \
                    or status["pid"] <= 0:
                continue
            config = stored.config()
        except (ValueError, TypeError):
            continue
        name = str(config.get("name") or "")
        if names and not any(wanted in (container_id, name) or (
                len(wanted) >= 3 and container_id.startswith(wanted)) for wanted in names):
            continue
        found.append((container_id, name, status["pid"], epoch(status.get("startedTime")),
                      epoch(config.get("createdTime"))))
    return found


def _config(container_id: str, data: dict[str, Any]) -> StoredConfig | None:
    if data.get("id") != container_id:
        return None
    signal, timeout = data.get("stopSignal"), data.get("stopTimeout", 0)
    args = ((data.get("spec") or {}).get("process") or {}).get("args") or []
    if not isinstance(timeout, int) or not (signal is None or isinstance(signal, int)):
        return None
    return StoredConfig(signal or None, timeout, tuple(str(arg) for arg in args))


def state_db(env: dict[str, str]) -> str | None:
    """Where podman keeps its BoltDB for this user (``GRAPHROOT/libpod/bolt_state.db``)."""
    path = os.path.join(graph_root(env), "libpod", "bolt_state.db")
    return path if os.path.isfile(path) else None


def graph_root(env: dict[str, str]) -> str:
    """The storage graph root, as containers-storage.conf(5) sets it for this user."""
    rootless = os.geteuid() != 0
    home = env.get("HOME") or os.path.expanduser("~")
    conf = _storage_conf(env, rootless, home)
    storage: dict[str, Any] = {}
    if conf is not None:
        import tomllib  # only where a storage.conf exists

        with contextlib.suppress(OSError, tomllib.TOMLDecodeError), open(conf, "rb") as file:
            storage = tomllib.load(file).get("storage") or {}
    configured = storage.get("rootless_storage_path" if rootless else "graphroot")
    if configured:
        return os.path.expandvars(str(configured).replace("$HOME", home))
    if rootless:
        data_home = env.get("XDG_DATA_HOME") or os.path.join(home, ".local", "share")
        return os.path.join(data_home, "containers", "storage")
    return "/var/lib/containers/storage"


def _storage_conf(env: dict[str, str], rootless: bool, home: str) -> str | None:
    """The one storage.conf podman reads: the first that exists, in podman's order."""
    if env.get("CONTAINERS_STORAGE_CONF"):
        return env["CONTAINERS_STORAGE_CONF"]
    user = os.path.join(env.get("XDG_CONFIG_HOME") or os.path.join(home, ".config"),
                        "containers", "storage.conf")
    system = ["/etc/containers/storage.conf", "/usr/share/containers/storage.conf"]
    return next((conf for conf in [*([user] if rootless else []), *system]
                 if os.path.isfile(conf)), None)
