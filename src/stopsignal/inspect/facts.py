"""What ``inspect`` reads: a container as its engine describes it, a process as procfs does.

Plain records without I/O, so that the judge can be tested with hand-made facts; and
the error every engine lister raises when its engine cannot be asked at all.
Signal sets are bit masks as procfs prints them: bit ``n - 1`` is signal ``n``.
"""

from __future__ import annotations

from typing import NamedTuple

from stopsignal.errors import ProbeError


class EngineUnreachable(ProbeError):
    """The engine could not be asked (not installed, no daemon, no permission)."""


class ProcessFacts(NamedTuple):
    """One process, read from /proc/PID on the host."""

    pid: int
    start_ticks: int  # field 22 of /proc/PID/stat: clock ticks after boot
    comm: str
    exe: str | None  # the /proc/PID/exe link; None when it could not be read
    argv: tuple[str, ...]
    caught: int  # SigCgt: a handler is installed
    ignored: int  # SigIgn: SIG_IGN
    blocked: int  # SigBlk
    # Union of the sigmask of every signalfd the process holds (fdinfo); None = unreadable.
    signalfd: int | None
    # The set a process sleeping in rt_sigtimedwait waits for (tini, dumb-init): while it
    # waits, the kernel moves that set out of SigBlk, so it is read from the syscall's
    # argument. None = not waiting there, or not readable.
    waited: int | None = None
    in_sigtimedwait: bool = False
    nspid: tuple[int, ...] = ()  # NSpid: this PID in each nested PID namespace
    children: tuple[int, ...] = ()
    unreadable: tuple[str, ...] = ()  # what could not be read, as "fdinfo: permission denied"

    def program(self) -> str:
        """The program's name: the exe's basename, else comm."""
        if self.exe:
            return self.exe.rsplit("/", 1)[-1].removesuffix(" (deleted)")
        return self.comm

    def describe(self) -> str:
        shown = " ".join(self.argv) if self.argv else f"[{self.comm}]"
        if len(shown) > 80:
            shown = shown[:77] + "..."
        return f"PID {self.pid} ({shown})"


class LiveContainer(NamedTuple):
    """A running container as its engine reports it."""

    id: str
    name: str
    engine: str  # podman | docker | containerd | cri-o (the last two reached through CRI)
    version: str  # the engine's version, as it reports it
    pid: int | None  # PID 1 on the host
    started: float | None  # when the engine started it (epoch seconds)
    created: float | None
    stop_signal: str | None  # as the engine stores it (podman: a number; docker: a spelling)
    grace: float | None  # stop timeout / terminationGracePeriodSeconds
    image: str | None = None
    argv: tuple[str, ...] = ()
    pod: str | None = None
    namespace: str | None = None
    prestop: str | None = None  # the preStop hook, in words, where the engine knows it
    prestop_argv: tuple[str, ...] = ()  # an exec preStop hook's command
    # The stop signal is already final (podman stores the number it will send, systemd
    # mode included); otherwise the runtime model resolves it for the engine version.
    signal_final: bool = False
