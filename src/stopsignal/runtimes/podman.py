"""Podman: ``podman stop`` (and ``podman kube play``), with its systemd mode.

Sources: containers/podman pkg/specgen/generate/container_create.go,
libpod/options.go WithStopSignal, libpod/oci_conmon_common.go StopContainer;
research/runtime-semantics.md section 2.
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from stopsignal.runtimes.common import declared_value, delivered, label, seconds
from stopsignal.runtimes.engines import EngineRef, Version
from stopsignal.runtimes.types import Decision, Outcome, Step, StopRequest
from stopsignal.signal_grammars import parse_podman_name_or_number

if TYPE_CHECKING:
    from collections.abc import Sequence

DEFAULT_TIMEOUT = 10.0

SOURCE = "containers/podman pkg/specgen/generate/container_create.go"


def systemd_mode(version: Version, command: Sequence[str], setting: str = "true") -> bool:
    """Podman's exact systemd detection, per version (runtime-semantics.md 2.1)."""
    if setting == "always":
        return True
    if setting == "false" or not command:
        return False
    argv = list(command)
    if version >= Version(4, 1) and len(argv) > 2 and argv[:2] == ["/bin/sh", "-c"]:
        argv = argv[2:]
    program = argv[0]
    base = posixpath.basename(program)
    if version < Version(1, 7):
        return base in {"init", "systemd"}
    exact = {"/sbin/init", "/usr/sbin/init"}
    if version >= Version(2, 1):
        exact.add("/usr/local/sbin/init")
    return program in exact or base == "systemd"


def parse_cli_signal(text: str) -> int | None:
    """``util.ParseSignal``: strip one '-', parse, require 1..64."""
    number = parse_podman_name_or_number(text)
    return number if number is not None and 1 <= number <= 64 else None


def decide(ref: EngineRef, request: StopRequest) -> Decision:
    actor = ref.display
    grace = request.grace if request.grace is not None else DEFAULT_TIMEOUT
    steps = [Step(actor, f"stop timeout {seconds(grace)}"
                  + (" (given)" if request.grace is not None else " (containers.conf default)"),
                  "containers/common pkg/config/default.go")]
    kill_after: float | None = grace if grace >= 0 else None
    image = declared_value(request.image_stop_signal)
    lifecycle = declared_value(request.lifecycle_stop_signal)
    if lifecycle is not None:
        if ref.version >= Version(5, 6):
            number = parse_cli_signal(lifecycle)
            if number is None:
                steps.append(Step(actor, f"kube play rejects lifecycle.stopSignal {lifecycle!r}",
                                  "containers/podman pkg/specgen/generate/kube/kube.go"))
                return Decision(Outcome.REJECTED, None, None, grace, lifecycle, steps,
                                f"{actor} refuses to create the container: invalid stop signal "
                                f"{lifecycle!r}")
            steps.append(Step(actor, f"kube play applies lifecycle.stopSignal {lifecycle!r} = "
                              f"{label(number)}", "containers/podman commit 17601aa9 (v5.6.0)"))
            return _finish(actor, number, lifecycle, grace, kill_after, steps)
        steps.append(Step(actor, "lifecycle.stopSignal is ignored before podman 5.6",
                          "containers/podman commit 17601aa9"))
    if image is not None:
        number = parse_podman_name_or_number(image)
        if number is None:
            steps.append(Step(actor, f"image STOPSIGNAL {image!r} does not parse: container "
                              "creation fails", "containers/common ParseSignalNameOrNumber"))
            return Decision(Outcome.REJECTED, None, None, grace, image, steps,
                            f"{actor} refuses to create the container: invalid STOPSIGNAL "
                            f"{image!r}")
        if not 1 <= number <= 64:
            steps.append(Step(actor, f"image STOPSIGNAL {image!r} is {number}, outside 1..64: "
                              "container creation fails", "containers/podman libpod/options.go "
                              "WithStopSignal"))
            return Decision(Outcome.REJECTED, None, None, grace, image, steps,
                            f"{actor} refuses to create the container: stop signal {number} is "
                            "out of range")
        note = " (one leading '-' is stripped)" if image.startswith("-") else ""
        steps.append(Step(actor, f"image STOPSIGNAL {image!r} = {label(number)}{note}; an explicit "
                          "image value beats the systemd default", SOURCE))
        return _finish(actor, number, image, grace, kill_after, steps)
    if systemd_mode(ref.version, request.command, request.systemd):
        steps.append(Step(actor, "systemd mode (the command is systemd): default stop signal "
                          "SIGRTMIN+3", SOURCE))
        return _finish(actor, 37, "SIGRTMIN+3", grace, kill_after, steps, implicit=True)
    steps.append(Step(actor, "no stop signal set and no systemd mode: SIGTERM", SOURCE))
    return _finish(actor, 15, None, grace, kill_after, steps)


def _finish(actor: str, number: int, declared: str | None, grace: float,
            kill_after: float | None, steps: list[Step], *, implicit: bool = False) -> Decision:
    if grace == 0:
        steps.append(Step(actor, "timeout 0: podman skips the stop signal and sends SIGKILL",
                          "containers/podman libpod/oci_conmon_common.go StopContainer"))
        return Decision(Outcome.KILL_ONLY, None, 0.0, grace, declared, steps,
                        f"{actor} with timeout 0 sends SIGKILL directly")
    outcome = Outcome.SENT if implicit else delivered(declared, number)
    return Decision(outcome, number, kill_after, grace, declared, steps,
                    f"{actor} sends {label(number)}")
