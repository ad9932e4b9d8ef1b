"""The article's seven experiments: what runs, on which engine, and what the article saw."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from stopsignal.probing.logs import re_executed, workload_saw
from stopsignal.probing.manifest import read_pods
from stopsignal.probing.spec import ContainerResult, ContainerSpec, PodSpec

SYSTEMD_IMAGE = "localhost/stopsignal-systemd"
DEMO_IMAGE = "localhost/stopsignal-demo"
DEMO_37_IMAGE = "localhost/stopsignal-demo-37"
#: The podman the article used for its first experiment, and the machine's podman here.
PODMAN = "podman@4.3"


@dataclass(frozen=True)
class Expected:
    """What the article reports. ``signal`` None = whatever the runtime sends is fine."""

    workload_saw: str
    graceful: bool
    signal: str | None = None
    prestop_ok: bool | None = None
    re_executed: bool | None = None  # systemd's banner after the stop (SIGTERM = daemon-reexec)
    article: str = ""

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"signal_sent": self.signal, "workload_saw": self.workload_saw,
                                  "graceful": self.graceful, "article": self.article}
        if self.prestop_ok is not None:
            out["prestop_ok"] = self.prestop_ok
        if self.re_executed is not None:
            out["re_executed"] = self.re_executed
        return out


@dataclass(frozen=True)
class Scenario:
    id: str
    engine: str
    manifest: str | None  # a file in the seed directory; None = podman run of ``image``
    expected: Expected
    image: str | None = None  # replaces the manifest's image (the STOPSIGNAL 37 variant)
    #: The real engine that runs it: podman (emulating ``engine``), docker, or cri.
    on: str = "podman"
    env: tuple[tuple[str, str], ...] = ()  # added to every container

    def pod(self, seed: Path) -> PodSpec:
        if self.manifest is None:
            assert self.image is not None
            # `podman run -it -d IMAGE`, as the article does
            return PodSpec(name="podman-run", containers=(
                ContainerSpec(name="systemd", image=self.image, tty=True, env=self.env),))
        path = seed / self.manifest
        pod = read_pods(path.read_text(), str(path))[0]
        if self.image is not None:
            pod = replace(pod, containers=tuple(replace(c, image=self.image)
                                                for c in pod.containers))
        if self.env:
            pod = replace(pod, containers=tuple(replace(c, env=(*c.env, *self.env))
                                                for c in pod.containers))
        return pod


SCENARIOS: tuple[Scenario, ...] = (
    Scenario("podman-systemd", PODMAN, None, Expected(
        "clean halt", True, "SIGRTMIN+3",
        article="podman stop: systemd runs its shutdown, 'Exiting container.'"),
        image=SYSTEMD_IMAGE),
    Scenario("openshift-4.9-systemd", "openshift@4.9", "pod-stopsignal-systemd.yaml", Expected(
        "re-executed", False, "SIGTERM", re_executed=True,
        article="oc delete: systemd does not begin the stop sequence and keeps running")),
    Scenario("openshift-4.9-systemd-prestop", "openshift@4.9", "pod-stopsignal-lifecycle.yaml",
             Expected("clean halt", True, None, prestop_ok=True, re_executed=True,
                      article="preStop kill -RTMIN+3 1: the log immediately shows the halt "
                              "(with SIGTERM's re-execution banner in the middle)")),
    Scenario("openshift-4.9-demo-sigint", "openshift@4.9", "pod-stopsignal-demo.yaml", Expected(
        "Exiting by SIGINT", True, "SIGINT", article="STOPSIGNAL SIGINT: 'Exiting by SIGINT'")),
    Scenario("openshift-4.9-demo-37", "openshift@4.9", "pod-stopsignal-demo.yaml", Expected(
        "Exiting by SIGTERM", True, "SIGTERM",
        article="STOPSIGNAL 37: OpenShift sends SIGTERM instead of SIGRTMIN+3"),
        image=DEMO_37_IMAGE),
    Scenario("openshift-4.10-demo-37", "openshift@4.10", "pod-stopsignal-demo.yaml", Expected(
        "Exiting by SIGRTMIN+3", True, "SIGRTMIN+3",
        article="OpenShift 4.10 sends SIGRTMIN+3 as the image says"), image=DEMO_37_IMAGE),
    Scenario("openshift-4.10-systemd", "openshift@4.10", "pod-stopsignal-systemd.yaml", Expected(
        "clean halt", True, "SIGRTMIN+3",
        article="fixed in 4.10: STOPSIGNAL SIGRTMIN+3 reaches systemd without a hook")),
)

IDS = tuple(scenario.id for scenario in SCENARIOS)

#: Beyond the article: the same pods and images on the engines people run, for real
#: (``stopsignal demo --on docker,cri``; scripts/setup-engines.sh starts them).
REAL_SCENARIOS: tuple[Scenario, ...] = (
    Scenario("containerd-1.6-systemd", "kubernetes,containerd@1.6",
             "pod-stopsignal-systemd.yaml", Expected(
                 "halt hung: reboot() failed (EPERM)", False, "SIGRTMIN+3",
                 article="not in the article: containerd via CRI sets no container variable; "
                         "systemd gets SIGRTMIN+3, halts as on a machine and hangs until "
                         "SIGKILL (rule systemd-container-env)"), on="cri"),
    Scenario("containerd-1.6-systemd-container-env", "kubernetes,containerd@1.6",
             "pod-stopsignal-systemd.yaml", Expected(
                 "clean halt", True, "SIGRTMIN+3",
                 article="the fix: env container=oci, and the same pod halts cleanly"),
             on="cri", env=(("container", "oci"),)),
    Scenario("docker-20.10-systemd", "docker@20.10", None, Expected(
        "clean halt", True, "SIGRTMIN+3",
        article="docker stop: /.dockerenv marks the container; a clean halt in about 1 s"),
        image=SYSTEMD_IMAGE, on="docker"),
    Scenario("docker-20.10-demo-sigint", "docker@20.10", "pod-stopsignal-demo.yaml", Expected(
        "Exiting by SIGINT", True, "SIGINT",
        article="the article's demo image under docker stop: 'Exiting by SIGINT'"),
        on="docker"),
)
REAL_IDS = tuple(scenario.id for scenario in REAL_SCENARIOS)


def observe(result: ContainerResult) -> dict[str, object]:
    return {
        "signal_sent": result.signal_sent,
        "workload_saw": workload_saw(result.stop_logs),
        "graceful": result.graceful,
        "killed": result.killed,
        "exit_code": result.exit_code,
        "seconds": round(result.seconds, 2),
        "prestop_ok": result.prestop_ok if result.prestop_ran else None,
        "re_executed": re_executed(result.stop_logs),
    }


def matches(expected: Expected, observed: dict[str, object]) -> bool:
    if observed["workload_saw"] != expected.workload_saw:
        return False
    if observed["graceful"] is not expected.graceful:
        return False
    if expected.signal is not None and observed["signal_sent"] != expected.signal:
        return False
    if expected.re_executed is not None and observed["re_executed"] is not expected.re_executed:
        return False
    return expected.prestop_ok is None or observed["prestop_ok"] is expected.prestop_ok
