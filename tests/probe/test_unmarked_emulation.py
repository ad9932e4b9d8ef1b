"""The podman emulation of an engine that does not mark the container for systemd."""

from __future__ import annotations

from pathlib import Path

import pytest

from stopsignal.demo.scenarios import SCENARIOS
from stopsignal.probing.manifest import read_pods
from stopsignal.probing.session import ProbeOptions, emulate_unmarked, request_for
from stopsignal.probing.spec import ContainerSpec, PodSpec
from stopsignal.runtimes import Target, parse_target, resolve

SEED = Path(__file__).parents[2] / "examples" / "seed"
INIT = ("/sbin/init",)
WRAPPER = ("/entrypoint.sh",)


def target(spec: str) -> Target:
    return parse_target(tuple(spec.split(",")))


@pytest.mark.parametrize(("spec", "command", "unmarked"), [
    ("kubernetes@1.30,containerd@1.7", INIT, True),  # CRI sets nothing
    ("kubernetes,containerd@1.6", INIT, True),
    ("kubernetes@1.33", WRAPPER, True),  # containerd 2.3 under the hood
    ("cri-o@1.22.1", WRAPPER, True),  # no systemd mode, before /run/.containerenv
    ("openshift@4.9", WRAPPER, True),
    ("cri-o@1.22.1", INIT, False),  # systemd mode: container=crio
    ("openshift@4.9", ("/lib/systemd/systemd",), False),
    ("cri-o@1.23", WRAPPER, False),  # /run/.containerenv in every container
    ("openshift@4.10", WRAPPER, False),
    ("podman@4.3", INIT, False),  # container=podman: podman itself
    ("docker@20.10", INIT, False),  # /.dockerenv
])
def test_only_unmarking_engines_get_an_empty_container_variable(
        spec: str, command: tuple[str, ...], unmarked: bool) -> None:
    note = emulate_unmarked(target(spec), command, (), ())
    assert (note is not None) is unmarked
    if note is not None:
        assert note.endswith("does not mark the container: container= set empty to emulate it")


def test_the_note_names_the_engine() -> None:
    note = emulate_unmarked(target("kubernetes@1.30,containerd@1.7"), INIT, (), ())
    assert note == ("containerd 1.7 via CRI does not mark the container: container= set empty "
                    "to emulate it")
    assert "outside its systemd mode" in str(emulate_unmarked(target("cri-o@1.22.1"), WRAPPER,
                                                              (), ()))


@pytest.mark.parametrize(("env", "image_env", "unmarked"), [
    ((("container", "oci"),), (), False),  # the pod marks it
    ((("container", ""),), (), False),  # the pod set it (empty): it decides, nothing added
    ((), ("PATH=/bin", "container=oci"), False),  # ENV container=oci in the image
    ((), ("container=",), True),  # an empty ENV marks nothing
    ((("container", "oci"),), ("container=",), False),  # the pod's env wins
    ((("FOO", "1"),), ("PATH=/bin",), True),
])
def test_a_container_variable_of_the_pod_or_the_image_wins(
        env: tuple[tuple[str, str], ...], image_env: tuple[str, ...], unmarked: bool) -> None:
    note = emulate_unmarked(target("kubernetes@1.30,containerd@1.7"), INIT, env, image_env)
    assert (note is not None) is unmarked


def seed_systemd(env: tuple[tuple[str, str], ...] = ()) -> tuple[ContainerSpec, PodSpec]:
    path = SEED / "pod-stopsignal-systemd.yaml"
    pod = read_pods(path.read_text(), str(path))[0]
    spec = pod.containers[0]
    return ContainerSpec(spec.name, spec.image, spec.command, spec.args, env), pod


def test_the_probes_expectation_takes_the_mark_into_account() -> None:
    containerd = target("kubernetes@1.30,containerd@1.7")
    spec, pod = seed_systemd()
    request = request_for(spec, pod, None, None, "SIGRTMIN+3", ProbeOptions(grace=5))
    assert request.container_env is False
    hang = resolve(containerd, request)
    assert hang.signal == 37 and hang.graceful is False
    assert "EPERM" in hang.summary
    marked, _ = seed_systemd((("container", "oci"),))
    assert resolve(containerd, request_for(marked, pod, None, None, "SIGRTMIN+3",
                                           ProbeOptions(grace=5))).graceful is True
    image = request_for(spec, pod, None, None, "SIGRTMIN+3", ProbeOptions(grace=5),
                        ("container=oci",))
    assert resolve(containerd, image).graceful is True
    # Engines that mark the container keep the clean halt without any variable.
    for spec_text in ("podman@4.3", "docker@20.10", "openshift@4.10"):
        assert resolve(target(spec_text), request).graceful is True


def test_the_articles_systemd_scenarios_are_not_unmarked() -> None:
    """OpenShift 4.9 runs /sbin/init in CRI-O's systemd mode, 4.10 mounts /run/.containerenv."""
    checked = 0
    for scenario in SCENARIOS:
        for spec in scenario.pod(SEED).containers:
            if spec.image.startswith("localhost/stopsignal-systemd"):
                command = spec.command or INIT  # the seed image's ENTRYPOINT
                assert emulate_unmarked(target(scenario.engine), command, spec.env, ()) is None
                checked += 1
    assert checked == 4
