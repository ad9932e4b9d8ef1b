"""Benchmark: `stopsignal probe --on docker|cri` against the bare engine doing the same.

Same image (the seed's systemd image, STOPSIGNAL SIGRTMIN+3), same run, alternating,
several repetitions; medians. The bare side does what the probe must do at least, with
the engine's own tools and nothing else:

- docker: `docker run -d` (systemd's tmpfs and cgroup mounts), `systemctl
  is-system-running --wait` through `docker exec` (the stop is only meaningful once
  systemd runs), `docker stop`, `docker rm`;
- cri: over gRPC in this process, RunPodSandbox, CreateContainer (container=oci),
  StartContainer, the same boot wait through ExecSync, StopContainer, StopPodSandbox and
  RemovePodSandbox.

The probe does more: it reads the engine version and the image config, resolves the
model's prediction, reads the logs before and after the stop, and starts a Python
process. Printed: whole-run medians and their ratio (goal <= 1.3x), and the stop phase
alone (`docker stop` / StopContainer against the probe's own stop timing).

    eval "$(scripts/setup-engines.sh | grep ^export)"
    .venv/bin/python benchmarks/probe_vs_engine_stop.py [--reps 5] [--on docker,cri]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
IMAGE = "localhost/stopsignal-systemd"
ENV = dict(os.environ)
# Measure stopsignal as installed: with compiled bytecode (a private cache, filled by the
# first repetition), even where the shell sets PYTHONDONTWRITEBYTECODE.
ENV.pop("PYTHONDONTWRITEBYTECODE", None)
ENV["PYTHONPYCACHEPREFIX"] = tempfile.mkdtemp(prefix="stopsignal-pycache-")
DOCKER = "/usr/bin/docker" if Path("/usr/bin/docker").exists() else "docker"
LABEL = "io.stopsignal.bench=1"


def docker(*args: str) -> str:
    done = subprocess.run([DOCKER, *args], env=ENV, capture_output=True, text=True, check=True)
    return done.stdout.strip()


def bare_docker() -> tuple[float, float]:
    start = time.perf_counter()
    name = f"stopsignal-bench-{uuid.uuid4().hex[:8]}"
    docker("run", "-d", "-t", "--name", name, "--network", "none", "--label", LABEL,
           "--tmpfs", "/run", "--tmpfs", "/run/lock", "--tmpfs", "/tmp",
           "-v", "/sys/fs/cgroup:/sys/fs/cgroup:ro", IMAGE)
    # Until systemd answers (its bus appears a moment after start), as the probe waits.
    while not subprocess.run([DOCKER, "exec", name, "systemctl", "is-system-running", "--wait"],
                             env=ENV, capture_output=True, text=True, check=False).stdout.strip():
        time.sleep(0.05)
    stop_start = time.perf_counter()
    docker("stop", "-t", "10", name)
    stop = time.perf_counter() - stop_start
    docker("rm", name)
    return time.perf_counter() - start, stop


class BareCri:
    def __init__(self, endpoint: str) -> None:
        import grpc
        from cri_api.v1 import api_pb2, api_pb2_grpc

        self.pb = api_pb2
        self.channel = grpc.insecure_channel(endpoint)
        self.rt = api_pb2_grpc.RuntimeServiceStub(self.channel)

    def run(self) -> tuple[float, float]:
        pb = self.pb
        start = time.perf_counter()
        tag = uuid.uuid4().hex[:8]
        scratch = [tempfile.mkdtemp(prefix="stopsignal-bench.", dir="/run") for _ in range(4)]
        ns = pb.NamespaceOption(network=pb.NODE, pid=pb.CONTAINER)
        sandbox = pb.PodSandboxConfig(
            metadata=pb.PodSandboxMetadata(name=f"bench-{tag}", uid=tag, namespace="bench"),
            log_directory=scratch[0], labels={"io.stopsignal.bench": "1"},
            linux=pb.LinuxPodSandboxConfig(security_context=pb.LinuxSandboxSecurityContext(
                namespace_options=ns)))
        pod = self.rt.RunPodSandbox(pb.RunPodSandboxRequest(config=sandbox)).pod_sandbox_id
        mounts = [pb.Mount(container_path=p, host_path=h)
                  for p, h in zip(("/run", "/run/lock", "/tmp"), scratch[1:], strict=True)]
        mounts.append(pb.Mount(container_path="/sys/fs/cgroup", host_path="/sys/fs/cgroup",
                               readonly=True))
        config = pb.ContainerConfig(
            metadata=pb.ContainerMetadata(name="nginx"), image=pb.ImageSpec(image=IMAGE),
            command=["/sbin/init"], envs=[pb.KeyValue(key="container", value="oci")],
            mounts=mounts, log_path="nginx.log", tty=True,
            linux=pb.LinuxContainerConfig(security_context=pb.LinuxContainerSecurityContext(
                namespace_options=ns)))
        cid = self.rt.CreateContainer(pb.CreateContainerRequest(
            pod_sandbox_id=pod, config=config, sandbox_config=sandbox)).container_id
        self.rt.StartContainer(pb.StartContainerRequest(container_id=cid))
        wait = pb.ExecSyncRequest(container_id=cid, timeout=60,
                                  cmd=["systemctl", "is-system-running", "--wait"])
        while not self.rt.ExecSync(wait).stdout.strip():
            time.sleep(0.05)
        stop_start = time.perf_counter()
        self.rt.StopContainer(pb.StopContainerRequest(container_id=cid, timeout=10))
        stop = time.perf_counter() - stop_start
        self.rt.StopPodSandbox(pb.StopPodSandboxRequest(pod_sandbox_id=pod))
        self.rt.RemovePodSandbox(pb.RemovePodSandboxRequest(pod_sandbox_id=pod))
        for path in scratch:
            subprocess.run(["rm", "-rf", path], check=False)
        return time.perf_counter() - start, stop


POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: bench
spec:
  terminationGracePeriodSeconds: 10
  containers:
    - name: nginx
      image: localhost/stopsignal-systemd
      command: ["/sbin/init"]
      tty: true
      env:
        - name: container
          value: oci
"""


def probe(on: str, pod: Path) -> tuple[float, float, bool]:
    start = time.perf_counter()
    args = ["--image", IMAGE, "--grace", "10"] if on == "docker" else [str(pod)]
    done = subprocess.run([sys.executable, "-m", "stopsignal", "probe", "--json", "--on", on,
                           *args], cwd=REPO, env=ENV, capture_output=True, text=True,
                          check=False)
    seconds = time.perf_counter() - start
    [result] = json.loads(done.stdout)["containers"]
    return seconds, float(result["seconds"]), bool(result["graceful"])


def measure(on: str, reps: int, pod: Path) -> None:
    if on == "docker":
        bare = bare_docker
    else:
        endpoint = os.environ.get("CONTAINER_RUNTIME_ENDPOINT")
        if not endpoint:
            sys.exit("CONTAINER_RUNTIME_ENDPOINT is not set: run scripts/setup-engines.sh")
        bare = BareCri(endpoint).run
    bare()  # warm caches once for both sides
    probe(on, pod)
    bare_total, bare_stop, probe_total, probe_stop = [], [], [], []
    for _ in range(reps):
        total, stop = bare()
        bare_total.append(total)
        bare_stop.append(stop)
        total, stop, graceful = probe(on, pod)
        assert graceful, f"the probe on {on} did not stop gracefully"
        probe_total.append(total)
        probe_stop.append(stop)
    med = statistics.median
    print(f"{on}: {reps} repetitions, medians")
    print(f"  bare engine, run+boot+stop+remove  {med(bare_total):6.2f} s")
    print(f"  stopsignal probe --on {on:<6}       {med(probe_total):6.2f} s   "
          f"ratio {med(probe_total) / med(bare_total):.2f}x (goal <= 1.3x)")
    print(f"  stop phase: engine {med(bare_stop):.2f} s, probe {med(probe_stop):.2f} s   "
          f"ratio {med(probe_stop) / med(bare_stop):.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--on", default="docker,cri")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pod = Path(tmp) / "pod.yaml"
        pod.write_text(POD)
        for on in args.on.split(","):
            measure(on.strip(), args.reps, pod)


if __name__ == "__main__":
    main()
