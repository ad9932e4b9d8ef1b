"""Watching a PID 1 from the host through /proc and pidfds.

PID 1 of a PID namespace only receives a signal from outside when it handles
it (pid_namespaces(7)); a signal that is *blocked* is queued too, which is how
systemd's signalfd takes its signals. So "ready for signal N" means bit N is set
in SigCgt or SigBlk; sending earlier would be lost, and the probe would blame
the workload for a race of its own.

``read_status`` is the one reader of /proc/PID/status signal masks: the probe waits
on it here, and ``stopsignal inspect`` (``inspect.procread``) judges from it.
"""

from __future__ import annotations

import contextlib
import os
import re
import select
import time
from collections.abc import Callable
from typing import NamedTuple

_STATUS_RE = re.compile(r"^(SigBlk|SigCgt|SigIgn|NSpid):[ \t]*(.*)$", re.MULTILINE)


class Status(NamedTuple):
    """The signal masks of /proc/PID/status (bit ``n - 1`` is signal ``n``) and NSpid."""

    caught: int  # SigCgt: a handler is installed
    ignored: int  # SigIgn: SIG_IGN
    blocked: int  # SigBlk
    nspid: tuple[int, ...]  # this PID in each nested PID namespace, outermost first


def read_proc(path: str) -> bytes:
    """A /proc file, whole. Plain os calls: inspect reads several per container, and a file
    object costs a third more than the read itself."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        chunks = [os.read(fd, 65536)]
        while chunks[-1]:  # /proc files report no size; read until EOF
            chunks.append(os.read(fd, 65536))
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_status(pid: int) -> Status | None:
    """``pid``'s signal masks; None when the process is gone (or /proc is not there)."""
    try:
        text = read_proc(f"/proc/{pid}/status").decode(errors="replace")
    except OSError:
        return None
    fields = dict(_STATUS_RE.findall(text))
    return Status(int(fields.get("SigCgt") or "0", 16), int(fields.get("SigIgn") or "0", 16),
                  int(fields.get("SigBlk") or "0", 16),
                  tuple(int(part) for part in fields.get("NSpid", "").split()))


def takes_signal(pid: int, number: int) -> bool:
    status = read_status(pid)
    if status is None:
        return False
    return bool((status.caught | status.blocked) & 1 << (number - 1))


def wait_ready(pid: int, number: int | None, timeout: float,
               cancelled: Callable[[], bool] = lambda: False) -> bool:
    """Wait until ``pid`` handles (or blocks) ``number``; False after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        if number is not None and takes_signal(pid, number):
            return True
        if not alive(pid) or cancelled() or time.monotonic() >= deadline:
            return False
        time.sleep(0.02)


def wait_exec(pid: int, launcher_prefixes: tuple[str, ...], timeout: float = 5.0) -> bool:
    """Wait until ``pid`` has exec'd its program, no longer a launcher (unshare, runc init).

    Between fork and exec the launcher's child still carries the launcher's blocked signals:
    a signal sent then is queued, and dropped when the child (already PID 1) unblocks it.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            comm = read_proc(f"/proc/{pid}/comm").decode(errors="replace").strip()
        except OSError:
            return False
        if not comm.startswith(launcher_prefixes):
            return True
        time.sleep(0.002)
    return False


def alive(pid: int) -> bool:
    try:
        state = read_proc(f"/proc/{pid}/stat").decode(errors="replace").rsplit(")", 1)[1] \
            .split()[0]
    except (OSError, IndexError):
        return False
    return state not in {"Z", "X"}


def children(pid: int) -> list[int]:
    try:
        return [int(child) for child in read_proc(f"/proc/{pid}/task/{pid}/children").split()]
    except OSError:
        return []


class ExitWatch:
    """Wait for a process that is not our child to exit, with a pidfd when possible."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.fd: int | None = None
        with contextlib.suppress(OSError, AttributeError):
            self.fd = os.pidfd_open(pid)

    def wait(self, timeout: float, step: float = 0.1,
             cancelled: Callable[[], bool] = lambda: False) -> bool:
        """True once the process has exited; False if it still runs after ``timeout``."""
        deadline = time.monotonic() + max(timeout, 0.0)
        while True:
            left = deadline - time.monotonic()
            if self.fd is not None:
                ready, _, _ = select.select([self.fd], [], [], max(0.0, min(step, left)))
                if ready:
                    return True
            elif not alive(self.pid):
                return True
            else:
                time.sleep(max(0.0, min(0.02, left)))
            if cancelled() or time.monotonic() >= deadline:
                return self.fd is None and not alive(self.pid)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None
