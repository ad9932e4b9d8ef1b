"""Running Docker containers: from the daemon's Engine API, else through its own client.

When the daemon is a unix socket (``DOCKER_HOST`` or ``--docker-host`` ``unix://...``,
unset: /var/run/docker.sock), its API is asked directly (``docker_api``): the running
containers (the daemon's version comes with them), then each one's configuration, as
``docker inspect`` gets it. Any other host (tcp://, ssh://, a Docker context), and an API
answer not understood, go through the engine's CLI (``stopsignal.probing.docker``):
``docker ps``, ``docker version``, ``docker inspect``.
Both read the same JSON from the daemon, so both give the same containers.

Docker stores the stop signal as written (image STOPSIGNAL or ``--stop-signal``); the
runtime model parses it the way that daemon version does. A stop timeout Docker does
not store means the daemon's default (10 s), which the model also knows.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Literal

from stopsignal.errors import ProbeError
from stopsignal.inspect import docker_api
from stopsignal.inspect.facts import EngineUnreachable, LiveContainer
from stopsignal.inspect.timestamps import epoch

Found = tuple[list[LiveContainer], list[tuple[str, str]]]
Early = Callable[[Sequence[LiveContainer]], None]  # unused: the PIDs come with the rest
Via = Literal["auto", "api", "cli"]
#: Connections asking for containers' configurations at once: the daemon answers one
#: while this process parses another. For 100 containers on 2 cores: 1 takes 50 ms,
#: 2 take 38 ms, more are no faster.
WORKERS = 2
EXITED = "the container exited during inspection"


def lister(host: str | None) -> Callable[[Sequence[str], Early], Found]:
    def running(names: Sequence[str], early: Early) -> Found:
        return list_running(names, host)

    return running


def list_running(names: Sequence[str], host: str | None, via: Via = "auto") -> Found:
    """The running containers named (all when none are), and notes for names not found.

    ``via`` chooses the way: the API where the host allows it (``auto``), or only one of
    them, so that tests can compare the two on the same containers.
    """
    host = host or os.environ.get("DOCKER_HOST") or None  # as stopsignal.probing.docker
    path = None if host is None and _context_chosen() else docker_api.socket_path(host)
    if via == "cli" or path is None:
        if via == "api":
            raise ValueError(f"the Engine API is asked over a unix socket, not at {host}")
        return _from_cli(names, host)
    try:
        return _from_api(names, path, host or f"unix://{path}")
    except docker_api.ApiError:
        if via == "api":
            raise
        return _from_cli(names, host)  # an answer not understood: let the CLI ask


def _from_api(names: Sequence[str], path: str, where: str) -> Found:
    api = docker_api.EngineApi(path)
    try:
        listed = api.get("/containers/json")
        # Every answer names the daemon's version (``Server: Docker/20.10.24 (linux)``, the
        # same string /version gives); /version also asks containerd, runc and docker-init
        # for theirs (6 ms here, as long as the inspect of 15 containers).
        version = _server_version(api.server) or api.get("/version").get("Version")
        if not isinstance(version, str) or not isinstance(listed, list):
            raise docker_api.ApiError(200, "unexpected /version or /containers/json")
        entries = [{"ID": c["Id"], "Names": ",".join(n.removeprefix("/") for n in c["Names"])}
                   for c in listed]
        chosen, missing = _choose(entries, names)
        details = _inspect_each(api, path, [entry["ID"] for entry in chosen])
    except (KeyError, TypeError, AttributeError):
        raise docker_api.ApiError(200, "unexpected answer") from None
    except TimeoutError:
        raise EngineUnreachable(f"Docker did not answer within 60 s at {where}") from None
    except OSError as error:
        from stopsignal.probing.docker import SETUP

        raise EngineUnreachable(f"Docker is not reachable at {where} "
                                f"({error.strerror or error}); {SETUP}") from None
    finally:
        api.close()
    return _found(chosen, details, version, missing)


def _server_version(server: str | None) -> str | None:
    found = re.fullmatch(r"Docker/(\S+) \(\w+\)", server or "")
    return found.group(1) if found else None


def _inspect_each(api: docker_api.EngineApi, path: str,
                  ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """``GET /containers/{id}/json`` of each, over WORKERS connections; 404 = gone."""
    todo: Iterator[str] = iter(ids)
    lock = threading.Lock()
    details: dict[str, dict[str, Any]] = {}
    failures: list[Exception] = []

    def work(client: docker_api.EngineApi) -> None:
        try:
            while not failures:
                with lock:
                    container = next(todo, None)
                if container is None:
                    return
                try:
                    detail = client.get(f"/containers/{container}/json")
                except docker_api.ApiError as error:
                    if error.status != 404:
                        raise
                    continue
                if not isinstance(detail, dict) or detail.get("Id") != container:
                    raise docker_api.ApiError(200, f"unexpected /containers/{container}/json")
                details[container] = detail
        except (docker_api.ApiError, OSError) as error:
            failures.append(error)

    helpers = [docker_api.EngineApi(path) for _ in range(min(WORKERS, len(ids)) - 1)]
    threads = [threading.Thread(target=work, args=(client,), daemon=True) for client in helpers]
    for thread in threads:
        thread.start()
    work(api)
    for thread, client in zip(threads, helpers, strict=True):
        thread.join()
        client.close()
    if failures:
        raise failures[0]
    return details


def _from_cli(names: Sequence[str], host: str | None) -> Found:
    # Imported here: the CLI engine brings the probe's modules (20 ms), the API needs none.
    import subprocess

    from stopsignal.probing.docker import Docker

    try:
        docker = Docker(host)
        # `docker ps` runs while `docker version` asks the daemon its version.
        listing = subprocess.Popen([docker.binary, "ps", "--no-trunc", "--format", "{{json .}}"],
                                   env=docker.env, text=True, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    except (ProbeError, OSError) as error:
        raise EngineUnreachable(str(error)) from None
    try:
        version = docker.version()
        out, err = listing.communicate(timeout=60)
    except (ProbeError, subprocess.TimeoutExpired) as error:
        listing.kill()
        listing.communicate()
        raise EngineUnreachable(str(error) if isinstance(error, ProbeError) else
                                "docker ps did not finish within 60 s") from None
    if listing.returncode != 0:
        tail = " ".join(err.strip().splitlines()[-2:]) or "no error output"
        raise EngineUnreachable(f"docker ps failed: {tail}")
    entries = [json.loads(line) for line in out.splitlines() if line.strip()]
    chosen, missing = _choose(entries, names)
    if not chosen:
        return [], missing
    inspected = docker.run("inspect", *(entry["ID"] for entry in chosen), check=False,
                           timeout=120)
    try:
        details = {d["Id"]: d for d in json.loads(inspected.stdout or "[]")}
    except ValueError:
        details = {}
    return _found(chosen, details, version, missing)


def _choose(entries: list[dict[str, Any]],
            names: Sequence[str]) -> tuple[list[dict[str, Any]], list[tuple[str, str]]]:
    """The listed entries (``docker ps`` fields: ID, Names) the names pick; all for none."""
    by_key: dict[str, dict[str, Any]] = {}
    for entry in entries:
        by_key[entry["ID"]] = entry
        for name in str(entry.get("Names", "")).split(","):
            by_key[name] = entry
    chosen: list[dict[str, Any]] = [] if names else list(entries)
    missing: list[tuple[str, str]] = []
    for name in names:
        hits = [by_key[name]] if name in by_key else \
            [e for e in entries if len(name) >= 3 and e["ID"].startswith(name)]
        if len(hits) != 1:
            missing.append((name, "no running Docker container has this name or ID"))
        elif hits[0] not in chosen:
            chosen.append(hits[0])
    return chosen, missing


def _found(chosen: list[dict[str, Any]], details: dict[str, dict[str, Any]], version: str,
           missing: list[tuple[str, str]]) -> Found:
    found: list[LiveContainer] = []
    for entry in chosen:
        detail = details.get(entry["ID"])
        if detail is None or not (detail.get("State") or {}).get("Running"):
            missing.append((str(entry.get("Names")), EXITED))
            continue
        found.append(_container(detail, version))
    return found, missing


def _context_chosen() -> bool:
    """A Docker context other than the default is in use: only the CLI knows its endpoint."""
    chosen = os.environ.get("DOCKER_CONTEXT")
    if chosen is None:
        from pathlib import Path

        folder = Path(os.environ.get("DOCKER_CONFIG") or "~/.docker").expanduser()
        try:
            chosen = json.loads((folder / "config.json").read_bytes()).get("currentContext")
        except (OSError, ValueError, AttributeError):
            return False
    return bool(chosen) and chosen != "default"


def _container(detail: dict[str, Any], version: str) -> LiveContainer:
    config = detail.get("Config") or {}
    state = detail.get("State") or {}
    timeout = config.get("StopTimeout")
    labels = config.get("Labels") or {}
    return LiveContainer(
        id=detail["Id"],
        name=str(detail.get("Name") or detail["Id"][:12]).lstrip("/"),
        engine="docker",
        version=version,
        pid=int(state.get("Pid") or 0) or None,
        started=epoch(state.get("StartedAt")),
        created=epoch(detail.get("Created")),
        stop_signal=config.get("StopSignal") or None,
        grace=float(timeout) if timeout is not None else None,
        image=config.get("Image"),
        argv=(detail["Path"], *(detail.get("Args") or ())) if detail.get("Path") else (),
        pod=labels.get("com.docker.compose.project") or None,
    )
