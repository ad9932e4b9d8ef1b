"""Watching a PID 1 from the host through /proc and pidfds.

PID 1 of a PID namespace only receives a signal from outside when it handles
it (pid_namespaces(7)); a signal that is *blocked* is queued too, which is how
systemd's signalfd takes its signals. So "ready for signal N" means bit N is set
in SigCgt or SigBlk; sending earlier would be lost, and the probe would blame
the workload for a race of its own.
"""

from __future__ import annotations

import contextlib
import os
import re
import select
import time
from collections.abc import Callable
from pathlib import Path

_MASK_RE = re.compile(r"^(SigBlk|SigCgt):\s*([0-9a-fA-F]+)$", re.MULTILINE)


def signal_masks(pid: int) -> dict[str, int] | None:
    """SigBlk and SigCgt of ``pid``; None when the process is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    return {name: int(value, 16) for name, value in _MASK_RE.findall(text)}


def takes_signal(pid: int, number: int) -> bool:
    masks = signal_masks(pid)
    if not masks:
        return False
    bit = 1 << (number - 1)
    return bool((masks.get("SigCgt", 0) | masks.get("SigBlk", 0)) & bit)


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
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            return False
        if not comm.startswith(launcher_prefixes):
            return True
        time.sleep(0.002)
    return False


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in {"Z", "X"}


def children(pid: int) -> list[int]:
    try:
        return [int(child) for child in
                Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
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
