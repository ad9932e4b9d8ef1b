"""CRI-O's five eras (runtime-semantics.md 3.1-3.5), each row with its source."""

from __future__ import annotations

import pytest

from stopsignal.runtimes import Outcome, StopRequest, Version, decide, parse_target
from stopsignal.runtimes.crio import CCOMMON, MAP_NAME, MAP_NUM, SIGNALNUM, era

S, T, K = Outcome.SENT, Outcome.SUBSTITUTED, Outcome.STUCK

ERAS = [
    # (version, era, source)
    ("1.13.0", MAP_NAME, "cri-o tags <= 1.14 (OpenShift 4.1)"),
    ("1.14.9", MAP_NAME, "cri-o tags <= 1.14"),
    ("1.15.3", MAP_NAME, "cri-o PR #3249 not yet backported"),
    ("1.15.4", MAP_NUM, "cri-o backport of PR #3249 to 1.15"),
    ("1.16.3", MAP_NAME, "cri-o 1.16 before backport"),
    ("1.16.4", MAP_NUM, "cri-o backport of PR #3249 to 1.16"),
    ("1.17.0", MAP_NAME, "cri-o 1.17.0 before backport"),
    ("1.17.1", MAP_NUM, "cri-o backport of PR #3249 to 1.17"),
    ("1.18.0", SIGNALNUM, "cri-o commit dbbfd786 (regression)"),
    ("1.20.9", SIGNALNUM, "cri-o commit dbbfd786, never fixed on 1.20"),
    ("1.21.6", SIGNALNUM, "cri-o 1.21 before backport #5861"),
    ("1.21.7", CCOMMON, "cri-o backport #5861"),
    ("1.22.1", SIGNALNUM, "cri-o 1.22 before backport #5439 (OpenShift 4.9)"),
    ("1.22.2", CCOMMON, "cri-o backport #5439"),
    ("1.23.0", CCOMMON, "cri-o PR #5366 (commit 20ad4f60)"),
    ("1.36.0", CCOMMON, "cri-o main"),
]


@pytest.mark.parametrize(("version", "expected", "source"), ERAS)
def test_eras(version: str, expected: str, source: str) -> None:
    assert era(Version.parse(version)) == expected, source


# Section 3.2: what CRI-O sent for the six canonical inputs, per era.
TABLE = {
    "SIGRTMIN+3": {MAP_NAME: (K, None), MAP_NUM: (S, 37), SIGNALNUM: (T, 15), CCOMMON: (S, 37)},
    "RTMIN+3": {MAP_NAME: (K, None), MAP_NUM: (S, 37), SIGNALNUM: (T, 15), CCOMMON: (S, 37)},
    "37": {MAP_NAME: (T, 15), MAP_NUM: (T, 15), SIGNALNUM: (T, 15), CCOMMON: (S, 37)},
    "SIGINT": {MAP_NAME: (S, 2), MAP_NUM: (S, 2), SIGNALNUM: (S, 2), CCOMMON: (S, 2)},
    "INT": {MAP_NAME: (S, 2), MAP_NUM: (S, 2), SIGNALNUM: (T, 15), CCOMMON: (S, 2)},
    "2": {MAP_NAME: (T, 15), MAP_NUM: (T, 15), SIGNALNUM: (T, 15), CCOMMON: (S, 2)},
}
VERSION_OF = {MAP_NAME: "1.16.0", MAP_NUM: "1.16.4", SIGNALNUM: "1.22.1", CCOMMON: "1.23.0"}
CASES = [(text, name, expected) for text, row in TABLE.items() for name, expected in row.items()]


@pytest.mark.parametrize(("text", "era_name", "expected"), CASES)
def test_canonical_inputs(text: str, era_name: str, expected: tuple[Outcome, int | None]) -> None:
    target = parse_target([f"cri-o@{VERSION_OF[era_name]}"])
    decision = decide(target, StopRequest(image_stop_signal=text))
    assert (decision.outcome, decision.signal) == expected


def test_map_name_stuck_is_never_sigkilled() -> None:
    # runc kill RTMIN+3 fails and CRI-O <= 1.17.0 returned without SIGKILL (runc #1766).
    decision = decide(parse_target(["cri-o@1.17.0"]), StopRequest(image_stop_signal="SIGRTMIN+3"))
    assert decision.kill_after is None
    assert any("runc" in step.source for step in decision.steps)


@pytest.mark.parametrize(("openshift", "signal"), [
    ("openshift@4.3", None), ("openshift@4.4", None), ("openshift@4.5", 15),
    ("openshift@4.7", 15), ("openshift@4.8", 15),
    ("openshift@4.9", 15), ("openshift@4.10", 37), ("openshift@4.15", 37),
])
def test_openshift_aliases(openshift: str, signal: int | None) -> None:
    # Section 3.4: OpenShift 4.N ships CRI-O 1.(N+13).0 (the first patch: 4.3/4.4 are stuck
    # before the 1.16.4/1.17.1 backports); 4.9 is the article's 1.22.1.
    decision = decide(parse_target([openshift]), StopRequest(image_stop_signal="SIGRTMIN+3"))
    assert decision.signal == signal


def test_openshift_4_9_is_the_article_release() -> None:
    target = parse_target(["openshift@4.9"])
    assert str(target.runtime.version) == "1.22.1"
    assert target.kubelet is not None and str(target.kubelet.version) == "1.22.0"


def test_out_of_range_numbers_kill_at_the_end_of_grace() -> None:
    # Section 3.3: runtime kill fails, CRI-O keeps waiting, SIGKILL after the timeout.
    decision = decide(parse_target(["cri-o@1.30"]),
                      StopRequest(image_stop_signal="65", grace=12))
    assert (decision.outcome, decision.kill_after) == (Outcome.KILL_ONLY, 12.0)
