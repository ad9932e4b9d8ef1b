"""One spelling, every engine: what each parser reads and what the engine then does.

``explain_spelling("RTMIN+3")`` is the data behind ``stopsignal signal``: for
each engine (and the older eras still met in the field) whether its parser
accepts the spelling as an image STOPSIGNAL, the number it reads, and the stop
outcome the runtime model resolves from it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from stopsignal.kill_tools import KILL_TOOLS, parse_kill_signal
from stopsignal.runtimes import decide
from stopsignal.runtimes.engines import Target, parse_target
from stopsignal.runtimes.types import Decision, Outcome, OutcomeName, StopRequest
from stopsignal.signal_grammars import (
    go_upper,
    parse_ccommon,
    parse_containerd_1_3,
    parse_containerd_1_4,
    parse_crio_map,
    parse_crio_signalnum_era,
    parse_kubernetes,
    parse_moby,
    parse_podman_name_or_number,
    parse_runc,
)
from stopsignal.signals import Libc, Signal, parse_signal, signal_name

if TYPE_CHECKING:
    from collections.abc import Callable


def _crio_current(text: str) -> int | None:
    return parse_ccommon(go_upper(text))


class EngineView(NamedTuple):
    key: str
    label: str
    parser: Callable[[str], int | None]
    target: str | None  # engine spec to resolve the stop with; None = parser only
    field: str = "image"  # "image" STOPSIGNAL or "lifecycle" stopSignal


ENGINE_VIEWS: tuple[EngineView, ...] = (
    EngineView("docker", "Docker >= 28 (moby/sys ParseSignal)", parse_moby, "docker@29.0"),
    EngineView("podman", "Podman (image STOPSIGNAL, ParseSignalNameOrNumber)",
               parse_podman_name_or_number, "podman@5.6"),
    EngineView("containerd", "containerd >= 1.6 (moby/sys ParseSignal)", parse_moby,
               "containerd@2.3"),
    EngineView("containerd@1.4", "containerd 1.4-1.5 (unix.SignalNum, any integer)",
               parse_containerd_1_4, "containerd@1.4"),
    EngineView("containerd@1.3", "containerd 1.3 (unix.SignalNum, numbers 1-31)",
               parse_containerd_1_3, "containerd@1.3"),
    EngineView("cri-o", "CRI-O >= 1.23, 1.22.2, 1.21.7 (containers/common)", _crio_current,
               "cri-o@1.36"),
    EngineView("cri-o@1.22.1", "CRI-O 1.18.0-1.22.1, OpenShift 4.5-4.9 (unix.SignalNum)",
               parse_crio_signalnum_era, "cri-o@1.22.1"),
    EngineView("cri-o@1.17.1", "CRI-O 1.15.4+, 1.16.4+, 1.17.1+ (map lookup, number)",
               parse_crio_map, "cri-o@1.17.1"),
    EngineView("cri-o@1.17.0", "CRI-O <= 1.17.0 (map lookup, name passed to runc)",
               parse_crio_map, "cri-o@1.17.0"),
    EngineView("kubernetes", "Kubernetes lifecycle.stopSignal (API validation, Linux)",
               parse_kubernetes, "kubernetes@1.33+ContainerStopSignals,containerd@2.3",
               field="lifecycle"),
    EngineView("runc", "runc kill NAME (>= 1.0.0-rc91)", parse_runc, None),
)


class EngineReading(NamedTuple):
    key: str
    label: str
    accepted: bool
    number: int | None
    outcome: OutcomeName | None
    delivered: int | None
    effect: str

    def as_dict(self) -> dict[str, object]:
        return {
            "label": self.label,
            "accepted": self.accepted,
            "number": self.number,
            "outcome": self.outcome,
            "delivered": self.delivered,
            "delivered_name": signal_name(self.delivered) if self.delivered else None,
            "effect": self.effect,
        }


class SpellingReport(NamedTuple):
    input: str
    signal: Signal | None
    engines: tuple[EngineReading, ...]
    kill: tuple[tuple[str, int | None], ...]  # (kill tool id, number sent by `kill -s INPUT`)

    def as_dict(self) -> dict[str, object]:
        return {
            "input": self.input,
            "number": self.signal.number if self.signal else None,
            "name": self.signal.name if self.signal else None,
            "libc": self.signal.libc if self.signal else None,
            "engines": {reading.key: reading.as_dict() for reading in self.engines},
            "kill": dict(self.kill),
        }


def _decide(target: Target, view: EngineView, text: str) -> Decision:
    if view.field == "lifecycle":
        request = StopRequest(lifecycle_stop_signal=text, os="linux")
    else:
        request = StopRequest(image_stop_signal=text)
    return decide(target, request)


def read_with(view: EngineView, text: str) -> EngineReading:
    number = view.parser(text)
    accepted = number is not None  # what runc then makes of a name shows in the effect
    if view.target is None or not text:
        effect = f"reads {number}" if accepted else "rejects it"
        return EngineReading(view.key, view.label, accepted, number, None, None, effect)
    decision = _decide(parse_target([view.target]), view, text)
    return EngineReading(view.key, view.label, accepted, number, decision.outcome,
                         decision.signal, _effect(decision))


def _effect(decision: Decision) -> str:
    outcome = decision.outcome
    if outcome in (Outcome.SENT, Outcome.SUBSTITUTED):
        name = signal_name(decision.signal) if decision.signal else None
        sent = f"sends {name or decision.signal}"
        return sent if outcome is Outcome.SENT else f"{sent} instead (silently)"
    if outcome is Outcome.KILL_ONLY:
        return f"sends no stop signal; SIGKILL after {decision.kill_after:g} s" \
            if decision.kill_after is not None else "sends no stop signal"
    if outcome is Outcome.STUCK:
        return "never stops the container (stop fails, retried forever)"
    return "refuses the container"


def explain_spelling(text: str, *, libc: Libc = "glibc") -> SpellingReport:
    signal = parse_signal(text, libc=libc)
    engines = tuple(read_with(view, text) for view in ENGINE_VIEWS)
    kill = tuple((tool.id, parse_kill_signal(tool, ["-s", text])) for tool in KILL_TOOLS)
    return SpellingReport(text, signal, engines, kill)
