"""`stopsignal inspect` on real Docker and containerd (CRI) containers, then a real stop.

These run where scripts/setup-engines.sh started the private daemons (CI does, through
.ci/run): DOCKER_HOST and CONTAINER_RUNTIME_ENDPOINT point at them. Elsewhere they are
skipped, saying why. CRI containers are made the way the kubelet makes them (a sandbox per
pod, its labels and annotations: pod name, namespace, grace period, preStop hook), so
node mode, the metrics and the kubelet's stop (preStop through ExecSync, then
StopContainer) are exercised for real.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from e2e_helpers import REPO, RUN, TINI_IMAGE, build_tini_image, podman, stopsignal

pytestmark = pytest.mark.podman  # the tini image is built with podman

DOCKER = "/usr/bin/docker" if Path("/usr/bin/docker").exists() else "docker"
NOSTOP = "localhost/stopsignal-systemd-nostopsignal"
LOOP = ["/bin/sh", "-c", "while true; do sleep 1; done"]
TIMEOUT = 4
GRACEFUL_GRACE = 30  # the CRI stops expected to be graceful (test_cri_real_stop_agrees)
NAMESPACE = f"ss-inspect-{RUN}"
PRESTOP_37 = ["/bin/sh", "-c", "kill -s 37 1; while kill -0 1; do sleep 1 || break; done"]


class Case(NamedTuple):
    image: str
    command: tuple[str, ...] = ()
    systemd: bool = False
    verdict: str = "acts"
    graceful: bool = True
    log: str | None = None
    prestop: tuple[str, ...] = ()
    cri_only: bool = False
    user: int | None = None


CASES = {
    "systemd-rtmin3": Case("localhost/stopsignal-systemd", systemd=True),
    "systemd-sigterm": Case(NOSTOP, systemd=True, verdict="re-executes", graceful=False),
    "shell-loop": Case(NOSTOP, tuple(LOOP), verdict="ignores", graceful=False),
    "sleep": Case(NOSTOP, ("sleep", "infinity"), verdict="ignores", graceful=False),
    "demo-sigint": Case("localhost/stopsignal-demo", log="Exiting by SIGINT"),
    "demo-37": Case("localhost/stopsignal-demo-37", log="Exiting by SIGRTMIN+3"),
    "tini-handler": Case(TINI_IMAGE, log="Exiting by SIGTERM"),
    # Not root: its /proc/PID/fd, syscall and mem are owner-only (DAC_READ_SEARCH).
    "tini-as-user": Case(TINI_IMAGE, log="Exiting by SIGTERM", user=1000),
    # The article's fix, as the kubelet runs it: the preStop hook halts systemd first.
    "systemd-prestop": Case(NOSTOP, systemd=True, prestop=tuple(PRESTOP_37), cri_only=True),
}


def docker(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([DOCKER, *args], capture_output=True, text=True, timeout=120,
                          check=False)


@pytest.fixture(scope="module")
def tini_archive(images: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """tini in front of the article's script, built with podman, saved for the engines."""
    context = tmp_path_factory.mktemp("tini")
    build_tini_image(context)
    archive = context / "tini.tar"
    saved = podman("save", "--format", "docker-archive", "-o", str(archive), TINI_IMAGE)
    podman("rmi", "-f", TINI_IMAGE)
    assert saved.returncode == 0, saved.stderr
    yield archive


# --- Docker -------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def docker_running(tini_archive: Path) -> Iterator[dict[str, str]]:
    host = os.environ.get("DOCKER_HOST")
    if not host:
        pytest.skip("DOCKER_HOST is not set: run scripts/setup-engines.sh and export its lines")
    if docker("version").returncode != 0:
        pytest.skip(f"Docker does not answer at {host}")
    assert docker("load", "-q", "-i", str(tini_archive)).returncode == 0
    names: dict[str, str] = {}
    try:
        for case, spec in CASES.items():
            if spec.cri_only:
                continue
            name = f"{NAMESPACE}-{case}"
            extra = ["--tmpfs", "/run", "--tmpfs", "/run/lock", "--tmpfs", "/tmp", "-v",
                     "/sys/fs/cgroup:/sys/fs/cgroup:ro"] if spec.systemd else []
            if spec.user is not None:
                extra += ["--user", str(spec.user)]
            if spec.command:  # like the pod's `command`: it replaces the entrypoint
                extra += ["--entrypoint", spec.command[0]]
            started = docker("run", "-d", "--name", name, "--network", "none",
                             "--stop-timeout", str(TIMEOUT), *extra, spec.image,
                             *spec.command[1:])
            assert started.returncode == 0, started.stderr
            names[case] = name
        yield names
    finally:
        if names:
            docker("rm", "-f", *names.values())
        docker("rmi", "-f", TINI_IMAGE)


def settled(args: list[str], expected: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Inspect until every container shows its verdict (handlers come a moment after start)."""
    deadline = time.monotonic() + 40
    while True:
        done = stopsignal("inspect", "--json", *args)
        assert done.returncode in (0, 1), done.stderr
        found = {entry["id"]: entry for entry in json.loads(done.stdout)["containers"]}
        found |= {entry["name"]: entry for entry in found.values()}
        if all(found.get(key, {}).get("verdict") == verdict
               for key, verdict in expected.items()) or time.monotonic() > deadline:
            return found
        time.sleep(0.5)


# Before the real stop below, which stops these containers (pytest keeps the file's order).
def test_docker_api_and_cli_give_the_same_json(docker_running: dict[str, str]) -> None:
    """The Engine API and the docker CLI: the same containers, the same JSON, field for field.

    procfs is read once for both: PID 1's masks change while systemd boots, the engine's
    answers do not.
    """
    from stopsignal.inspect import docker_engine, live, procread

    expected = {name: CASES[case].verdict for case, name in docker_running.items()}
    settled(["--on", "docker", *docker_running.values()], expected)  # handlers are in place
    asked = [*docker_running.values(), "ss-no-such-container"]
    through_api = docker_engine.list_running(asked, None, via="api")
    through_cli = docker_engine.list_running(asked, None, via="cli")
    assert through_api == through_cli
    assert through_api[1] == [("ss-no-such-container",
                               "no running Docker container has this name or ID")]
    reads = {container.id: procread.read_container(container) for container in through_api[0]}
    as_json = [[live.inspect_one(container, reads[container.id]).as_dict()
                for container in found] for found, _ in (through_api, through_cli)]
    assert as_json[0] == as_json[1]
    assert {entry["name"] for entry in as_json[0]} == set(docker_running.values())
    assert {entry["verdict"] for entry in as_json[0]} == set(expected.values())
    assert all(entry["version"] and entry["pid1"] for entry in as_json[0])
    everything = docker_engine.list_running([], None, via="api")[0]
    assert set(reads) <= {container.id for container in everything}


def test_docker_api_a_container_gone_before_its_inspect_is_a_note(
        docker_running: dict[str, str]) -> None:
    """Listed, then removed before its GET /containers/{id}/json: a 404, so a note."""
    from stopsignal.inspect import docker_api, docker_engine

    path = docker_api.socket_path(os.environ["DOCKER_HOST"])
    assert path is not None
    started = docker("run", "-d", "--network", "none", "--entrypoint", "sleep", NOSTOP,
                     "infinity")
    assert started.returncode == 0, started.stderr
    gone = started.stdout.strip()
    with contextlib.closing(docker_api.EngineApi(path)) as api:
        listed = api.get("/containers/json")
        assert docker("rm", "-f", gone).returncode == 0
        with pytest.raises(docker_api.ApiError) as error:
            api.get(f"/containers/{gone}/json")
        assert error.value.status == 404 and "No such container" in error.value.message
        ours = [entry["Id"] for entry in listed if entry["Names"][0].lstrip("/") in
                set(docker_running.values())]
        assert gone in {entry["Id"] for entry in listed} and len(ours) == len(docker_running)
        details = docker_engine._inspect_each(api, path, [*ours, gone])
    assert sorted(details) == sorted(ours)
    found, missing = docker_engine._found([{"ID": gone, "Names": "ss-gone"}], details, "x", [])
    assert (found, missing) == ([], [("ss-gone", docker_engine.EXITED)])


def test_docker_verdicts_then_a_real_stop(docker_running: dict[str, str]) -> None:
    expected = {name: CASES[case].verdict for case, name in docker_running.items()}
    found = settled(["--on", "docker", *docker_running.values()], expected)
    for case, name in docker_running.items():
        entry = found[name]
        assert entry["verdict"] == CASES[case].verdict, (case, entry)
        assert entry["engine"] == "docker" and entry["grace_seconds"] == TIMEOUT
    assert found[docker_running["tini-handler"]]["forwards"] is True
    stops = [subprocess.Popen([DOCKER, "stop", "-t", str(TIMEOUT), name],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
             for name in docker_running.values()]
    for process in stops:
        process.wait(timeout=60)
    for case, name in docker_running.items():
        code = int(docker("inspect", "--format", "{{.State.ExitCode}}", name).stdout)
        assert (code != 137) is CASES[case].graceful, (case, code)
        if CASES[case].log:
            logs = docker("logs", name)
            assert CASES[case].log in logs.stdout + logs.stderr, case


# --- containerd through CRI -----------------------------------------------------------------

class CriPods:
    def __init__(self, endpoint: str) -> None:
        import grpc
        from cri_api.v1 import api_pb2, api_pb2_grpc

        self.pb = api_pb2
        self.channel = grpc.insecure_channel(endpoint)
        self.runtime = api_pb2_grpc.RuntimeServiceStub(self.channel)
        self.sandboxes: list[str] = []
        self.scratch = Path(tempfile.mkdtemp(prefix="ss-inspect-cri-", dir="/run"))

    def start(self, case: str, spec: Case) -> str:
        """A pod with one container, labelled and annotated as the kubelet does."""
        pb = self.pb
        pod = f"{case}-{uuid.uuid4().hex[:4]}"
        options = pb.NamespaceOption(network=pb.NODE, pid=pb.CONTAINER)
        logs = self.scratch / pod
        logs.mkdir()
        sandbox = pb.PodSandboxConfig(
            metadata=pb.PodSandboxMetadata(name=pod, uid=pod, namespace=NAMESPACE),
            log_directory=str(logs), labels={"io.stopsignal.probe.run": RUN},
            linux=pb.LinuxPodSandboxConfig(security_context=pb.LinuxSandboxSecurityContext(
                namespace_options=options)))
        sandbox_id = self.runtime.RunPodSandbox(pb.RunPodSandboxRequest(config=sandbox),
                                                timeout=120).pod_sandbox_id
        self.sandboxes.append(sandbox_id)
        mounts, env = [], []
        if spec.systemd:  # what CRI-O's systemd mode does; containerd needs it said
            for target in ("/run", "/run/lock", "/tmp"):
                (logs / target.replace("/", "_")).mkdir()
                mounts.append(pb.Mount(container_path=target,
                                       host_path=str(logs / target.replace("/", "_"))))
            mounts.append(pb.Mount(container_path="/sys/fs/cgroup", host_path="/sys/fs/cgroup",
                                   readonly=True))
            env.append(pb.KeyValue(key="container", value="containerd"))
        annotations = {"io.kubernetes.pod.terminationGracePeriod": str(TIMEOUT)}
        if spec.prestop:
            annotations["io.kubernetes.container.preStopHandler"] = json.dumps(
                {"exec": {"command": list(spec.prestop)}})
        config = pb.ContainerConfig(
            metadata=pb.ContainerMetadata(name="main"), image=pb.ImageSpec(image=spec.image),
            command=list(spec.command), envs=env, mounts=mounts, log_path="main.log",
            labels={"io.kubernetes.pod.name": pod, "io.kubernetes.pod.namespace": NAMESPACE,
                    "io.kubernetes.container.name": "main"},
            annotations=annotations,
            linux=pb.LinuxContainerConfig(security_context=pb.LinuxContainerSecurityContext(
                namespace_options=options,
                run_as_user=pb.Int64Value(value=spec.user) if spec.user is not None
                else None)))
        container_id = self.runtime.CreateContainer(pb.CreateContainerRequest(
            pod_sandbox_id=sandbox_id, config=config, sandbox_config=sandbox),
            timeout=120).container_id
        self.runtime.StartContainer(pb.StartContainerRequest(container_id=container_id),
                                    timeout=60)
        return container_id

    def stop(self, container_id: str, prestop: tuple[str, ...], grace: int = TIMEOUT) -> int:
        """The kubelet's stop: the preStop hook (ExecSync), then StopContainer."""
        pb = self.pb
        if prestop:
            self.runtime.ExecSync(pb.ExecSyncRequest(container_id=container_id,
                                                     cmd=list(prestop), timeout=grace),
                                  timeout=grace + 30)
        self.runtime.StopContainer(pb.StopContainerRequest(container_id=container_id,
                                                           timeout=grace), timeout=grace + 60)
        return int(self.runtime.ContainerStatus(pb.ContainerStatusRequest(
            container_id=container_id), timeout=30).status.exit_code)

    def logs(self, container_id: str) -> str:
        status = self.runtime.ContainerStatus(self.pb.ContainerStatusRequest(
            container_id=container_id), timeout=30).status
        try:
            return Path(status.log_path).read_text(errors="replace")
        except OSError:
            return ""

    def close(self) -> None:
        for sandbox_id in self.sandboxes:
            self.runtime.StopPodSandbox(self.pb.StopPodSandboxRequest(
                pod_sandbox_id=sandbox_id), timeout=60)
            self.runtime.RemovePodSandbox(self.pb.RemovePodSandboxRequest(
                pod_sandbox_id=sandbox_id), timeout=60)
        self.channel.close()
        shutil.rmtree(self.scratch, ignore_errors=True)


@pytest.fixture(scope="module")
def cri_running(tini_archive: Path) -> Iterator[tuple[CriPods, dict[str, str]]]:
    endpoint = os.environ.get("CONTAINER_RUNTIME_ENDPOINT")
    if not endpoint:
        pytest.skip("CONTAINER_RUNTIME_ENDPOINT is not set: run scripts/setup-engines.sh")
    ctr = ["ctr", "-a", endpoint.removeprefix("unix://"), "-n", "k8s.io"]
    imported = subprocess.run([*ctr, "images", "import", str(tini_archive)],
                              capture_output=True, text=True, timeout=300, check=False)
    assert imported.returncode == 0, imported.stderr
    pods = CriPods(endpoint)
    ids: dict[str, str] = {}
    try:
        for case, spec in CASES.items():
            ids[case] = pods.start(case, spec)
        yield pods, ids
    finally:
        pods.close()
        subprocess.run([*ctr, "images", "rm", f"{TINI_IMAGE}"], capture_output=True,
                       timeout=120, check=False)


@pytest.fixture(scope="module")
def node_verdicts(cri_running: tuple[CriPods, dict[str, str]]) -> dict[str, dict[str, Any]]:
    _pods, ids = cri_running
    return settled(["--node"], {container_id: CASES[case].verdict
                                for case, container_id in ids.items()})


def test_node_mode_lists_every_cri_container_with_pod_and_namespace(
        cri_running: tuple[CriPods, dict[str, str]],
        node_verdicts: dict[str, dict[str, Any]]) -> None:
    pods, ids = cri_running
    for case, container_id in ids.items():
        entry = node_verdicts[container_id]
        assert entry["verdict"] == CASES[case].verdict, (case, entry)
        assert entry["namespace"] == NAMESPACE and entry["pod"].startswith(case)
        assert entry["name"] == "main" and entry["engine"] == "containerd"
        assert entry["grace_seconds"] == TIMEOUT
    prestop = node_verdicts[ids["systemd-prestop"]]
    assert prestop["stop_signal"] == "SIGTERM" and prestop["prestop"].startswith("exec: ")
    assert "preStop hook runs first" in prestop["reason"]
    assert node_verdicts[ids["tini-handler"]]["forwards"] is True
    assert node_verdicts[ids["tini-as-user"]]["pid1"]["sigtimedwait"]  # read as root
    # Every running CRI container of the node is listed, each with its pod and namespace.
    listed = pods.runtime.ListContainers(pods.pb.ListContainersRequest(
        filter=pods.pb.ContainerFilter(state=pods.pb.ContainerStateValue(
            state=pods.pb.CONTAINER_RUNNING))), timeout=30).containers
    mine = {item.id for item in listed} & set(ids.values())
    assert mine == set(ids.values())
    for entry in {e["id"]: e for e in node_verdicts.values()}.values():
        assert entry["pod"] and entry["namespace"], entry


def test_node_metrics_scraped_with_the_prometheus_parser(
        cri_running: tuple[CriPods, dict[str, str]],
        node_verdicts: dict[str, dict[str, Any]]) -> None:
    from prometheus_client.parser import text_string_to_metric_families

    _pods, ids = cri_running
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "stopsignal", "inspect", "--node",
                               "--metrics-port", str(port), "--metrics-host", "127.0.0.1",
                               "--interval", "1"], cwd=REPO, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics",
                                            timeout=5) as response:
                    text = response.read().decode()
                if "stopsignal_inspect_container_verdict{" in text:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline and server.poll() is None, server.stderr
            time.sleep(0.3)
    finally:
        server.send_signal(signal.SIGTERM)
        _out, err = server.communicate(timeout=30)
    assert server.returncode == 0, err
    families = {family.name: family for family in text_string_to_metric_families(text)}
    verdicts = {sample.labels["id"]: sample for sample in
                families["stopsignal_inspect_container_verdict"].samples}
    for case, container_id in ids.items():
        sample = verdicts[container_id]
        assert sample.value == 1
        assert sample.labels["verdict"] == node_verdicts[container_id]["verdict"], case
        assert sample.labels["namespace"] == NAMESPACE and sample.labels["container"] == "main"
    sigkill = {s.labels["id"]: s.value for s in
               families["stopsignal_inspect_container_sigkill"].samples}
    assert sigkill[ids["sleep"]] == 1 and sigkill[ids["demo-sigint"]] == 0
    grace = {s.labels["id"]: s.value for s in
             families["stopsignal_inspect_container_grace_seconds"].samples}
    assert grace[ids["sleep"]] == TIMEOUT
    signals = {s.labels["id"]: s.value for s in
               families["stopsignal_inspect_container_stop_signal"].samples}
    assert signals[ids["demo-37"]] == 37
    summary = {s.labels["verdict"]: s.value for s in
               families["stopsignal_inspect_containers"].samples}
    assert summary["acts"] >= 5 and summary["ignores"] >= 2 and summary["re-executes"] >= 1
    assert "process_cpu_seconds_total" in text


def test_the_daemonset_pod_spec_works_with_its_documented_privileges(
        cri_running: tuple[CriPods, dict[str, str]],
        node_verdicts: dict[str, dict[str, Any]]) -> None:
    """deploy/overlays/node-inspect's container, run under podman as the kubelet would run it:
    its image, command, user, capabilities (and nothing else), host PID namespace, read-only
    root, the CRI socket mounted read-only. The verdicts match the host's."""
    import yaml
    from prometheus_client.parser import text_string_to_metric_families

    image = f"localhost/stopsignal-webhook:{RUN}"  # its own tag: others build :latest
    built = subprocess.run(["bash", str(REPO / "scripts" / "build-webhook-image.sh")],
                           capture_output=True, text=True, timeout=900, check=False, cwd=REPO,
                           env={**os.environ, "STOPSIGNAL_WEBHOOK_IMAGE": image})
    assert built.returncode == 0, built.stderr[-2000:]
    rendered = subprocess.run(["kubectl", "kustomize", str(REPO / "deploy" / "overlays" /
                                                          "node-inspect")],
                              capture_output=True, text=True, timeout=60, check=True).stdout
    [daemonset] = [d for d in yaml.safe_load_all(rendered) if d and d["kind"] == "DaemonSet"]
    pod = daemonset["spec"]["template"]["spec"]
    [container] = pod["containers"]
    context = container["securityContext"]
    [mount] = container["volumeMounts"]
    [env] = container["env"]
    endpoint = os.environ["CONTAINER_RUNTIME_ENDPOINT"].removeprefix("unix://")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    args = [a if not a.startswith("--metrics-port=") else f"--metrics-port={port}"
            for a in container["args"]] + ["--metrics-host=127.0.0.1", "--interval=1"]
    name = f"ss-inspect-daemonset-{uuid.uuid4().hex[:6]}"
    assert pod["hostPID"] is True and context["readOnlyRootFilesystem"] is True
    run = ["run", "-d", "--name", name, "--pid", "host", "--network", "host", "--read-only",
           "--user", str(pod["securityContext"]["runAsUser"]), "--cap-drop", "ALL",
           "--cap-add", ",".join(context["capabilities"]["add"]),
           "--security-opt", "no-new-privileges",
           "-v", f"{endpoint}:{mount['mountPath']}:ro", "-e", f"{env['name']}={env['value']}",
           "--entrypoint", container["command"][0],
           image, *container["command"][1:], *args]
    started = podman(*run)
    if started.returncode != 0:
        podman("rmi", "-f", image)
    assert started.returncode == 0, started.stderr
    try:
        deadline = time.monotonic() + 60
        text = ""
        while "stopsignal_inspect_container_verdict{" not in text:
            assert time.monotonic() < deadline, podman("logs", name).stderr
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics",
                                            timeout=5) as response:
                    text = response.read().decode()
            except OSError:
                pass
            time.sleep(0.3)
    finally:
        stopped = podman("stop", "-t", "10", name)
        code = podman("inspect", "--format", "{{.State.ExitCode}}", name).stdout.strip()
        podman("rm", "-f", name)
        podman("rmi", "-f", image)
    assert stopped.returncode == 0 and code == "0"  # it stops gracefully itself
    families = {f.name: f for f in text_string_to_metric_families(text)}
    seen = {s.labels["id"]: s.labels["verdict"] for s in
            families["stopsignal_inspect_container_verdict"].samples}
    _pods, ids = cri_running
    for case, container_id in ids.items():
        assert seen[container_id] == node_verdicts[container_id]["verdict"], case


# Last: it stops the CRI containers the tests above inspect.
def test_cri_real_stop_agrees(cri_running: tuple[CriPods, dict[str, str]],
                              node_verdicts: dict[str, dict[str, Any]]) -> None:
    pods, ids = cri_running
    for case, container_id in ids.items():  # the verdicts were read before any stop
        assert node_verdicts[container_id]["verdict"] == CASES[case].verdict
    for case, container_id in ids.items():
        spec = CASES[case]
        # A graceful stop ends when it is done; its longer grace period only keeps a
        # saturated machine from turning it into SIGKILL (systemd's halt through the preStop
        # hook takes about 1.2 s, and was seen to take over 8 s under a full suite's load).
        code = pods.stop(container_id, spec.prestop, GRACEFUL_GRACE if spec.graceful else TIMEOUT)
        assert (code != 137) is spec.graceful, (case, code)
        if spec.log:
            assert spec.log in pods.logs(container_id), case
