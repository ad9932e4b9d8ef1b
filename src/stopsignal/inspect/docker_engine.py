"""Running Docker containers, through the engine's own client (``stopsignal.probing.docker``).

Docker stores the stop signal as written (image STOPSIGNAL or ``--stop-signal``); the
runtime model parses it the way that daemon version does. A stop timeout Docker does
not store means the daemon's default (10 s), which the model also knows.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Sequence
from typing import Any

from stopsignal.errors import ProbeError
from stopsignal.inspect.facts import EngineUnreachable, LiveContainer
from stopsignal.inspect.timestamps import epoch
from stopsignal.probing.docker import Docker

Found = tuple[list[LiveContainer], list[tuple[str, str]]]
Early = Callable[[Sequence[LiveContainer]], None]  # unused: these lists carry the PIDs at once


def lister(host: str | None) -> Callable[[Sequence[str], Early], Found]:
    def running(names: Sequence[str], early: Early) -> Found:
        return list_running(names, host)

    return running


def list_running(names: Sequence[str], host: str | None) -> Found:
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
    if not chosen:
        return [], missing
    inspected = docker.run("inspect", *(entry["ID"] for entry in chosen), check=False,
                           timeout=120)
    try:
        details = {d["Id"]: d for d in json.loads(inspected.stdout or "[]")}
    except ValueError:
        details = {}
    found: list[LiveContainer] = []
    for entry in chosen:
        detail = details.get(entry["ID"])
        if detail is None or not (detail.get("State") or {}).get("Running"):
            missing.append((str(entry.get("Names")), "the container exited during inspection"))
            continue
        found.append(_container(detail, version))
    return found, missing


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
