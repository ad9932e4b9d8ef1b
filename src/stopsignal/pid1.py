"""Who PID 1 is, from its argv, and what it does with a signal.

PID 1 of a PID namespace only receives the signals it installed a handler for
(pid_namespaces(7)); SIGKILL from the host is the one exception. So whether a
stop is graceful depends as much on PID 1 as on the signal. This module knows
the argv shapes; the lint readers add what only the image or a script can tell.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from enum import StrEnum
from typing import NamedTuple


class Pid1Kind(StrEnum):
    SYSTEMD = "systemd"
    SHELL = "shell"
    INIT_SHIM = "init-shim"
    S6_OVERLAY = "s6-overlay"
    PROGRAM = "program"
    UNKNOWN = "unknown"


SYSTEMD_PATHS = frozenset({"/sbin/init", "/usr/sbin/init", "/usr/local/sbin/init",
                           "/lib/systemd/systemd", "/usr/lib/systemd/systemd"})
SHELLS = frozenset({"sh", "bash", "dash", "ash", "zsh", "ksh", "busybox"})
INIT_SHIMS = frozenset({"tini", "tini-static", "dumb-init", "catatonit", "podman-init",
                        "docker-init"})


class Pid1(NamedTuple):
    kind: Pid1Kind
    program: str | None  # argv[0], as written

    def describe(self) -> str:
        if self.kind is Pid1Kind.UNKNOWN or not self.program:
            return "PID 1 (unknown program)"
        if self.kind is Pid1Kind.PROGRAM:
            return f"PID 1 {self.program}"
        return f"PID 1 {self.program} ({self.kind})"


def classify(argv: Sequence[str]) -> Pid1:
    """Classify PID 1 from the final argv (entrypoint + cmd)."""
    if not argv:
        return Pid1(Pid1Kind.UNKNOWN, None)
    program = argv[0]
    base = posixpath.basename(program)
    if program in SYSTEMD_PATHS or base == "systemd":
        return Pid1(Pid1Kind.SYSTEMD, program)
    if program == "/init" and len(argv) == 1:
        # s6-overlay v3 installs /init; a bare /init is that by convention.
        return Pid1(Pid1Kind.S6_OVERLAY, program)
    if base in INIT_SHIMS:
        return Pid1(Pid1Kind.INIT_SHIM, program)
    if base in SHELLS:
        return Pid1(Pid1Kind.SHELL, program)
    return Pid1(Pid1Kind.PROGRAM, program)


#: systemd's reaction to signals (man systemd "Signals"; src/shutdown/shutdown.c).
SYSTEMD_REACTIONS: dict[int, tuple[str, bool]] = {
    15: ("re-executes on SIGTERM (daemon-reexec) and keeps running", False),
    2: ("starts ctrl-alt-del.target (a reboot), and keeps running", False),
    37: ("starts halt.target: a clean shutdown", True),
    38: ("starts poweroff.target: a clean shutdown", True),
    47: ("halts at once, without stopping units", True),
    48: ("powers off at once, without stopping units", True),
}


def reaction(pid1: Pid1, signal: int | None) -> tuple[str, bool | None]:
    """What PID 1 does with ``signal``: (plain words, stops?). None = cannot tell."""
    if signal is None:
        return ("gets no stop signal", False)
    if signal == 9:
        return ("is killed at once (SIGKILL cannot be handled)", False)
    if signal == 19:
        return ("is stopped, not terminated (SIGSTOP)", False)
    if pid1.kind is Pid1Kind.SYSTEMD:
        fallback = ("has no shutdown action for it and keeps running", False)
        text, stops = SYSTEMD_REACTIONS.get(signal, fallback)
        return (text, stops)
    if pid1.kind is Pid1Kind.S6_OVERLAY:
        if signal == 15:
            return ("runs its stage-3 shutdown", True)
        return ("expects SIGTERM and ignores other signals", False)
    if pid1.kind is Pid1Kind.SHELL:
        if signal == 2:
            return ("a shell run with -c may exit on SIGINT (dash does, with 130)", None)
        return ("ignores it: a shell as PID 1 has no handler and does not pass it on", False)
    if pid1.kind is Pid1Kind.INIT_SHIM:
        return ("forwards it to its child", None)
    return ("depends on the program's signal handlers", None)
