"""Running podman containers, as ``podman ps`` and ``podman inspect`` report them.

Podman stores the stop signal as the number ``podman stop`` will send, after its own
systemd-mode choice (so it is final), and the stop timeout in seconds.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Sequence
from typing import Any

from stopsignal.errors import ProbeError
from stopsignal.inspect.facts import LiveContainer
from stopsignal.inspect.timestamps import epoch
from stopsignal.probing.podman import Podman


class EngineUnreachable(ProbeError):
    """The engine could not be asked (not installed, no daemon, no permission)."""


def running(names: Sequence[str], early: Callable[[Sequence[LiveContainer]], None] | None = None,
            podman: Podman | None = None) -> tuple[list[LiveContainer], list[tuple[str, str]]]:
    """The running containers named (all when ``names`` is empty), and (name, note) misses.

    ``podman ps`` has the PIDs and start times; ``early`` gets them while ``podman container
    inspect`` (the stop signal and timeout) runs, which costs more than ``ps`` itself.
    """
    podman = podman or Podman()
    version = _spawn(podman, "--version")
    listed = _json(podman.run("ps", "--format", "json", check=False, timeout=60), "podman ps")
    version_text = _finish(version).rsplit(" ", 1)[-1] or "unknown"
    by_key: dict[str, dict[str, Any]] = {}
    for listed_entry in listed:
        by_key[listed_entry["Id"]] = listed_entry
        for name in listed_entry.get("Names") or ():
            by_key[name] = listed_entry
    chosen: list[dict[str, Any]] = []
    missing: list[tuple[str, str]] = []
    if not names:
        chosen = list(listed)
    for name in names:
        entry: dict[str, Any] | None = by_key.get(name) or _by_prefix(listed, name)
        if entry is None:
            missing.append((name, "no running podman container has this name or ID"))
        elif entry not in chosen:
            chosen.append(entry)
    if not chosen:
        return [], missing
    # `podman container inspect`, not `podman inspect`: the generic one also looks each name
    # up as an image, volume and pod, 3.5x slower for 100 containers.
    inspecting = _spawn(podman, "container", "inspect", "--format", "json",
                        *(e["Id"] for e in chosen))
    if early is not None:
        early([_from_ps(entry, version_text) for entry in chosen])
    inspected = _collect(inspecting, podman)
    details = {d["Id"]: d for d in _json(inspected, "podman container inspect", partial=True)}
    found: list[LiveContainer] = []
    for entry in chosen:
        detail = details.get(entry["Id"])
        if detail is None or not detail.get("State", {}).get("Running"):
            missing.append((_name(entry), "the container exited during inspection"))
            continue
        found.append(_container(entry, detail, version_text))
    return found, missing


def _container(entry: dict[str, Any], detail: dict[str, Any], version: str) -> LiveContainer:
    config = detail.get("Config") or {}
    state = detail.get("State") or {}
    signal = config.get("StopSignal")
    timeout = config.get("StopTimeout")
    return LiveContainer(
        id=detail["Id"],
        name=detail.get("Name") or _name(entry),
        engine="podman",
        version=version,
        pid=int(state.get("Pid") or 0) or None,
        started=epoch(state.get("StartedAt")),
        created=epoch(detail.get("Created")),
        stop_signal=str(signal) if signal else None,
        grace=float(timeout) if timeout is not None else None,
        image=detail.get("ImageName") or entry.get("Image"),
        argv=(detail["Path"], *(detail.get("Args") or ())) if detail.get("Path")
        else tuple(entry.get("Command") or ()),
        pod=entry.get("PodName") or None,
        signal_final=True,
    )


def _from_ps(entry: dict[str, Any], version: str) -> LiveContainer:
    """What ``podman ps`` says (times in whole seconds): enough to read procfs."""
    return LiveContainer(id=entry["Id"], name=_name(entry), engine="podman", version=version,
                         pid=int(entry.get("Pid") or 0) or None,
                         started=epoch(entry.get("StartedAt")),
                         created=epoch(entry.get("Created")), stop_signal=None, grace=None)


def _collect(process: subprocess.Popen[str] | None,
             podman: Podman) -> subprocess.CompletedProcess[str]:
    if process is None:
        raise EngineUnreachable(f"podman cannot be run ({podman.binary})")
    try:
        out, err = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise EngineUnreachable("podman container inspect did not finish within 120 s") from None
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def _name(entry: dict[str, Any]) -> str:
    names = entry.get("Names") or [entry.get("Id", "?")[:12]]
    return str(names[0])


def _by_prefix(listed: list[dict[str, Any]], text: str) -> dict[str, Any] | None:
    if len(text) < 3:
        return None
    hits = [entry for entry in listed if str(entry.get("Id", "")).startswith(text)]
    return hits[0] if len(hits) == 1 else None


def _spawn(podman: Podman, *args: str) -> subprocess.Popen[str] | None:
    try:
        return subprocess.Popen([podman.binary, *args], env=podman.env, text=True,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
    except OSError:
        return None


def _finish(process: subprocess.Popen[str] | None) -> str:
    if process is None:
        return ""
    try:
        out, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return ""
    return out.strip()


def _json(result: subprocess.CompletedProcess[str], what: str, *,
          partial: bool = False) -> list[dict[str, Any]]:
    if result.returncode != 0 and not (partial and result.stdout.strip()):
        message = " ".join(result.stderr.strip().splitlines()[-2:]) or f"exit {result.returncode}"
        raise EngineUnreachable(f"{what} failed: {message}")
    try:
        data = json.loads(result.stdout or "[]")
    except ValueError as error:
        raise EngineUnreachable(f"{what} printed no JSON: {error}") from None
    return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []
