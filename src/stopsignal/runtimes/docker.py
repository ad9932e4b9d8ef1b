"""Docker (moby): ``docker stop`` with the image's STOPSIGNAL.

Sources: moby/moby daemon/stop.go, daemon/kill.go, daemon/container/container.go;
research/runtime-semantics.md section 1.
"""

from __future__ import annotations

from stopsignal.runtimes.common import declared_value, delivered, label, seconds
from stopsignal.runtimes.engines import EngineRef
from stopsignal.runtimes.types import Decision, Outcome, Step, StopRequest
from stopsignal.signal_grammars import parse_moby, parse_moby_1_9

DEFAULT_TIMEOUT = {"linux": 10.0, "windows": 30.0}
# containerStop shortens the wait to 2 s when the stop signal could not be sent.
ERROR_PATH_WAIT = 2.0


def decide(ref: EngineRef, request: StopRequest) -> Decision:
    actor = ref.display
    grace = request.grace if request.grace is not None else DEFAULT_TIMEOUT.get(
        request.os or "linux", 10.0)
    steps = [Step(actor, f"stop timeout {seconds(grace)}"
                  + (" (given)" if request.grace is not None else " (daemon default)"),
                  "moby daemon/config default-stop-timeout")]
    declared = declared_value(request.image_stop_signal)
    kill_after: float | None = grace if grace >= 0 else None
    if grace < 0:
        steps.append(Step(actor, "a negative timeout means: never force-kill",
                          "moby daemon/stop.go"))
    if ref.version < ref.version.parse("1.9"):
        steps.append(Step(actor, "STOPSIGNAL is not supported before Docker 1.9; SIGTERM is sent",
                          "moby commit 0e50d946"))
        return Decision(Outcome.SENT, 15, kill_after, grace, declared, steps,
                        f"{actor} sends SIGTERM")
    if declared is None:
        steps.append(Step(actor, "no STOPSIGNAL set: SIGTERM",
                          "moby daemon/container/container.go"))
        return Decision(Outcome.SENT, 15, kill_after, grace, None, steps, f"{actor} sends SIGTERM")
    parse = parse_moby_1_9 if ref.version < ref.version.parse("1.10") else parse_moby
    number = parse(declared)
    if number is None:
        steps.append(Step(actor, f"ParseSignal rejects {declared!r}: killWithSignal returns an "
                          "error before sending anything, the wait is cut to 2 s, then SIGKILL",
                          "moby daemon/kill.go, daemon/stop.go"))
        return Decision(Outcome.KILL_ONLY, None, ERROR_PATH_WAIT, grace, declared, steps,
                        f"{actor} cannot parse {declared!r}, sends no stop signal and SIGKILLs "
                        "after 2 s")
    if number < 0:
        if ref.version >= ref.version.parse("28.0"):
            steps.append(Step(actor, f"{declared!r} parses to {number}; since 28.0 a value <= 0 "
                              "falls back to SIGTERM", "moby PR #49471 (commit 529a56d3)"))
            return Decision(Outcome.SUBSTITUTED, 15, kill_after, grace, declared, steps,
                            f"{actor} reads {declared!r} as {number} and sends SIGTERM instead")
        steps.append(Step(actor, f"{declared!r} parses to {number}; before 28.0 the kill fails, "
                          "the wait is cut to 2 s, then SIGKILL", "moby PR #49471 (the fix)"))
        return Decision(Outcome.KILL_ONLY, None, ERROR_PATH_WAIT, grace, declared, steps,
                        f"{actor} fails to send {number} and SIGKILLs after 2 s")
    if number > 64:
        steps.append(Step(actor, f"{declared!r} parses to {number}, which the kernel rejects "
                          "(EINVAL): the wait is cut to 2 s, then SIGKILL",
                          "moby daemon/stop.go error path"))
        return Decision(Outcome.KILL_ONLY, None, ERROR_PATH_WAIT, grace, declared, steps,
                        f"{actor} cannot deliver signal {number} and SIGKILLs after 2 s")
    steps.append(Step(actor, f"STOPSIGNAL {declared!r} parses to {label(number)}",
                      "moby/sys signal.ParseSignal"))
    if grace == 0:
        steps.append(Step(actor, "timeout 0: the stop signal is sent, then SIGKILL at once",
                          "moby daemon/stop.go"))
    return Decision(delivered(declared, number), number, kill_after, grace, declared, steps,
                    f"{actor} sends {label(number)}")
