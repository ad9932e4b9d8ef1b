"""The runtime model's values: what goes into a stop decision and what comes out.

Immutable records (``typing.NamedTuple``): values compared, hashed and shown,
never mutated.
"""

from __future__ import annotations

from typing import Final, Literal, NamedTuple

from stopsignal.signals import describe_number, signal_name

OutcomeName = Literal["sent", "substituted", "kill-only", "stuck", "rejected"]


class Outcome:
    """What the engine does when asked to stop the container."""

    SENT: Final = "sent"  # the declared (or default) signal is delivered
    SUBSTITUTED: Final = "substituted"  # a different signal is delivered, silently
    KILL_ONLY: Final = "kill-only"  # no stop signal at all; SIGKILL after a delay
    STUCK: Final = "stuck"  # the stop never completes (kubelet retries forever)
    REJECTED: Final = "rejected"  # the container cannot be created


class Step(NamedTuple):
    """One link in the decision trail: who decided what, and the source of that rule."""

    actor: str
    text: str
    source: str

    def as_dict(self) -> dict[str, str]:
        return {"actor": self.actor, "text": self.text, "source": self.source}


class StopRequest(NamedTuple):
    """Everything about a container that bears on how it is stopped.

    ``None`` means "not set" (the image has no STOPSIGNAL, the pod has no
    ``lifecycle.stopSignal``, the grace period is the engine default). The empty
    string is treated as unset, as every engine does.
    """

    image_stop_signal: str | None = None
    lifecycle_stop_signal: str | None = None
    os: str | None = None  # the pod's spec.os.name
    command: tuple[str, ...] = ()  # the final argv of PID 1 (entrypoint + cmd)
    grace: float | None = None  # grace period / stop timeout in seconds
    prestop_seconds: float = 0.0  # how long the preStop hook runs (kubelet only)
    systemd: str = "true"  # podman --systemd=true|false|always
    #: Whether the image or the pod sets the ``container`` variable; None = not known (lint
    #: asks its own rule, systemd-container-env), so the prediction ignores the question.
    container_env: bool | None = None


class Resolution(NamedTuple):
    """The model's answer: which signal PID 1 gets, and when SIGKILL follows."""

    engine: str
    version: str
    outcome: OutcomeName
    signal: int | None
    kill_after: float | None  # seconds from the stop request to SIGKILL; None = never
    grace: float | None  # the budget the engine works with
    trail: tuple[Step, ...]
    declared: str | None = None  # the spelling the engine worked from
    pid1: str | None = None  # what PID 1 is, as far as the command tells
    pid1_reaction: str | None = None  # what PID 1 does with the signal
    graceful: bool | None = None  # expected verdict; None when PID 1 is unknown
    summary: str = ""  # one or two plain sentences for people
    target: str = ""  # the target as written back: openshift@4.9, kubernetes@1.33,containerd@2.3

    @property
    def signal_name(self) -> str | None:
        return signal_name(self.signal) if self.signal is not None else None

    def signal_label(self) -> str:
        return describe_number(self.signal) if self.signal is not None else "no signal"

    def as_dict(self) -> dict[str, object]:
        return {
            "engine": self.engine,
            "version": self.version,
            "outcome": self.outcome,
            "signal": self.signal,
            "signal_name": self.signal_name,
            "declared": self.declared,
            "kill_after": self.kill_after,
            "grace": self.grace,
            "pid1": self.pid1,
            "pid1_reaction": self.pid1_reaction,
            "graceful": self.graceful,
            "summary": self.summary,
            "trail": [step.as_dict() for step in self.trail],
        }


class Decision(NamedTuple):
    """What one engine decided, before PID 1 is taken into account."""

    outcome: OutcomeName
    signal: int | None
    kill_after: float | None
    grace: float | None
    declared: str | None
    steps: list[Step]
    headline: str  # "CRI-O 1.22.1 cannot parse SIGRTMIN+3 and silently sends SIGTERM"
