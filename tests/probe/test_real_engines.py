"""Real-engine probe logic without a daemon: versions, verdicts from exit code, time and log."""

from __future__ import annotations

import pytest

from cli_runner import invoke
from stopsignal.probing.real import (
    ImageFacts,
    RealOptions,
    Stopped,
    container_env,
    engine_version,
    judge,
    observed_signal,
    predict,
    with_hook,
)
from stopsignal.probing.spec import ContainerResult, ContainerSpec, PodSpec, PreStop
from stopsignal.runtimes import parse_target

CONTAINERD = parse_target(("kubernetes", "containerd@1.6.20"))
SYSTEMD_IMAGE = ImageFacts(("/sbin/init",), None, "SIGRTMIN+3", ("PATH=/usr/bin",))
NO_STOPSIGNAL = ImageFacts(("/sbin/init",), None, None)
HUNG_LOG = ("Halting system.\nFailed to invoke reboot(): Operation not permitted\n"
            "Critical error while doing system shutdown: Operation not permitted\n")


@pytest.mark.parametrize(("text", "version"), [
    ("20.10.24+dfsg1", "20.10.24"), ("1.6.20~ds1", "1.6.20"), ("v1.7.0", "1.7.0"),
    ("28.0", "28.0.0"),
])
def test_engine_version_from_daemon_strings(text: str, version: str) -> None:
    assert engine_version(text) == version


def test_killed_only_when_137_arrives_at_the_deadline() -> None:
    result = ContainerResult("c", "containerd@1.6.20")
    judge(result, Stopped(137, 10.2, 10.0), HUNG_LOG)
    assert result.killed and not result.graceful
    assert result.observed == "halt hung: reboot() failed (EPERM)"
    quick = ContainerResult("c", "docker@20.10.24")
    judge(quick, Stopped(137, 0.4, 10.0), "")  # the workload died of SIGKILL by itself
    assert quick.graceful and not quick.killed


def test_systemd_log_names_the_signal() -> None:
    assert observed_signal("Exiting by SIGINT\n") == 2
    assert observed_signal("Reached target shutdown.target\nHalting system.\n") == 37
    assert observed_signal("systemd 252 running in system mode (+PAM)\n") == 15
    assert observed_signal("hello\n") is None


def test_pod_env_wins_over_image_env() -> None:
    image = ImageFacts(None, None, None, ("container=docker",))
    assert container_env(ContainerSpec("c", "i"), image)
    assert not container_env(ContainerSpec("c", "i", env=(("container", ""),)), image)
    assert not container_env(ContainerSpec("c", "i"), SYSTEMD_IMAGE)


def test_prediction_for_containerd_needs_the_container_variable() -> None:
    pod = PodSpec("p", ())
    bare = ContainerSpec("c", "i", command=("/sbin/init",))
    marked = ContainerSpec("c", "i", command=("/sbin/init",), env=(("container", "oci"),))
    options = RealOptions(grace=10)
    assert predict(CONTAINERD, bare, pod, SYSTEMD_IMAGE, options).graceful is False
    assert predict(CONTAINERD, marked, pod, SYSTEMD_IMAGE, options).graceful is True
    docker = parse_target(("docker@20.10.24",))
    assert predict(docker, bare, pod, SYSTEMD_IMAGE, options).graceful is True


def test_prestop_kill_37_predicts_a_clean_halt_over_sigterm() -> None:
    hook = PreStop("exec", ("kill", "-s", "37", "1"))
    spec = ContainerSpec("c", "i", env=(("container", "oci"),), prestop=hook)
    base = predict(CONTAINERD, spec, PodSpec("p", ()), NO_STOPSIGNAL, RealOptions(grace=10))
    assert base.signal == 15 and base.graceful is False
    assert with_hook(base, CONTAINERD, spec, NO_STOPSIGNAL).graceful is True
    unmarked = ContainerSpec("c", "i", prestop=hook)
    assert with_hook(base, CONTAINERD, unmarked, NO_STOPSIGNAL).graceful is False


@pytest.mark.parametrize(("args", "needle"), [
    (["--on", "docker", "--docker-host", "unix:///nonexistent/docker.sock"],
     "Docker is not reachable at unix:///nonexistent/docker.sock"),
    (["--on", "cri", "--cri-endpoint", "unix:///nonexistent/cri.sock"],
     "did not answer Version"),
])
def test_unreachable_engine_is_a_one_line_error(args: list[str], needle: str) -> None:
    result = invoke(["probe", "--image", "localhost/stopsignal-systemd",
                     *args])
    assert result.exit_code == 2, result.output
    assert needle in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_engine_emulation_and_a_real_engine_do_not_mix() -> None:
    result = invoke(["probe", "--image", "x", "--on", "docker", "--engine",
                     "docker@28.0"])
    assert result.exit_code == 2
    assert "--engine emulates" in result.output
