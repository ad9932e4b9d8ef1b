"""The kubelet's termination sequence and lifecycle.stopSignal validation (section 6)."""

from __future__ import annotations

import pytest

from stopsignal.runtimes import Outcome, StopRequest, decide, parse_target
from stopsignal.runtimes.kubelet import remaining_after_prestop, validate_stop_signal


@pytest.mark.parametrize(("grace", "prestop", "remaining"), [
    (30, 0, 30), (30, 5, 25), (30, 5.9, 25),  # whole seconds only
    (30, 29, 2), (30, 40, 2),  # the 2-second floor, also on overrun
    (1, 0, 2),  # minimumGracePeriodInSeconds
])
def test_remaining_after_prestop(grace: float, prestop: float, remaining: float) -> None:
    # kuberuntime_container.go killContainer; kuberuntime_manager.go minimumGracePeriodInSeconds
    assert remaining_after_prestop(grace, prestop) == remaining


def test_sigkill_time_counts_from_the_start_of_the_countdown() -> None:
    decision = decide(parse_target(["kubernetes@1.30", "containerd@1.7"]),
                      StopRequest(grace=10, prestop_seconds=4))
    assert decision.kill_after == 10.0
    decision = decide(parse_target(["kubernetes@1.30", "containerd@1.7"]),
                      StopRequest(grace=10, prestop_seconds=12))
    assert decision.kill_after == 14.0  # preStop overran: the runtime still gets 2 s


def test_default_grace_is_30() -> None:
    assert decide(parse_target(["kubernetes@1.30"]), StopRequest()).kill_after == 30.0


@pytest.mark.parametrize(("value", "os", "error"), [
    ("SIGRTMIN+3", None, "non-empty .spec.os.name"),
    ("SIGRTMIN+3", "linux", None),
    ("RTMIN+3", "linux", "unsupported"),
    ("37", "linux", "unsupported"),
    ("sigterm", "linux", "unsupported"),
    ("SIGQUIT", "windows", "unsupported"),
    ("SIGKILL", "windows", None),
])
def test_validation(value: str, os: str | None, error: str | None) -> None:
    # KEP-4960: spec.os.name required, exact upper-case SIG names, Windows TERM/KILL only.
    got = validate_stop_signal(value, os)
    assert (got is None) if error is None else (got is not None and error in got)


LIFECYCLE = [
    # (engines, outcome, signal, source)
    (["kubernetes@1.32", "containerd@2.3"], Outcome.SENT, 15, "field added in 1.33"),
    (["kubernetes@1.33", "containerd@2.3"], Outcome.SENT, 15, "gate off: the field is dropped"),
    (["kubernetes@1.33+ContainerStopSignals", "containerd@2.3"], Outcome.SENT, 3,
     "containerd 2.3 honours it"),
    (["kubernetes@1.33+ContainerStopSignals", "containerd@1.7"], Outcome.SENT, 15,
     "older runtimes ignore it"),
    (["kubernetes@1.33+ContainerStopSignals", "cri-o@1.33"], Outcome.SENT, 3,
     "CRI-O 1.33 honours classic names (PR #9086)"),
    (["kubernetes@1.33+ContainerStopSignals", "cri-o@1.32"], Outcome.SENT, 15,
     "CRI-O before 1.33 ignores it"),
]


@pytest.mark.parametrize(("engines", "outcome", "signal", "source"), LIFECYCLE)
def test_lifecycle_stop_signal(engines: list[str], outcome: Outcome, signal: int,
                               source: str) -> None:
    decision = decide(parse_target(engines),
                      StopRequest(lifecycle_stop_signal="SIGQUIT", os="linux"))
    assert (decision.outcome, decision.signal) == (outcome, signal), source


def test_lifecycle_without_os_is_rejected() -> None:
    decision = decide(parse_target(["kubernetes@1.33+ContainerStopSignals", "containerd@2.3"]),
                      StopRequest(lifecycle_stop_signal="SIGQUIT"))
    assert decision.outcome is Outcome.REJECTED


def test_lifecycle_beats_image() -> None:
    decision = decide(parse_target(["kubernetes@1.34+ContainerStopSignals", "containerd@2.3"]),
                      StopRequest(image_stop_signal="SIGINT", lifecycle_stop_signal="SIGQUIT",
                                  os="linux"))
    assert decision.signal == 3
