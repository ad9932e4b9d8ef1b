"""containerd's CRI plugin: StopContainer with the image's (or the CRI) stop signal.

Sources: containerd/containerd internal/cri/server/container_stop.go,
container_stop_signal.go; research/runtime-semantics.md section 4.
"""

from __future__ import annotations

from collections.abc import Callable

from stopsignal.runtimes.common import declared_value, delivered, label
from stopsignal.runtimes.engines import EngineRef, Version
from stopsignal.runtimes.types import Decision, Outcome, Step, StopRequest
from stopsignal.signal_grammars import parse_containerd_1_3, parse_containerd_1_4, parse_moby

Parser = Callable[[str], int | None]


def era(version: Version) -> tuple[str, Parser, str]:
    """(name, parser, source) of the stop-signal parser in ``version``."""
    if version < Version(1, 3):
        return ("Docker grammar (vendored pkg/signal)", parse_moby,
                "containerd v1.2.0 vendor/github.com/containerd/cri container_stop.go")
    if version < Version(1, 4):
        return ("unix.SignalNum, numbers 1-31 only", parse_containerd_1_3, "containerd PR #3063")
    if version < Version(1, 6):
        return ("unix.SignalNum, any integer", parse_containerd_1_4, "containerd PR #4115")
    return ("moby/sys signal.ParseSignal", parse_moby,
            "containerd PR #5693 (commit 1d3d0802, fixes #5402)")


def honours_cri_stop_signal(version: Version) -> bool:
    return version >= Version(2, 3)


def decide(ref: EngineRef, request: StopRequest, *, timeout: float,
           cri_signal: str | None = None) -> Decision:
    actor = ref.display
    steps: list[Step] = []
    declared = declared_value(request.image_stop_signal)
    if cri_signal is not None:
        if honours_cri_stop_signal(ref.version):
            steps.append(Step(actor, f"the CRI stop_signal {cri_signal} replaces the image value "
                              "(enum name mapped back, PLUS/MINUS to +/-)",
                              "containerd PR #11774 (v2.3.0)"))
            declared = cri_signal
        else:
            steps.append(Step(actor, "ignores the CRI stop_signal (supported from 2.3.0)",
                              "containerd PR #11774; KEP-4960 version skew"))
    if timeout <= 0:
        steps.append(Step(actor, "timeout 0: SIGKILL only", "containerd container_stop.go"))
        return Decision(Outcome.KILL_ONLY, None, 0.0, timeout, declared, steps,
                        f"{actor} sends SIGKILL only")
    if declared is None:
        steps.append(Step(actor, "no stop signal in the image: SIGTERM",
                          "containerd container_stop.go"))
        return Decision(Outcome.SENT, 15, timeout, timeout, None, steps,
                        f"{actor} sends SIGTERM")
    era_name, parse, source = era(ref.version)
    number = parse(declared)
    if number is None:
        steps.append(Step(actor, f"{era_name} rejects {declared!r}: StopContainer fails before "
                          "sending any signal and before the SIGKILL fallback; the kubelet "
                          "retries with the same result", f"{source}; containerd issue #5402"))
        return Decision(Outcome.STUCK, None, None, timeout, declared, steps,
                        f"{actor} cannot parse {declared!r}: the container is never stopped "
                        "and the pod stays Terminating")
    if number == 0:
        steps.append(Step(actor, f"{declared!r} parses to 0, a no-op probe: no signal, SIGKILL at "
                          "the end of the grace period", source))
        return Decision(Outcome.KILL_ONLY, None, timeout, timeout, declared, steps,
                        f"{actor} sends signal 0 (nothing) and SIGKILLs after {timeout:g} s")
    if not 1 <= number <= 64:
        steps.append(Step(actor, f"{declared!r} parses to {number}; task.Kill fails and "
                          "StopContainer returns without the SIGKILL fallback",
                          "containerd container_stop.go (inferred)"))
        return Decision(Outcome.STUCK, None, None, timeout, declared, steps,
                        f"{actor} cannot deliver signal {number}: the container is never stopped")
    steps.append(Step(actor, f"{era_name}: {declared!r} = {label(number)}", source))
    return Decision(delivered(declared, number), number, timeout, timeout, declared, steps,
                    f"{actor} sends {label(number)}")
