"""Docker as a real engine: ``docker run``, then Docker's own ``docker stop``.

The engine's own client talks to the daemon: ``/usr/bin/docker`` when present
(a newer client may come first on PATH), else ``docker``; the daemon is
``--docker-host`` or ``DOCKER_HOST``. Nothing is emulated: Docker picks the stop
signal (image STOPSIGNAL or ``--stop-signal``), waits the timeout and SIGKILLs.
systemd needs tmpfs at /run, /run/lock and /tmp and a read-only /sys/fs/cgroup under
Docker, as every guide for systemd in Docker says; the probe adds them when PID 1 is
systemd. Containers run with ``--network none`` and the label ``io.stopsignal.probe``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass

from stopsignal.errors import ProbeError
from stopsignal.probe.config import LABEL
from stopsignal.probe.real import ImageFacts, RealOptions, Stopped
from stopsignal.probe.spec import ContainerResult, ContainerSpec, PodSpec
from stopsignal.runtimes import Resolution, Target, parse_target

SETUP = "start it with scripts/setup-engines.sh, or point DOCKER_HOST / --docker-host at it"
SYSTEMD_MOUNTS = ("--tmpfs", "/run", "--tmpfs", "/run/lock", "--tmpfs", "/tmp",
                  "--volume", "/sys/fs/cgroup:/sys/fs/cgroup:ro")


def default_host() -> str | None:
    return os.environ.get("DOCKER_HOST") or None


def client() -> str:
    """The engine's own CLI: Debian's /usr/bin/docker first, else the one on PATH."""
    if os.access("/usr/bin/docker", os.X_OK):
        return "/usr/bin/docker"
    found = shutil.which("docker")
    if found is None:
        raise ProbeError(f"the docker client is not installed: {SETUP}")
    return found


@dataclass
class DockerWorkload:
    name: str
    docker: Docker

    def logs(self) -> str:
        result = self.docker.run("logs", self.name, check=False)
        return result.stdout + result.stderr


class Docker:
    """A real Docker daemon (``stopsignal.probe.real.RealEngine``)."""

    kind = "docker"
    name = "docker"

    def __init__(self, host: str | None = None) -> None:
        self.host = host or default_host()
        self.binary = client()
        self.env = dict(os.environ)
        if self.host:
            self.env["DOCKER_HOST"] = self.host

    def run(self, *args: str, check: bool = True,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
        try:
            result = subprocess.run([self.binary, *args], env=self.env, capture_output=True,
                                    text=True, timeout=timeout, check=False,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        except subprocess.TimeoutExpired:
            raise ProbeError(f"docker {args[0]} did not finish within {timeout:g} s") from None
        if check and result.returncode != 0:
            tail = " ".join(result.stderr.strip().splitlines()[-2:]) or "no error output"
            raise ProbeError(f"docker {args[0]} failed: {tail}")
        return result

    def version(self) -> str:
        result = self.run("version", "--format", "{{.Server.Version}}", check=False, timeout=20)
        text = result.stdout.strip()
        if result.returncode != 0 or not text or text.startswith("<no value>"):
            where = self.host or "the default socket"
            reason = " ".join(result.stderr.strip().splitlines()[-1:]) or "no answer"
            raise ProbeError(f"Docker is not reachable at {where} ({reason}); {SETUP}")
        return text

    def target(self, version: str) -> Target:
        return parse_target((f"docker@{version}",))

    def image(self, ref: str) -> ImageFacts:
        result = self.run("image", "inspect", "--format", "{{json .Config}}", ref, check=False)
        if result.returncode != 0:
            raise ProbeError(f"image {ref!r} is not in Docker's store (the probe never pulls; "
                             "scripts/setup-engines.sh loads the project's images)")
        config = json.loads(result.stdout.strip() or "{}") or {}

        def argv(key: str) -> tuple[str, ...] | None:
            value = config.get(key)
            return tuple(value) if value else None

        return ImageFacts(argv("Entrypoint"), argv("Cmd"), config.get("StopSignal") or None,
                          tuple(config.get("Env") or ()))

    def start(self, spec: ContainerSpec, pod: PodSpec, *, systemd: bool,
              options: RealOptions, session: str) -> DockerWorkload:
        name = f"stopsignal-probe-{session}-{spec.name}"[:60]
        workload = DockerWorkload(name, self)
        args = ["run", "--detach", "--name", name, "--network", "none",
                "--label", f"{LABEL}=1", "--label", f"{LABEL}.session={session}"]
        run_tag = os.environ.get("STOPSIGNAL_PROBE_RUN")
        if run_tag:
            args += ["--label", f"{LABEL}.run={run_tag}"]
        if spec.tty:
            args.append("--tty")
        if systemd:
            args += SYSTEMD_MOUNTS
        if options.stop_signal:
            args += ["--stop-signal", options.stop_signal]
        for key, value in spec.env:
            args += ["--env", f"{key}={value}"]
        rest: list[str] = []
        if spec.command:
            args += ["--entrypoint", spec.command[0]]
            rest = list(spec.command[1:])
        args.append(spec.image)
        args += rest + list(spec.args or ())
        try:
            self.run(*args, timeout=120)
        except ProbeError:
            self.remove(workload)
            raise
        return workload

    def wait_boot(self, workload: DockerWorkload, timeout: float) -> str:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            result = self.run("exec", workload.name, "systemctl", "is-system-running", "--wait",
                              check=False, timeout=left)
            if result.stdout.strip():
                return f"systemd is {result.stdout.strip()}"
            if "is not running" in result.stderr:
                return "PID 1 exited while booting"
            time.sleep(0.05)
        return f"systemd still booting after {timeout:g} s"

    def stop(self, workload: DockerWorkload, resolution: Resolution,
             spec: ContainerSpec, result: ContainerResult,
             emit: Callable[[str, str, int | None], None], options: RealOptions) -> Stopped:
        timeout = resolution.kill_after if resolution.kill_after is not None else 10.0
        emit("stop-requested", f"docker stop -t {timeout:g} (Docker picks the signal)", None)
        start = time.monotonic()
        self.run("stop", "--time", f"{int(timeout)}", workload.name, timeout=timeout + 60)
        seconds = time.monotonic() - start
        state = self.run("inspect", "--format", "{{.State.ExitCode}}", workload.name,
                         check=False).stdout.strip()
        code = int(state) if state.lstrip("-").isdigit() else None
        return Stopped(exit_code=code, seconds=seconds, budget=float(int(timeout)))

    def remove(self, workload: DockerWorkload) -> None:
        with contextlib.suppress(ProbeError):
            self.run("rm", "--force", workload.name, check=False, timeout=60)

    def leftovers(self) -> list[str]:
        out = self.run("ps", "--all", "--filter", f"label={LABEL}", "--format", "{{.Names}}",
                       check=False, timeout=30).stdout
        return out.split()
