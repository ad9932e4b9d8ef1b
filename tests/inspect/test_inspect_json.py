"""The JSON contract of ``stopsignal inspect --json`` (DESIGN.md), on real processes."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from inspect_json_docs import documented_fields
from stopsignal.inspect.facts import LiveContainer
from stopsignal.inspect.live import inspect_one

CONTAINER_KEYS = {"id", "name", "engine", "version", "pod", "namespace", "stop_signal",
                  "grace_seconds", "pid1", "verdict", "forwarded_to", "note"}
PID1_KEYS = {"pid", "exe", "argv", "caught", "ignored", "blocked"}
VERDICTS = {"acts", "ignores", "re-executes", "blocked", "unknown"}


def test_the_docs_mark_these_fields_as_the_contract() -> None:
    """docs/api.md marks exactly the DESIGN.md fields as the contract, the rest additive."""
    assert documented_fields("contract") == (CONTAINER_KEYS, PID1_KEYS)
    additive = documented_fields("additive")
    assert additive[0] and additive[1] and not additive[0] & CONTAINER_KEYS


def live(pid: int, started: float) -> LiveContainer:
    return LiveContainer(id="c0ffee", name="web", engine="podman", version="4.3.1", pid=pid,
                         started=started, created=started, stop_signal="15", grace=10.0,
                         pod="shop", namespace="prod", signal_final=True)


@pytest.fixture
def pid1_of_a_namespace() -> Iterator[int]:
    """``sleep`` as PID 1 of a new PID namespace: it has no handler, so SIGTERM is ignored."""
    outer = subprocess.Popen(["unshare", "--pid", "--fork", "--kill-child", "sleep", "30"])
    children = Path(f"/proc/{outer.pid}/task/{outer.pid}/children")
    deadline = time.monotonic() + 10
    while not children.read_text().split() and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield int(children.read_text().split()[0])
    finally:
        outer.kill()
        outer.wait()


def test_a_container_has_every_documented_field(pid1_of_a_namespace: int) -> None:
    result = inspect_one(live(pid1_of_a_namespace, started=time.time() - 0.5))
    data = result.as_dict()
    assert set(data) >= CONTAINER_KEYS
    assert (data["id"], data["name"], data["engine"], data["version"]) == (
        "c0ffee", "web", "podman", "4.3.1")
    assert (data["pod"], data["namespace"]) == ("shop", "prod")
    assert (data["stop_signal"], data["grace_seconds"]) == ("SIGTERM", 10.0)
    assert set(data["pid1"]) >= PID1_KEYS
    assert data["pid1"]["pid"] == pid1_of_a_namespace
    assert data["pid1"]["argv"] == ["sleep", "30"]
    assert all(isinstance(data["pid1"][key], list) for key in ("caught", "ignored", "blocked"))
    assert data["verdict"] == "ignores" and data["forwarded_to"] is None
    assert result.sigkilled  # the CLI's exit code 1


def test_pid1_keeps_its_shape_when_procfs_has_nothing() -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()
    data = inspect_one(live(gone.pid, started=time.time())).as_dict()
    assert set(data) >= CONTAINER_KEYS and data["verdict"] in VERDICTS
    assert data["verdict"] == "unknown" and data["note"]
    assert set(data["pid1"]) >= PID1_KEYS
    assert data["pid1"]["pid"] == gone.pid
    assert data["pid1"]["exe"] is None and data["pid1"]["argv"] is None
