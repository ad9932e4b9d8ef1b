"""containerd's parser eras (runtime-semantics.md 4.2) and the stuck stop (4.3)."""

from __future__ import annotations

import pytest

from stopsignal.runtimes import Outcome, StopRequest, decide, parse_target

S, K = Outcome.SENT, Outcome.STUCK
# (containerd version, source) -> results for SIGRTMIN+3, RTMIN+3, 37, SIGINT, INT, 2
ERAS = [
    ("1.2.0", "containerd v1.2.0 vendored Docker pkg/signal",
     [(S, 37), (S, 37), (S, 37), (S, 2), (S, 2), (S, 2)]),
    ("1.3.0", "containerd PR #3063 (unix.SignalNum, numbers with a name)",
     [(K, None), (K, None), (K, None), (S, 2), (K, None), (S, 2)]),
    ("1.4.0", "containerd PR #4115 (number check dropped)",
     [(K, None), (K, None), (S, 37), (S, 2), (K, None), (S, 2)]),
    ("1.5.18", "containerd 1.5 (fix #5693 not backported)",
     [(K, None), (K, None), (S, 37), (S, 2), (K, None), (S, 2)]),
    ("1.6.0", "containerd PR #5693 (commit 1d3d0802), fixes #5402",
     [(S, 37), (S, 37), (S, 37), (S, 2), (S, 2), (S, 2)]),
    ("2.3.0", "containerd main",
     [(S, 37), (S, 37), (S, 37), (S, 2), (S, 2), (S, 2)]),
]
INPUTS = ["SIGRTMIN+3", "RTMIN+3", "37", "SIGINT", "INT", "2"]


@pytest.mark.parametrize(("version", "source", "expected"), ERAS, ids=[e[0] for e in ERAS])
def test_parser_eras(version: str, source: str, expected: list[tuple[Outcome, int]]) -> None:
    target = parse_target([f"containerd@{version}"])
    got = [(d.outcome, d.signal) for d in
           (decide(target, StopRequest(image_stop_signal=text)) for text in INPUTS)]
    assert got == expected, source


def test_stuck_means_no_sigkill_ever() -> None:
    # 4.3: StopContainer fails before the SIGKILL fallback; the pod stays Terminating.
    decision = decide(parse_target(["containerd@1.5"]), StopRequest(image_stop_signal="RTMIN+3"))
    assert decision.outcome is Outcome.STUCK and decision.kill_after is None
    assert "#5402" in " ".join(step.source for step in decision.steps)


def test_lifecycle_needs_containerd_2_3() -> None:
    # 4.4: containerd honours the CRI stop_signal from v2.3.0 (PR #11774).
    request = StopRequest(image_stop_signal="SIGTERM", lifecycle_stop_signal="SIGQUIT",
                          os="linux")
    old = decide(parse_target(["kubernetes@1.33+ContainerStopSignals", "containerd@2.2"]),
                 request)
    new = decide(parse_target(["kubernetes@1.33+ContainerStopSignals", "containerd@2.3"]),
                 request)
    assert (old.signal, new.signal) == (15, 3)
