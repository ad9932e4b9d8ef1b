"""Podman's state DB as ``inspect`` reads it, checked against ``podman container inspect``.

``inspect`` takes the stop signal, stop timeout and command of podman containers from
podman's BoltDB (``stopsignal.inspect.podman_state``) instead of a second podman call.
These tests run real containers with different stop settings and compare, then show
that whatever the DB cannot answer (another graph root, a damaged file, a container
it does not hold) is asked of ``podman container inspect`` with the same result.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_helpers import podman, podman_env

from stopsignal.inspect import podman_engine, podman_version
from stopsignal.inspect.boltdb import BoltError, BoltFile
from stopsignal.inspect.facts import LiveContainer
from stopsignal.inspect.podman_state import Stored, read_state, state_db, stored_configs

pytestmark = pytest.mark.podman

BASE = "localhost/debian-systemd:bookworm"
# name -> podman run arguments: the stop settings podman stores in different ways.
CASES: dict[str, list[str]] = {
    "usr1-7": ["--stop-signal", "SIGUSR1", "--stop-timeout", "7", BASE, "sleep", "infinity"],
    "timeout-0": ["--stop-timeout", "0", BASE, "sleep", "infinity"],
    "defaults": [BASE, "/bin/sh", "-c", "while true; do sleep 1; done"],
    "rtmin3-number": ["--stop-signal", "37", BASE, "sleep", "infinity"],
    # podman's systemd mode picks SIGRTMIN+3 itself: the DB holds the number it will send.
    "systemd-mode": ["localhost/stopsignal-systemd"],
}


@pytest.fixture(scope="module")
def running(images: None) -> Iterator[dict[str, str]]:
    prefix = f"ss-state-{uuid.uuid4().hex[:6]}"
    ids: dict[str, str] = {}
    try:
        for case, args in CASES.items():
            started = podman("run", "-d", "--name", f"{prefix}-{case}", "--network", "none",
                             *args)
            assert started.returncode == 0, started.stderr
            ids[case] = started.stdout.strip()
        yield ids
    finally:
        podman("rm", "-f", "-t", "0", *ids.values())


def engine_view(ids: dict[str, str]) -> dict[str, dict[str, Any]]:
    done = podman("container", "inspect", "--format", "json", *ids.values())
    assert done.returncode == 0, done.stderr
    return {entry["Id"]: entry for entry in json.loads(done.stdout)}


def test_the_db_says_what_podman_container_inspect_says(running: dict[str, str]) -> None:
    state = read_state(podman_env())
    assert state, "podman's BoltDB was not found or not understood"
    stored = stored_configs(running.values(), state)
    assert set(stored) == set(running.values())
    view = engine_view(running)
    for case, container_id in running.items():
        config, pid = view[container_id]["Config"], view[container_id]["State"]["Pid"]
        assert stored[container_id].stop_signal == (config["StopSignal"] or None), case
        assert stored[container_id].stop_timeout == config["StopTimeout"], case
        # The command as it runs (podman 4.3's inspect shows "/sbin/init" twice in Path and
        # Args for an image with an ENTRYPOINT and no CMD; the DB has the OCI spec's args).
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode().split("\0")[:-1]
        assert list(stored[container_id].argv) == cmdline, case
    # The cases differ where it matters, so the comparison above could fail.
    assert stored[running["usr1-7"]][:2] == (10, 7)
    assert stored[running["timeout-0"]].stop_timeout == 0
    assert stored[running["systemd-mode"]].stop_signal == 37


def comparable(containers: list[LiveContainer]) -> dict[str, tuple[Any, ...]]:
    # Times differ in precision only (ps: whole seconds; inspect: nanoseconds); argv is
    # compared with /proc above (podman's Path and Args are not always the spec's args).
    return {c.id: (c.name, c.pid, c.stop_signal, c.grace, c.image, c.signal_final,
                   int(c.started or 0), int(c.created or 0)) for c in containers}


def test_the_state_and_the_fallback_give_the_same_containers(running: dict[str, str]) -> None:
    names = list(running.values())
    from_db, missing_db = podman_engine.running(names)
    asked, missing_asked = podman_engine.running(names, use_state=False)
    assert missing_db == missing_asked == []
    assert comparable(from_db) == comparable(asked)
    assert len(from_db) == len(CASES)


def test_a_container_the_db_does_not_hold_is_asked_of_podman(running: dict[str, str]) -> None:
    """A snapshot without one container (it was created after the DB was read)."""
    snapshot = podman_engine.ask()
    unknown = running["usr1-7"]
    early_seen: list[str] = []
    partial = snapshot._replace(state={key: value for key, value in snapshot.state.items()
                                       if key != unknown})
    found, missing = podman_engine.running(
        [unknown, running["defaults"]], lambda listed: early_seen.extend(c.id for c in listed),
        asked=partial)
    assert missing == []
    by_id = {container.id: container for container in found}
    assert (by_id[unknown].stop_signal, by_id[unknown].grace) == ("10", 7.0)
    assert unknown in early_seen  # procfs read while `podman container inspect` ran


def test_another_graph_root_or_a_damaged_db_falls_back(running: dict[str, str],
                                                       tmp_path: Path) -> None:
    real = state_db(podman_env())
    assert real is not None
    # A copy of the DB in another graph root: it names its own directory, so it is refused.
    (tmp_path / "libpod").mkdir()
    shutil.copy(real, tmp_path / "libpod" / "bolt_state.db")
    conf = tmp_path / "storage.conf"
    conf.write_text(f'[storage]\ndriver = "overlay"\ngraphroot = "{tmp_path}"\n')
    env = {**podman_env(), "CONTAINERS_STORAGE_CONF": str(conf)}
    assert state_db(env) == str(tmp_path / "libpod" / "bolt_state.db")
    assert read_state(env) == {}
    # Both meta pages damaged: not read at all.
    data = bytearray((tmp_path / "libpod" / "bolt_state.db").read_bytes())
    page_size = int.from_bytes(data[24:28], "little")
    for meta in (0, page_size):
        data[meta + 16 + 48] ^= 0xFF  # the txid, under the checksum
    with pytest.raises(BoltError):
        BoltFile(bytes(data))
    # Cut short before the root page: reading the tree fails as BoltError, nothing else.
    copied = (tmp_path / "libpod" / "bolt_state.db").read_bytes()
    root_page = BoltFile(copied).root.root
    assert root_page >= 2
    with pytest.raises(BoltError):
        BoltFile(copied[:root_page * page_size]).root.buckets()
    assert b"ctr" in BoltFile.read(real).root.buckets()  # the whole file reads
    # podman itself still answers, through `podman container inspect`.
    nothing: dict[str, Stored] = {}
    found, missing = podman_engine.running(
        [running["usr1-7"]], asked=podman_engine.ask()._replace(state=nothing))
    assert missing == [] and (found[0].stop_signal, found[0].grace) == ("10", 7.0)


def test_the_podman_version_is_asked_once_per_binary(running: dict[str, str], tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    real = podman("--version").stdout.strip().rsplit(" ", 1)[-1]
    first = podman_engine.ask()
    assert first.version is not None and first.known_version is None
    found, _missing = podman_engine.running([running["usr1-7"]], asked=first)
    assert found[0].version == real
    second = podman_engine.ask()
    assert second.version is None and second.known_version == real
    found, _missing = podman_engine.running([running["usr1-7"]], asked=second)
    assert found[0].version == real


def test_another_podman_binary_is_asked_again(tmp_path: Path) -> None:
    """A copy of podman first on PATH has its own key; changing the file changes it."""
    env = {**podman_env(), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    binary = shutil.which("podman", path=env["PATH"])
    assert binary is not None
    copy_dir = tmp_path / "bin"
    copy_dir.mkdir()
    shutil.copy2(binary, copy_dir / "podman")
    copied = {**env, "PATH": f"{copy_dir}:{env['PATH']}"}
    original_key, copy_key = podman_version.key("podman", env), podman_version.key("podman",
                                                                                    copied)
    assert original_key and copy_key and original_key != copy_key
    podman_version.remember(copy_key, "4.3.1", copied)
    assert podman_version.remembered(copy_key, copied) == "4.3.1"
    assert podman_version.remembered(original_key, env) is None
    stat = (copy_dir / "podman").stat()
    os.utime(copy_dir / "podman", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert podman_version.remembered(podman_version.key("podman", copied), copied) is None
