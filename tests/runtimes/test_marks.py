"""The `container` variable: which engines mark a container for systemd, and the prediction."""

from __future__ import annotations

import pytest

from stopsignal.runtimes import StopRequest, parse_target, resolve
from stopsignal.runtimes.marks import crio_systemd_mode, engine_mark

SYSTEMD = StopRequest(image_stop_signal="SIGRTMIN+3", command=("/sbin/init",), grace=10)


@pytest.mark.parametrize(("spec", "graceful"), [
    (("docker@20.10.24",), True),  # /.dockerenv
    (("podman@4.3.1",), True),  # container=podman
    (("kubernetes", "containerd@1.6.20"), False),  # nothing: reboot() EPERM, hang
    (("kubernetes", "containerd@2.3"), False),
    (("cri-o@1.36",), True),  # systemd mode: container=crio
])
def test_unset_container_env_hangs_only_where_nothing_marks_the_container(
        spec: tuple[str, ...], graceful: bool) -> None:
    resolution = resolve(parse_target(spec), SYSTEMD._replace(container_env=False))
    assert resolution.signal == 37
    assert resolution.graceful is graceful
    if not graceful:
        assert "EPERM" in resolution.summary


def test_container_env_set_or_unknown_keeps_the_clean_halt() -> None:
    target = parse_target(("kubernetes", "containerd@1.6.20"))
    assert resolve(target, SYSTEMD._replace(container_env=True)).graceful is True
    assert resolve(target, SYSTEMD).graceful is True  # None: lint's rule asks, not resolve


def test_crio_before_1_23_marks_only_in_systemd_mode() -> None:
    crio = parse_target(("cri-o@1.22.1",))
    assert crio_systemd_mode(["/usr/sbin/init"]) and crio_systemd_mode(["/lib/systemd/systemd"])
    assert not crio_systemd_mode(["/entrypoint.sh", "/sbin/init"])
    assert engine_mark(crio, ["/sbin/init"]) is not None
    assert engine_mark(crio, ["/entrypoint.sh"]) is None
    # From 1.23 (OpenShift 4.10) every container gets /run/.containerenv.
    assert engine_mark(parse_target(("cri-o@1.23",)), ["/entrypoint.sh"]) is not None
    fixed_parser = parse_target(("cri-o@1.21.7",))  # parses SIGRTMIN+3, before 1.23
    wrapped = SYSTEMD._replace(command=("/usr/local/bin/systemd",), container_env=False)
    assert resolve(fixed_parser, wrapped).graceful is True  # basename systemd: systemd mode


def test_the_shell_is_not_affected() -> None:
    target = parse_target(("kubernetes", "containerd@1.6.20"))
    request = StopRequest(command=("/bin/sh", "-c", "sleep 100"), container_env=False)
    assert resolve(target, request).pid1_reaction is not None
    assert "EPERM" not in resolve(target, request).summary
