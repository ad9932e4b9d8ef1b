"""What a preStop ``exec`` hook does: which ``kill`` it runs, with what, and how long it sleeps.

A hook is run by the runtime inside the container, without a shell unless it
names one. ``["kill", "-RTMIN+3", "1"]`` runs the image's ``kill`` binary;
``["/bin/sh", "-c", "kill -s 37 1"]`` runs the shell's builtin. Which
implementation that is decides what the spelling means (stopsignal.kill_tools).
"""

from __future__ import annotations

import math
import posixpath
import re
from collections.abc import Sequence
from typing import NamedTuple

from stopsignal.kill_tools import KILL_TOOLS_BY_ID, KillTool, parse_kill_signal, signal_argument
from stopsignal.model import Container
from stopsignal.pid1 import SHELLS
from stopsignal.rules.image_facts import (
    ImageFamily,
    image_family,
    looks_like_systemd_image,
    missing_program,
)
from stopsignal.rules.shell_analysis import ShellSyntaxError, analyze

#: systemd's shutdown signals (man systemd "Signals"): halt, poweroff, immediate halt/poweroff.
SYSTEMD_SHUTDOWN = frozenset({37, 38, 47, 48})

_GLIBC_BINARIES = ("procps", "procps-4.0.5", "util-linux")
# The kill binaries an unknown image commonly has. Debian's busybox (no real-time names) is
# not among them: Debian's busybox package installs no `kill` link, procps does.
_ANY_BINARY = ("procps", "procps-4.0.5", "util-linux", "busybox-glibc", "busybox-musl",
               "toybox-glibc", "toybox-musl")
_ANY_SHELL = ("bash", "dash", "busybox-musl")


class KillCall(NamedTuple):
    """One ``kill`` in a hook."""

    args: tuple[str, ...]  # the words after `kill`
    shell: str | None  # the shell whose builtin runs it; None for the kill binary
    spelling: str | None  # the signal as written; None means kill's default SIGTERM

    @property
    def targets_pid1(self) -> bool:
        return bool(self.args) and self.args[-1] == "1"

    def text(self) -> str:
        return " ".join(("kill", *self.args))


def hook_commands(command: Sequence[str]) -> tuple[str | None, list[tuple[str, ...]]]:
    """(shell, simple commands) a hook runs; shell is None when it runs a program directly."""
    if not command:
        return None, []
    base = posixpath.basename(command[0])
    if base in SHELLS:
        args = list(command[1:])
        if base == "busybox" and args[:1] in (["sh"], ["ash"]):
            args = args[1:]
        for index, arg in enumerate(args):
            if arg.startswith("-") and "c" in arg[1:] and not arg.startswith("--"):
                text = args[index + 1] if index + 1 < len(args) else ""
                try:
                    return base, list(analyze(text).commands)
                except ShellSyntaxError:
                    return base, []
        return base, []
    return None, [tuple(command)]


def kill_calls(command: Sequence[str]) -> list[KillCall]:
    shell, commands = hook_commands(command)
    calls: list[KillCall] = []
    for words in commands:
        program = posixpath.basename(words[0]) if words else ""
        if program != "kill":
            continue
        # In a shell, a bare `kill` is the builtin; `/bin/kill` is the binary.
        builtin = shell if shell is not None and words[0] == "kill" else None
        split = signal_argument(words[1:])
        calls.append(KillCall(tuple(words[1:]), builtin, split[1] if split else None))
    return calls


_DURATION = re.compile(r"([0-9]+(?:\.[0-9]+)?)([smhd]?)")
_UNIT = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def sleep_seconds(command: Sequence[str]) -> float:
    """Seconds the hook is known to sleep (``sleep N`` commands), 0 if none."""
    total = 0.0
    for words in hook_commands(command)[1]:
        if words and posixpath.basename(words[0]) == "sleep":
            for arg in words[1:]:
                match = _DURATION.fullmatch(arg)
                if match and math.isfinite(seconds := float(match.group(1))):
                    total += seconds * _UNIT[match.group(2)]
    return total


def kill_known(container: Container, call: KillCall) -> bool:
    """Whether the ``kill`` that runs ``call`` is known (not a guess over common ones)."""
    if call.shell in {"bash", "dash", "ash", "busybox"}:
        return True
    image = container.image_config
    return image_family(container) is not None or bool(image and image.sh)


def kill_tools_for(container: Container, call: KillCall) -> tuple[list[KillTool], str]:
    """The ``kill`` implementations that may run ``call``, and how we know."""
    family = image_family(container)
    if call.shell is not None:
        ids, why = _shell_tools(call.shell, family)
    elif family is not None:
        ids, why = _binary_tools(family)
    elif looks_like_systemd_image(container):
        ids, why = _GLIBC_BINARIES, "a systemd image has a glibc kill (procps or util-linux)"
    else:
        ids, why = _ANY_BINARY, "the image is unknown: any common kill"
    return [KILL_TOOLS_BY_ID[tool_id] for tool_id in ids], why


def _shell_tools(shell: str, family: ImageFamily | None) -> tuple[tuple[str, ...], str]:
    if shell in {"bash", "dash"}:
        return (shell,), f"the {shell} builtin"
    if shell in {"ash", "busybox"}:
        libc = family.libc if family else None
        return ((f"busybox-{libc}",) if libc else ("busybox-musl", "busybox-glibc"),
                "the busybox builtin")
    sh = family.sh if family else None
    if sh == "busybox":
        libc = family.libc if family else None
        return (f"busybox-{libc or 'musl'}",), f"the busybox sh builtin ({family.evidence})" \
            if family else "busybox"
    if sh in {"bash", "dash"}:
        return (sh,), f"/bin/sh is {sh} in {family.evidence if family else 'this image'}"
    return _ANY_SHELL, "the image's /bin/sh is unknown: bash, dash or busybox"


def _binary_tools(family: ImageFamily) -> tuple[tuple[str, ...], str]:
    if family.name in {"alpine", "distroless-debug"}:
        return ("busybox-musl",), f"{family.evidence} has busybox kill linked against musl"
    if family.name == "busybox":
        return ((f"busybox-{family.libc}",) if family.libc else ("busybox-musl", "busybox-glibc"),
                f"{family.evidence} is busybox")
    if family.name == "fedora":
        return ("util-linux",), f"{family.evidence} has util-linux kill"
    return _GLIBC_BINARIES, f"{family.evidence} would need procps or util-linux kill"


def outcomes(tools: Sequence[KillTool], call: KillCall) -> dict[str, int | None]:
    """tool id -> the signal number it sends for ``call`` (None: it fails)."""
    return {tool.id: parse_kill_signal(tool, call.args) for tool in tools}


def sends_systemd_shutdown(container: Container) -> KillCall | None:
    """The preStop ``kill ... 1`` that stops systemd on every kill the image may have."""
    hook = container.prestop
    if hook is None or hook.kind != "exec":
        return None
    if missing_program(container, hook.command[0] if hook.command else ""):
        return None  # the hook cannot even start (prestop-missing-binary says why)
    for call in kill_calls(hook.command):
        if not call.targets_pid1:
            continue
        if call.shell is None and missing_program(container, "kill"):
            continue
        tools, _ = kill_tools_for(container, call)
        results = outcomes(tools, call).values()
        if results and all(number in SYSTEMD_SHUTDOWN for number in results):
            return call
    return None
