"""Docker's stop (section 1.3): timeouts, the kill-only error path, the 28.0 change."""

from __future__ import annotations

import pytest

from stopsignal.runtimes import Outcome, StopRequest, decide, parse_target

CASES = [
    # (engine, STOPSIGNAL, grace, outcome, signal, kill_after, source)
    ("docker@28.0", None, None, Outcome.SENT, 15, 10.0, "default-stop-timeout 10 s"),
    ("docker@28.0", "SIGRTMIN+3", 30, Outcome.SENT, 37, 30.0, "moby/sys RT keys since 1.10"),
    ("docker@1.9", "SIGRTMIN+3", None, Outcome.KILL_ONLY, None, 2.0,
     "Docker 1.9 map had classic names only (moby d1ae13b0 added RT)"),
    ("docker@1.8", "SIGINT", None, Outcome.SENT, 15, 10.0, "STOPSIGNAL arrived in 1.9 (0e50d946)"),
    ("docker@28.0", "RT3", None, Outcome.KILL_ONLY, None, 2.0, "error path: 2 s then SIGKILL"),
    ("docker@28.0", "-1", None, Outcome.SUBSTITUTED, 15, 10.0, "moby PR #49471"),
    ("docker@27.5", "-1", None, Outcome.KILL_ONLY, None, 2.0, "before moby PR #49471"),
    ("docker@28.0", "128", None, Outcome.KILL_ONLY, None, 2.0, "kernel EINVAL, error path"),
    ("docker@28.0", "SIGTERM", 0, Outcome.SENT, 15, 0.0, "timeout 0 still sends the signal"),
    ("docker@28.0", "SIGTERM", -1, Outcome.SENT, 15, None, "negative: never force-kill"),
]


@pytest.mark.parametrize(("engine", "stop", "grace", "outcome", "signal", "kill_after", "source"),
                         CASES)
def test_docker(engine: str, stop: str | None, grace: float | None, outcome: Outcome,
                signal: int | None, kill_after: float | None, source: str) -> None:
    decision = decide(parse_target([engine]), StopRequest(image_stop_signal=stop, grace=grace))
    assert (decision.outcome, decision.signal, decision.kill_after) == \
        (outcome, signal, kill_after), source


def test_windows_default_timeout() -> None:
    decision = decide(parse_target(["docker"]), StopRequest(os="windows"))
    assert decision.kill_after == 30.0
