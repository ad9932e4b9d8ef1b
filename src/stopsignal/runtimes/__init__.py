"""The runtime model: for a target engine and a container, what happens at stop.

``resolve(target, request)`` returns a ``Resolution``: the outcome (sent,
substituted, kill-only, stuck, rejected), the signal PID 1 receives, when
SIGKILL follows, what PID 1 does with it, and a trail of steps, each naming
the source of its rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stopsignal.runtimes import docker, kubelet, podman
from stopsignal.runtimes.engines import (
    CURRENT,
    DEFAULT_TARGET_SPECS,
    EngineRef,
    Target,
    Version,
    default_targets,
    parse_engine,
    parse_target,
    parse_targets,
)
from stopsignal.runtimes.types import Decision, Outcome, Resolution, Step, StopRequest

if TYPE_CHECKING:
    from stopsignal import pid1 as pid1_model

__all__ = [
    "CURRENT",
    "DEFAULT_TARGET_SPECS",
    "EngineRef",
    "Outcome",
    "Resolution",
    "Step",
    "StopRequest",
    "Target",
    "Version",
    "decide",
    "default_targets",
    "parse_engine",
    "parse_target",
    "parse_targets",
    "resolve",
]


def decide(target: Target, request: StopRequest) -> Decision:
    """The engine's decision alone, without looking at PID 1."""
    if target.kubelet is not None:
        return kubelet.decide(target, request)
    if target.runtime.name == "docker":
        return docker.decide(target.runtime, request)
    return podman.decide(target.runtime, request)


def resolve(target: Target, request: StopRequest) -> Resolution:
    from stopsignal import pid1 as pid1_model  # only resolve needs it: keep `signal` lean

    decision = decide(target, request)
    steps = list(decision.steps)
    pid1 = pid1_model.classify(request.command) if request.command else None
    reaction: str | None = None
    graceful: bool | None = None
    tail = ""
    if decision.outcome in (Outcome.SENT, Outcome.SUBSTITUTED):
        if pid1 is not None:
            reaction, stops = pid1_model.reaction(pid1, decision.signal)
            steps.append(Step(pid1.program or "PID 1", f"{pid1.describe()} {reaction}",
                              _reaction_source(pid1)))
            if stops and pid1.kind == "systemd" and request.container_env is False:
                reaction, stops = _unmarked(target, request, steps, reaction, stops)
            graceful = stops
            tail = _tail(pid1, decision, reaction, stops)
    elif decision.outcome is Outcome.KILL_ONLY:
        graceful = False
        reaction = "gets no stop signal"
    elif decision.outcome is Outcome.STUCK:
        graceful = False
        reaction = "keeps running: nothing stops it"
    engine, version = _engine_label(target)
    summary = decision.headline + (f"; {tail}" if tail else "") + "."
    return Resolution(
        engine=engine,
        version=version,
        outcome=decision.outcome,
        signal=decision.signal,
        kill_after=decision.kill_after,
        grace=decision.grace,
        trail=tuple(steps),
        declared=decision.declared,
        pid1=str(pid1.kind) if pid1 else None,
        pid1_reaction=reaction,
        graceful=graceful,
        summary=summary,
        target=str(target),
    )


def _unmarked(target: Target, request: StopRequest, steps: list[Step], reaction: str,
              stops: bool) -> tuple[str, bool]:
    """systemd halts cleanly only when something tells it it runs in a container."""
    from stopsignal.runtimes import marks

    mark = marks.engine_mark(target, request.command)
    if mark is not None:
        steps.append(mark)
        return reaction, stops
    steps.append(Step("systemd", f"{marks.unmarked_reason(target)}; neither image nor pod sets "
                      "container=..., so systemd halts as on a machine: reboot() fails with "
                      "EPERM and it hangs until SIGKILL", marks.SYSTEMD_SOURCE))
    return marks.UNMARKED_REACTION, False


def _engine_label(target: Target) -> tuple[str, str]:
    if target.label.startswith("openshift@"):
        return "openshift", target.label.partition("@")[2]
    if target.kubelet is not None and target.label.startswith("kubernetes"):
        return "kubernetes", target.kubelet.version_text
    return target.runtime.name, target.runtime.version_text


def _reaction_source(pid1: pid1_model.Pid1) -> str:
    if pid1.kind == "systemd":
        return "systemd man page 'Signals'; docs/CONTAINER_INTERFACE.md"
    if pid1.kind == "s6-overlay":
        return "just-containers/s6-overlay README"
    return "pid_namespaces(7): PID 1 gets only the signals it handles"


def _tail(pid1: pid1_model.Pid1, decision: Decision, reaction: str, stops: bool | None) -> str:
    name = pid1.kind if pid1.kind != "program" else pid1.program
    if stops is False:
        when = (f"is SIGKILLed after {decision.kill_after:g} s" if decision.kill_after is not None
                else "is never stopped")
        return f"{name} {reaction}; it {when}"
    if stops:
        return f"{name} {reaction}"
    return f"whether {name} stops {reaction}"
