"""Podman's systemd mode detection history and stop-signal precedence (section 2)."""

from __future__ import annotations

import pytest

from stopsignal.runtimes import Outcome, StopRequest, Version, decide, parse_target
from stopsignal.runtimes.podman import systemd_mode

# (podman version, argv, systemd mode?, source)
DETECTION = [
    ("1.6", ("/bin/init",), True, "podman 1.0-1.6: basename init or systemd"),
    ("1.7", ("/bin/init",), False, "podman 1.7: exact /sbin/init or /usr/sbin/init"),
    ("1.7", ("/sbin/init",), True, "podman 1.7"),
    ("2.0", ("/usr/local/sbin/init",), False, "podman 2.0: /usr/local/sbin/init not yet"),
    ("2.1", ("/usr/local/sbin/init",), True, "podman 2.1 adds /usr/local/sbin/init"),
    ("4.0", ("/bin/sh", "-c", "/sbin/init"), False, "podman 4.0: no /bin/sh -c stripping"),
    ("4.1", ("/bin/sh", "-c", "/sbin/init"), True, "podman 4.1 strips a leading /bin/sh -c"),
    ("4.3", ("/bin/sh", "-c", "exec /sbin/init"), False, "exact match only: exec defeats it"),
    ("4.3", ("/usr/lib/systemd/systemd",), True, "basename systemd"),
    ("4.3", ("init",), False, "relative init is not detected"),
    ("4.3", ("/usr/bin/tini", "--", "/sbin/init"), False, "wrappers defeat detection"),
    ("4.3", ("/run/podman-init", "--", "/sbin/init"), False, "podman run --init defeats it"),
]


@pytest.mark.parametrize(("version", "argv", "expected", "source"), DETECTION)
def test_systemd_detection(version: str, argv: tuple[str, ...], expected: bool,
                           source: str) -> None:
    assert systemd_mode(Version.parse(version), argv) is expected, source


@pytest.mark.parametrize(("setting", "expected"), [("always", True), ("false", False)])
def test_systemd_setting(setting: str, expected: bool) -> None:
    assert systemd_mode(Version(4, 3), ("/usr/bin/app",) if expected else ("/sbin/init",),
                        setting) is expected


PRECEDENCE = [
    # (image STOPSIGNAL, argv, outcome, signal, source)
    (None, ("/sbin/init",), Outcome.SENT, 37, "systemd mode default RTMIN+3"),
    ("SIGTERM", ("/sbin/init",), Outcome.SENT, 15, "explicit image value beats systemd mode"),
    (None, ("/usr/bin/app",), Outcome.SENT, 15, "default SIGTERM"),
    ("-1", (), Outcome.SUBSTITUTED, 1, "ParseSignalNameOrNumber strips one '-'"),
    ("65", (), Outcome.REJECTED, None, "WithStopSignal: greater than 64"),
    ("RTMIN+16", (), Outcome.REJECTED, None, "a parse error aborts creation"),
]


@pytest.mark.parametrize(("image", "argv", "outcome", "signal", "source"), PRECEDENCE)
def test_precedence(image: str | None, argv: tuple[str, ...], outcome: Outcome,
                    signal: int | None, source: str) -> None:
    decision = decide(parse_target(["podman@4.3.1"]),
                      StopRequest(image_stop_signal=image, command=argv))
    assert (decision.outcome, decision.signal) == (outcome, signal), source


def test_timeout_zero_skips_the_stop_signal() -> None:
    # 2.4: timeout 0 sends SIGKILL directly (unlike Docker).
    decision = decide(parse_target(["podman"]), StopRequest(image_stop_signal="SIGINT", grace=0))
    assert (decision.outcome, decision.kill_after) == (Outcome.KILL_ONLY, 0.0)


def test_kube_play_lifecycle_from_5_6() -> None:
    request = StopRequest(lifecycle_stop_signal="SIGQUIT")
    assert decide(parse_target(["podman@5.5"]), request).signal == 15
    assert decide(parse_target(["podman@5.6"]), request).signal == 3


def test_default_timeout_is_10s() -> None:
    assert decide(parse_target(["podman"]), StopRequest()).kill_after == 10.0
