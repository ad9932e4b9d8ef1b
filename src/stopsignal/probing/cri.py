"""containerd (or any CRI runtime) as a real engine, driven as the kubelet drives it.

The CRI v1 API over gRPC (the PyPI package ``container-runtime-interface-api``,
module ``cri_api.v1``, installed with ``pip install 'stopsignal[engines]'``). The
probe performs the kubelet's stop itself (kubernetes pkg/kubelet/kuberuntime
kuberuntime_container.go ``killContainer``): the preStop hook through ExecSync with
the grace period as its timeout, then StopContainer with the time left (never less
than the kubelet's 2 s), then ContainerStatus for the exit code.

Without CNI the pod uses the node's network; PID 1 of the container is its own
(``pid=CONTAINER``; with a shared pod namespace pause would be PID 1). systemd needs
writable /run, /run/lock and /tmp and a read-only /sys/fs/cgroup: host directories
the session creates and removes are bind-mounted there. Sandboxes and containers carry
the label ``io.stopsignal.probe``; removing the sandbox removes its containers.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stopsignal.errors import ProbeError
from stopsignal.probing.config import LABEL
from stopsignal.probing.logs import read_k8s_file
from stopsignal.probing.plan import runtime_budget
from stopsignal.probing.real import ImageFacts, RealOptions, Stopped
from stopsignal.probing.spec import ContainerResult, ContainerSpec, PodSpec
from stopsignal.runtimes import Resolution, Target, parse_target

SETUP = ("start containerd with scripts/setup-engines.sh, or point CONTAINER_RUNTIME_ENDPOINT / "
         "--cri-endpoint at a CRI socket")
INSTALL = "the CRI probe needs grpcio: pip install 'stopsignal[engines]'"
NAMESPACE = "stopsignal-probe"


def default_endpoint() -> str | None:
    return os.environ.get("CONTAINER_RUNTIME_ENDPOINT") or None


def _address(endpoint: str) -> str:
    return endpoint if "://" in endpoint else f"unix://{endpoint}"


def _api() -> tuple[Any, Any]:
    try:
        import grpc  # noqa: F401  (gRPC is heavy: only CRI probes load it)
        from cri_api.v1 import api_pb2, api_pb2_grpc
    except ImportError:
        raise ProbeError(INSTALL) from None
    return api_pb2, api_pb2_grpc


@dataclass
class CriWorkload:
    name: str
    sandbox_id: str
    container_id: str = ""
    log_path: Path | None = None
    pid: int = 0  # PID 1 on the host, from ContainerStatus' verbose info
    scratch: list[str] = field(default_factory=list)  # host directories to remove

    def logs(self) -> str:
        try:
            raw = self.log_path.read_bytes() if self.log_path else b""
        except OSError:
            return ""
        return read_k8s_file(raw)

    def host_pid(self) -> int:
        return self.pid


class Cri:
    """A CRI runtime at an endpoint (``stopsignal.probing.real.RealEngine``)."""

    kind = "cri"
    name = "containerd"

    def __init__(self, endpoint: str | None = None) -> None:
        endpoint = endpoint or default_endpoint()
        if not endpoint:
            raise ProbeError(f"no CRI endpoint given; {SETUP}")
        self.endpoint = _address(endpoint)
        self.pb, grpc_stubs = _api()
        import grpc

        self.grpc = grpc
        self.channel = grpc.insecure_channel(self.endpoint)
        self.runtime = grpc_stubs.RuntimeServiceStub(self.channel)
        self.images = grpc_stubs.ImageServiceStub(self.channel)
        self.runtime_name = ""

    def call(self, stub: Any, method: str, request: Any, timeout: float = 30) -> Any:
        try:
            return getattr(stub, method)(request, timeout=timeout)
        except self.grpc.RpcError as error:
            code = error.code()
            details = (error.details() or "").splitlines()[0] if error.details() else str(code)
            if code in (self.grpc.StatusCode.UNAVAILABLE, self.grpc.StatusCode.DEADLINE_EXCEEDED):
                raise ProbeError(f"the CRI runtime at {self.endpoint} did not answer {method} "
                                 f"({details}); {SETUP}") from None
            if code == self.grpc.StatusCode.UNIMPLEMENTED:
                raise ProbeError(f"the runtime at {self.endpoint} does not serve CRI v1 "
                                 f"{method}: too old for this probe") from None
            raise ProbeError(f"CRI {method} failed: {details}") from None

    def version(self) -> str:
        answer = self.call(self.runtime, "Version", self.pb.VersionRequest(version="v1"),
                           timeout=10)
        self.runtime_name = answer.runtime_name
        if answer.runtime_name != "containerd":
            raise ProbeError(f"the CRI runtime at {self.endpoint} is {answer.runtime_name} "
                             f"{answer.runtime_version}; the model checks containerd here")
        return str(answer.runtime_version)

    def target(self, version: str) -> Target:
        # The kubelet's part is what this probe performs itself: the current kubelet's rules.
        return parse_target(("kubernetes", f"containerd@{version}"))

    def image(self, ref: str) -> ImageFacts:
        spec = self.pb.ImageSpec(image=ref)
        answer = self.call(self.images, "ImageStatus",
                           self.pb.ImageStatusRequest(image=spec, verbose=True))
        if not answer.image.id:
            raise ProbeError(f"image {ref!r} is not in the runtime's store (the probe never "
                             "pulls; scripts/setup-engines.sh imports the project's images)")
        info = json.loads(answer.info.get("info", "{}") or "{}")
        config = ((info.get("imageSpec") or {}).get("config")) or {}

        def argv(key: str) -> tuple[str, ...] | None:
            value = config.get(key)
            return tuple(value) if value else None

        return ImageFacts(argv("Entrypoint"), argv("Cmd"), config.get("StopSignal") or None,
                          tuple(config.get("Env") or ()))

    def _scratch_dir(self, workload: CriWorkload, name: str) -> str:
        base = "/run" if os.access("/run", os.W_OK) else None
        path = tempfile.mkdtemp(prefix=f"stopsignal-cri-{name}.", dir=base)
        workload.scratch.append(path)
        return path

    def start(self, spec: ContainerSpec, pod: PodSpec, *, systemd: bool,
              options: RealOptions, session: str) -> CriWorkload:
        pb = self.pb
        name = f"{pod.name}-{spec.name}"[:50]
        labels = {LABEL: "1", f"{LABEL}.session": session}
        run_tag = os.environ.get("STOPSIGNAL_PROBE_RUN")
        if run_tag:
            labels[f"{LABEL}.run"] = run_tag
        namespaces = pb.NamespaceOption(network=pb.NODE, pid=pb.CONTAINER)
        workload = CriWorkload(name=name, sandbox_id="")
        logs = self._scratch_dir(workload, "logs")
        sandbox = pb.PodSandboxConfig(
            metadata=pb.PodSandboxMetadata(name=f"{name}-{session}", uid=f"{session}-{name}",
                                           namespace=NAMESPACE, attempt=0),
            log_directory=logs, labels=labels,
            linux=pb.LinuxPodSandboxConfig(security_context=pb.LinuxSandboxSecurityContext(
                namespace_options=namespaces)))
        try:
            answer = self.call(self.runtime, "RunPodSandbox",
                               pb.RunPodSandboxRequest(config=sandbox), timeout=120)
            workload.sandbox_id = answer.pod_sandbox_id
            mounts = []
            if systemd:
                for target in ("/run", "/run/lock", "/tmp"):
                    mounts.append(pb.Mount(container_path=target,
                                           host_path=self._scratch_dir(workload, "tmp")))
                mounts.append(pb.Mount(container_path="/sys/fs/cgroup",
                                       host_path="/sys/fs/cgroup", readonly=True))
            config = pb.ContainerConfig(
                metadata=pb.ContainerMetadata(name=spec.name, attempt=0),
                image=pb.ImageSpec(image=spec.image),
                command=list(spec.command or ()), args=list(spec.args or ()),
                envs=[pb.KeyValue(key=key, value=value) for key, value in spec.env],
                mounts=mounts, log_path=f"{spec.name}.log", tty=spec.tty, labels=labels,
                linux=pb.LinuxContainerConfig(security_context=pb.LinuxContainerSecurityContext(
                    namespace_options=namespaces)))
            if options.cri_stop_signal:
                config.stop_signal = _cri_signal(pb, options.cri_stop_signal)
            created = self.call(self.runtime, "CreateContainer", pb.CreateContainerRequest(
                pod_sandbox_id=workload.sandbox_id, config=config, sandbox_config=sandbox),
                timeout=120)
            workload.container_id = created.container_id
            workload.log_path = Path(logs) / f"{spec.name}.log"
            self.call(self.runtime, "StartContainer",
                      pb.StartContainerRequest(container_id=workload.container_id), timeout=60)
            status = self.call(self.runtime, "ContainerStatus", pb.ContainerStatusRequest(
                container_id=workload.container_id, verbose=True))
            info = json.loads(status.info.get("info", "{}") or "{}")
            workload.pid = int(info.get("pid") or 0)
        except BaseException:
            self.remove(workload)
            raise
        return workload

    def exec_sync(self, workload: CriWorkload, argv: list[str],
                  timeout: float) -> tuple[int, str]:
        """ExecSync with the CRI's whole-second timeout (0 would mean: no timeout)."""
        seconds = max(1, math.ceil(timeout))
        answer = self.call(self.runtime, "ExecSync", self.pb.ExecSyncRequest(
            container_id=workload.container_id, cmd=argv, timeout=seconds),
            timeout=seconds + 15)
        text = (answer.stdout + answer.stderr).decode(errors="replace")
        return int(answer.exit_code), text

    def wait_boot(self, workload: CriWorkload, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                code, text = self.exec_sync(
                    workload, ["systemctl", "is-system-running", "--wait"], left)
            except ProbeError as error:
                return f"cannot ask systemd ({error})"
            state = text.strip().splitlines()[-1] if text.strip() else ""
            if state in {"running", "degraded", "starting", "maintenance", "stopping"}:
                return f"systemd is {state}"
            if code == 127 or "not found" in text:
                return "systemctl not found in the image; not waiting for boot"
            time.sleep(0.05)
        return f"systemd still booting after {timeout:g} s"

    def stop(self, workload: CriWorkload, resolution: Resolution, spec: ContainerSpec,
             result: ContainerResult, emit: Callable[[str, str, int | None], None],
             options: RealOptions) -> Stopped:
        grace = resolution.grace if resolution.grace is not None else 30.0
        emit("stop-requested", f"kubelet grace period {grace:g} s (performed by the probe)",
             None)
        start = time.monotonic()
        hook = spec.prestop
        if hook is not None and grace > 0:
            result.prestop_ran = True
            emit("prestop-start", f"ExecSync {hook.describe()}", None)
            if hook.kind == "exec":
                try:
                    code, text = self.exec_sync(workload, list(hook.command), grace)
                except ProbeError as error:
                    code, text = -1, str(error)
                result.prestop_ok = code == 0
                if code != 0:
                    result.prestop_error = text.strip().splitlines()[-1] if text.strip() else (
                        f"exit code {code}")
                emit("prestop-end", "ok" if code == 0 else
                     f"FailedPreStopHook: {result.prestop_error}; the stop continues", code)
            elif hook.kind == "sleep":
                time.sleep(min(hook.seconds, grace))
                result.prestop_ok = hook.seconds <= grace
                emit("prestop-end", "slept", None)
            else:
                result.prestop_error = "httpGet hooks are not run on CRI by the probe"
                emit("prestop-end", result.prestop_error, None)
        spent = time.monotonic() - start
        budget = runtime_budget(grace, spent)
        emit("stop-container", f"StopContainer timeout {int(budget)} s (containerd picks the "
             "signal)", None)
        before_stop = time.monotonic()
        self.call(self.runtime, "StopContainer", self.pb.StopContainerRequest(
            container_id=workload.container_id, timeout=int(budget)), timeout=budget + 60)
        seconds = time.monotonic() - start
        status = self.call(self.runtime, "ContainerStatus", self.pb.ContainerStatusRequest(
            container_id=workload.container_id)).status
        return Stopped(exit_code=int(status.exit_code), seconds=seconds,
                       budget=float(int(budget)), started_stop=before_stop - start)

    def remove(self, workload: CriWorkload) -> None:
        if workload.sandbox_id:
            with contextlib.suppress(ProbeError):
                self.call(self.runtime, "StopPodSandbox", self.pb.StopPodSandboxRequest(
                    pod_sandbox_id=workload.sandbox_id), timeout=60)
            with contextlib.suppress(ProbeError):
                self.call(self.runtime, "RemovePodSandbox", self.pb.RemovePodSandboxRequest(
                    pod_sandbox_id=workload.sandbox_id), timeout=60)
            workload.sandbox_id = ""
        for path in workload.scratch:
            shutil.rmtree(path, ignore_errors=True)
        workload.scratch.clear()

    def leftovers(self) -> list[str]:
        answer = self.call(self.runtime, "ListPodSandbox", self.pb.ListPodSandboxRequest(
            filter=self.pb.PodSandboxFilter(label_selector={LABEL: "1"})))
        return [item.metadata.name for item in answer.items]


def _cri_signal(pb: Any, spelling: str) -> int:
    """The CRI Signal enum value for a spelling (SIGRTMIN+3 -> SIGRTMIN_PLUS_3)."""
    from stopsignal.signals import parse_signal, signal_name

    parsed = parse_signal(spelling)
    name = signal_name(parsed.number) if parsed is not None else None
    try:
        # The CRI enum spells SIGRTMIN+3 as SIGRTMINPLUS3 (cri-api api.proto, KEP-4960).
        return int(pb.Signal.Value((name or "").replace("+", "PLUS").replace("-", "MINUS")))
    except ValueError:
        raise ProbeError(f"{spelling!r} is not a signal the CRI can carry") from None
