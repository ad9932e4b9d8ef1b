"""A real engine driven through a Docker-compatible CLI (docker, podman): run, then stop.

Nothing is emulated: the engine's own ``stop`` picks the signal (image STOPSIGNAL or
``--stop-signal``), waits the timeout and SIGKILLs. Containers run with
``--network none`` and the label ``io.stopsignal.probe``.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass

from stopsignal.errors import ProbeError
from stopsignal.probing.config import LABEL
from stopsignal.probing.real import ImageFacts, RealOptions, Stopped
from stopsignal.probing.spec import ContainerResult, ContainerSpec, PodSpec
from stopsignal.runtimes import Resolution, Target, parse_target


@dataclass
class CliWorkload:
    name: str
    docker: CliEngine

    def logs(self) -> str:
        result = self.docker.run("logs", self.name, check=False)
        return result.stdout + result.stderr

    def host_pid(self) -> int:
        state = self.docker.run("inspect", "--format", "{{.State.Pid}}", self.name,
                                check=False).stdout.strip()
        return int(state) if state.isdigit() else 0


class CliEngine:
    """An engine behind a Docker-compatible CLI (``stopsignal.probing.real.RealEngine``)."""

    kind = ""
    name = ""
    setup = ""
    #: Extra ``run`` options when PID 1 is systemd (what the engine does not do by itself).
    systemd_args: tuple[str, ...] = ()

    def __init__(self, binary: str, env: dict[str, str], where: str) -> None:
        self.binary = binary
        self.env = env
        self.where = where

    def run(self, *args: str, check: bool = True,
            timeout: float = 120) -> subprocess.CompletedProcess[str]:
        try:
            result = subprocess.run([self.binary, *args], env=self.env, capture_output=True,
                                    text=True, timeout=timeout, check=False,
                                    stdin=subprocess.DEVNULL, start_new_session=True)
        except subprocess.TimeoutExpired:
            raise ProbeError(f"{self.kind} {args[0]} did not finish within {timeout:g} s") from None
        if check and result.returncode != 0:
            tail = " ".join(result.stderr.strip().splitlines()[-2:]) or "no error output"
            raise ProbeError(f"{self.kind} {args[0]} failed: {tail}")
        return result

    version_format = "{{.Server.Version}}"

    def version(self) -> str:
        try:
            result = self.run("version", "--format", self.version_format, check=False,
                              timeout=20)
        except FileNotFoundError:
            raise ProbeError(f"the {self.kind} client is not installed: {self.setup}") from None
        text = result.stdout.strip()
        if result.returncode != 0 or not text or text.startswith("<no value>"):
            reason = " ".join(result.stderr.strip().splitlines()[-1:]) or "no answer"
            raise ProbeError(f"{self.name.capitalize()} is not reachable at {self.where} "
                             f"({reason}); {self.setup}")
        return text

    def target(self, version: str) -> Target:
        return parse_target((f"{self.name}@{version}",))

    def image(self, ref: str) -> ImageFacts:
        result = self.run("image", "inspect", "--format", "{{json .Config}}", ref, check=False)
        if result.returncode != 0:
            raise ProbeError(f"image {ref!r} is not in {self.kind}'s store (the probe never pulls; "
                             "scripts/setup-engines.sh loads the project's images)")
        config = json.loads(result.stdout.strip() or "{}") or {}

        def argv(key: str) -> tuple[str, ...] | None:
            value = config.get(key)
            return tuple(value) if value else None

        return ImageFacts(argv("Entrypoint"), argv("Cmd"), config.get("StopSignal") or None,
                          tuple(config.get("Env") or ()))

    def start(self, spec: ContainerSpec, pod: PodSpec, *, systemd: bool,
              options: RealOptions, session: str) -> CliWorkload:
        name = f"stopsignal-probe-{session}-{spec.name}"[:60]
        workload = CliWorkload(name, self)
        args = ["run", "--detach", "--name", name, "--network", "none",
                "--label", f"{LABEL}=1", "--label", f"{LABEL}.session={session}"]
        run_tag = os.environ.get("STOPSIGNAL_PROBE_RUN")
        if run_tag:
            args += ["--label", f"{LABEL}.run={run_tag}"]
        if spec.tty:
            args.append("--tty")
        if systemd:
            args += self.systemd_args
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

    def wait_boot(self, workload: CliWorkload, timeout: float) -> str:
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

    def stop(self, workload: CliWorkload, resolution: Resolution,
             spec: ContainerSpec, result: ContainerResult,
             emit: Callable[[str, str, int | None], None], options: RealOptions) -> Stopped:
        timeout = resolution.kill_after if resolution.kill_after is not None else 10.0
        emit("stop-requested", f"{self.kind} stop -t {int(timeout)} ({self.kind} picks the "
             "signal)", None)
        start = time.monotonic()
        self.run("stop", "--time", f"{int(timeout)}", workload.name, timeout=timeout + 60)
        seconds = time.monotonic() - start
        state = self.run("inspect", "--format", "{{.State.ExitCode}}", workload.name,
                         check=False).stdout.strip()
        code = int(state) if state.lstrip("-").isdigit() else None
        return Stopped(exit_code=code, seconds=seconds, budget=float(int(timeout)))

    def remove(self, workload: CliWorkload) -> None:
        with contextlib.suppress(ProbeError):
            self.run("rm", "--force", workload.name, check=False, timeout=60)

    def leftovers(self) -> list[str]:
        out = self.run("ps", "--all", "--filter", f"label={LABEL}", "--format", "{{.Names}}",
                       check=False, timeout=30).stdout
        return out.split()
