"""Values the probe exchanges: what to run, the stop hook, and the timeline it observed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

HookKind = Literal["exec", "sleep", "httpGet"]


class Cancelled(Exception):
    """The probe was interrupted (Ctrl-C, SIGTERM); cleanup follows."""


@dataclass(frozen=True)
class PreStop:
    """A pod's ``lifecycle.preStop`` handler, as the kubelet runs it."""

    kind: HookKind
    command: tuple[str, ...] = ()  # exec: run inside the container
    seconds: float = 0.0  # sleep: run by the kubelet itself
    path: str = "/"  # httpGet
    port: int | str = 80
    host: str | None = None
    scheme: str = "HTTP"

    def describe(self) -> str:
        if self.kind == "exec":
            return "exec " + " ".join(self.command)
        if self.kind == "sleep":
            return f"sleep {self.seconds:g} s"
        return f"httpGet {self.scheme.lower()}://{self.host or 'POD'}:{self.port}{self.path}"


@dataclass(frozen=True)
class ContainerSpec:
    """One container to run and stop. ``command``/``args`` have Kubernetes' meaning."""

    name: str
    image: str
    command: tuple[str, ...] | None = None
    args: tuple[str, ...] | None = None
    env: tuple[tuple[str, str], ...] = ()
    tty: bool = False
    prestop: PreStop | None = None
    lifecycle_stop_signal: str | None = None


@dataclass(frozen=True)
class PodSpec:
    """A pod (or a workload's pod template) as far as stopping it is concerned."""

    name: str
    containers: tuple[ContainerSpec, ...]
    grace: float | None = None  # terminationGracePeriodSeconds
    os: str | None = None  # spec.os.name
    source: str = ""  # "pod.yaml: Deployment/web"


@dataclass(frozen=True)
class Event:
    """One point of a timeline; ``t`` is seconds since the stop request (negative before).

    ``deadline``, on the events that set or move it, is when SIGKILL is due (seconds
    since the stop request): the live countdown and the timeline pictures draw it.
    """

    t: float
    event: str
    detail: str = ""
    exit_code: int | None = None
    deadline: float | None = None

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"t": round(self.t, 3), "event": self.event}
        if self.detail:
            out["detail"] = self.detail
        if self.exit_code is not None:
            out["exit_code"] = self.exit_code
        if self.deadline is not None:
            out["deadline"] = round(self.deadline, 3)
        return out


@dataclass(frozen=True)
class HookResult:
    """How a preStop hook ended. ``overran`` = still running when the grace period ran out."""

    ok: bool
    exit_code: int | None = None
    error: str | None = None
    overran: bool = False


@dataclass
class ContainerResult:
    """What happened to one container: the verdict and the evidence."""

    name: str
    engine: str
    signal_sent: str | None = None
    prestop_ran: bool = False
    prestop_ok: bool = False
    prestop_error: str | None = None
    graceful: bool = False
    killed: bool = False
    exit_code: int | None = None
    seconds: float = 0.0
    outcome: str = ""  # the model's outcome: sent, substituted, kill-only, stuck, rejected
    expected: str = ""  # the model's one-line summary
    note: str = ""  # why the verdict is what it is, when not obvious
    timeline: list[Event] = field(default_factory=list)
    logs: str = ""  # the tail of the log
    stop_logs: str = ""  # what the workload printed after the stop request
    #: On a real engine: the model's prediction for that engine version matched what happened.
    model_agrees: bool | None = None
    observed: str = ""  # what the workload's log says it did (real engines)

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "name": self.name,
            "engine": self.engine,
            "signal_sent": self.signal_sent,
            "prestop": {"ran": self.prestop_ran, "ok": self.prestop_ok,
                        "error": self.prestop_error},
            "graceful": self.graceful,
            "killed": self.killed,
            "exit_code": self.exit_code,
            "seconds": round(self.seconds, 3),
            "outcome": self.outcome,
            "expected": self.expected,
            "note": self.note,
            "timeline": [event.as_dict() for event in self.timeline],
            "logs": self.logs,
            "stop_logs": self.stop_logs,
        }
        if self.model_agrees is not None or self.observed:
            out["model_agrees"] = self.model_agrees
            out["observed"] = self.observed
        return out
