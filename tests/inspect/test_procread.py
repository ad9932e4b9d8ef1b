"""procfs reading on real processes of this machine (no container needed)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from stopsignal.inspect.facts import LiveContainer
from stopsignal.inspect.judge import has
from stopsignal.inspect.live import Early, inspect, inspect_one, stop_plan
from stopsignal.inspect.procread import boot_time, read_container, read_process

SCRIPT = """
import signal, sys, time
signal.signal(signal.SIGUSR1, signal.SIG_IGN)
signal.signal(signal.SIGUSR2, lambda *_: None)
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGHUP})
print("ready", flush=True)
time.sleep(60)
"""


@pytest.fixture
def child() -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen([sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None and process.stdout.readline() == "ready\n"
    yield process
    process.kill()
    process.wait()
    process.stdout.close()


def live(pid: int, started: float | None = None) -> LiveContainer:
    return LiveContainer(id="x", name="x", engine="podman", version="4.3.1", pid=pid,
                         started=started, created=started, stop_signal="15", grace=10.0,
                         signal_final=True)


def test_masks_identity_and_fds_of_a_real_process(child: subprocess.Popen[str]) -> None:
    facts = read_process(child.pid)
    assert facts is not None
    assert has(facts.ignored, 10) and has(facts.caught, 12) and has(facts.blocked, 1)
    assert not has(facts.caught, 15)
    assert facts.argv[0] == sys.executable and facts.argv[1] == "-c"
    assert facts.exe is not None and Path(facts.exe).samefile(sys.executable)
    assert facts.signalfd == 0  # readable, and no signalfd
    assert facts.nspid[0] == child.pid
    assert not facts.unreadable


def test_a_process_that_is_not_pid1_of_a_namespace(child: subprocess.Popen[str]) -> None:
    """Accepted when it started with the container (a pod sharing its PID namespace), where
    default actions apply; refused when nothing tells whether it is the container's."""
    read = read_container(live(child.pid))
    assert read.processes == {}
    assert read.note is not None and "not PID 1 of a PID namespace" in read.note
    shared = inspect_one(live(child.pid, started=time.time()))
    assert shared.judgement is not None
    assert (shared.judgement.verdict, shared.judgement.sigkill) == ("acts", False)
    assert "default action" in shared.judgement.reason


def test_a_pid_that_does_not_exist() -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()
    result = inspect_one(live(gone.pid, started=time.time()))
    assert result.judgement is None
    assert result.note is not None and "not visible" in result.note
    assert result.as_dict()["verdict"] == "unknown"


def test_start_time_guards_against_a_reused_pid() -> None:
    # PID 1 of a fresh PID namespace, but the "container" started an hour earlier.
    process = subprocess.Popen(["unshare", "--pid", "--fork", "--kill-child", "sleep", "30"])
    try:
        deadline = time.monotonic() + 5
        pid = None
        while pid is None and time.monotonic() < deadline:
            kids = read_process(process.pid)
            if kids and kids.children:
                pid = kids.children[0]
            time.sleep(0.01)
        assert pid is not None
        while (facts := read_process(pid)) is not None and facts.comm != "sleep":
            time.sleep(0.01)
        read = read_container(live(pid, started=time.time() - 3600))
        assert read.note is not None and "another time" in read.note
        fresh = read_container(live(pid, started=time.time()))
        assert fresh.note is None and fresh.processes[pid].nspid[-1] == 1
    finally:
        process.kill()
        process.wait()


def test_boot_time_is_in_the_past() -> None:
    assert 0 < boot_time() < time.time()


@pytest.mark.parametrize(("engine", "version", "spelling", "grace", "signal", "kill_after"), [
    ("podman", "4.3.1", "37", 10.0, 37, 10.0),
    ("podman", "4.3.1", "15", 0.0, None, 0.0),  # timeout 0: podman sends SIGKILL directly
    ("docker", "20.10.24", "SIGRTMIN+3", 10.0, 37, 10.0),
    ("docker", "20.10.24", "NOPE", 10.0, None, 2.0),  # moby cannot parse it: 2 s, SIGKILL
    ("docker", "28.0.1", None, None, 15, 10.0),
])
def test_stop_plan_follows_the_runtime_model(engine: str, version: str, spelling: str | None,
                                             grace: float | None, signal: int | None,
                                             kill_after: float) -> None:
    container = LiveContainer(id="x", name="x", engine=engine, version=version, pid=1,
                              started=None, created=None, stop_signal=spelling, grace=grace,
                              signal_final=engine == "podman")
    plan = stop_plan(container)
    assert (plan.signal, plan.kill_after) == (signal, kill_after)


def test_an_early_read_counts_only_for_the_same_container_and_pid() -> None:
    """A read made early (from a first list) for another container with the same PID, such
    as a PID that was reused meanwhile, is not taken for the container listed at the end."""
    process = subprocess.Popen(["unshare", "--pid", "--fork", "--kill-child", "sleep", "30"])
    try:
        deadline = time.monotonic() + 5
        while (pid := _namespace_pid1(process.pid)) is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert pid is not None

        def lister(names: Sequence[str], early: Early) -> tuple[list[LiveContainer], list[
                tuple[str, str]]]:
            # The early list says another container had this PID an hour ago: its read
            # ends in a note. The final list names the container that runs it now.
            early([live(pid, started=time.time() - 3600)._replace(id="earlier")])
            return [live(pid, started=time.time())._replace(id="now")], []

        [result], missing = inspect(["web"], lister)
    finally:
        process.kill()
        process.wait()
    assert missing == [] and result.note is None
    assert result.judgement is not None and result.judgement.verdict == "ignores"


def _namespace_pid1(outer: int) -> int | None:
    facts = read_process(outer)
    if not facts or not facts.children:
        return None
    child = read_process(facts.children[0])
    return child.pid if child and child.comm == "sleep" else None
