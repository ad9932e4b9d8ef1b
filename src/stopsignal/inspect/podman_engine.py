"""Running podman containers: ``podman ps``, then podman's state DB or ``podman container inspect``.

Podman stores the stop signal as the number ``podman stop`` will send, after its own
systemd-mode choice (so it is final), and the stop timeout in seconds. ``podman ps``
has neither; they are read from podman's state DB (``podman_state``, which says why),
and what it does not hold is asked of ``podman container inspect``.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from stopsignal.inspect import podman_version
from stopsignal.inspect.facts import EngineUnreachable, LiveContainer
from stopsignal.inspect.podman_state import (
    Stored,
    StoredConfig,
    read_state,
    running_pids,
    stored_configs,
)
from stopsignal.inspect.timestamps import epoch
from stopsignal.probing.config import SETUP_HINT, podman_env

Early = Callable[[Sequence[LiveContainer]], None]
Found = tuple[list[LiveContainer], list[tuple[str, str]]]


class Asked(NamedTuple):
    """``podman ps`` running, the state DB read before, and the version (or its query)."""

    env: dict[str, str]
    version: subprocess.Popen[str] | None  # `podman --version`, unless it is remembered
    listing: subprocess.Popen[str] | None
    state: dict[str, Stored]
    binary_key: str | None = None
    known_version: str | None = None


def ask(binary: str = "podman", use_state: bool = True) -> Asked:
    """Start ``podman ps`` (and ``podman --version`` unless remembered); read the state DB."""
    env = podman_env()
    binary_key = podman_version.key(binary, env)
    known = podman_version.remembered(binary_key, env)
    version = None if known else _spawn(binary, env, "--version")
    # The DB before `ps`, not while: podman opens it with an exclusive flock and, finding it
    # taken, retries only every 50 ms (bbolt's flockRetryTimeout), which made `ps` slower.
    state = read_state(env) if use_state else {}
    return Asked(env, version, _spawn(binary, env, "ps", "--format", "json"), state,
                 binary_key, known)


def lister(binary: str = "podman") -> Callable[[Sequence[str], Early], Found]:
    """``running``, with its first ``podman ps`` asked now: podman answers while the caller
    loads the rest of inspect. Later calls (the metrics server's rounds) ask anew."""
    first = [ask(binary)]

    def listing(names: Sequence[str], early: Early) -> Found:
        return running(names, early, binary, asked=first.pop() if first else None)

    return listing


def running(names: Sequence[str], early: Early | None = None, binary: str = "podman", *,
            use_state: bool = True, asked: Asked | None = None) -> Found:
    """The running containers named (all when ``names`` is empty), and (name, note) misses.

    ``podman ps`` decides which containers run, with which PID; the stop signal and
    timeout come from the state DB, else from ``podman container inspect``. ``early``
    gets the containers the DB says run while ``ps`` runs, and what ``ps`` said while
    ``container inspect`` runs, so that procfs is read meanwhile (``live.inspect`` uses
    such a read only for the same container and PID). ``use_state=False`` always asks
    ``podman container inspect``.
    """
    asked = asked or ask(binary, use_state)
    env = asked.env
    if early is not None and asked.state:  # procfs is read while `ps` runs
        early([LiveContainer(cid, name, "podman", "", pid, started, created, None, None)
               for cid, name, pid, started, created in running_pids(asked.state, names)])
    listed = _json(_collect(asked.listing, binary, "ps", 60), "podman ps")
    version_text = asked.known_version or _version(asked)
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
    stored = stored_configs((entry["Id"] for entry in chosen), asked.state)
    unread = [entry for entry in chosen if entry["Id"] not in stored]
    details: dict[str, dict[str, Any]] = {}
    if unread:
        # `podman container inspect`, not `podman inspect`: the generic one also looks each
        # name up as an image, volume and pod, 3.5x slower for 100 containers.
        inspecting = _spawn(binary, env, "container", "inspect", "--format", "json",
                            *(entry["Id"] for entry in unread))
        if early is not None:
            early([_from_ps(entry, version_text) for entry in unread])
        inspected = _collect(inspecting, binary, "container inspect", 120)
        details = {d["Id"]: d for d in _json(inspected, "podman container inspect",
                                             partial=True)}
    found: list[LiveContainer] = []
    for entry in chosen:
        if entry["Id"] in stored:
            found.append(_from_state(entry, stored[entry["Id"]], version_text))
            continue
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


def _from_state(entry: dict[str, Any], stored: StoredConfig, version: str) -> LiveContainer:
    """What ``podman ps`` says (times in whole seconds), with the state DB's stop settings."""
    return _from_ps(entry, version)._replace(
        stop_signal=str(stored.stop_signal) if stored.stop_signal else None,
        grace=float(stored.stop_timeout), argv=stored.argv or tuple(entry.get("Command") or ()),
        image=entry.get("Image") or None, pod=entry.get("PodName") or None, signal_final=True)


def _version(asked: Asked) -> str:
    output = _finish(asked.version)
    version = podman_version.parse(output)
    if version is None:
        return output.rsplit(" ", 1)[-1] or "unknown"
    podman_version.remember(asked.binary_key, version, asked.env)
    return version


def _from_ps(entry: dict[str, Any], version: str) -> LiveContainer:
    """What ``podman ps`` says (times in whole seconds): enough to read procfs."""
    return LiveContainer(id=entry["Id"], name=_name(entry), engine="podman", version=version,
                         pid=int(entry.get("Pid") or 0) or None,
                         started=epoch(entry.get("StartedAt")),
                         created=epoch(entry.get("Created")), stop_signal=None, grace=None)


def _collect(process: subprocess.Popen[str] | None, binary: str, what: str,
             timeout: float) -> subprocess.CompletedProcess[str]:
    if process is None:
        raise EngineUnreachable(f"podman cannot be run ({binary}): {SETUP_HINT}")
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise EngineUnreachable(f"podman {what} did not finish within {timeout:g} s") from None
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def _name(entry: dict[str, Any]) -> str:
    names = entry.get("Names") or [entry.get("Id", "?")[:12]]
    return str(names[0])


def _by_prefix(listed: list[dict[str, Any]], text: str) -> dict[str, Any] | None:
    if len(text) < 3:
        return None
    hits = [entry for entry in listed if str(entry.get("Id", "")).startswith(text)]
    return hits[0] if len(hits) == 1 else None


def _spawn(binary: str, env: dict[str, str], *args: str) -> subprocess.Popen[str] | None:
    try:
        return subprocess.Popen([binary, *args], env=env, text=True,
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
