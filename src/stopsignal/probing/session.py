"""Probe pods with podman: resolve, create, wait until PID 1 listens, stop, collect, remove.

A ``PodmanSession`` owns every container it creates (named before creation, so
that an interruption at any point can still remove them) and removes them on
exit, whatever happened. Containers of one pod are stopped in parallel, as the
kubelet does.
"""

from __future__ import annotations

import os
import re
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Self

from stopsignal.errors import ProbeError
from stopsignal.probing import plan
from stopsignal.probing.config import LABEL
from stopsignal.probing.logs import clean_logs, read_k8s_file
from stopsignal.probing.podman import Podman, PodmanRunner
from stopsignal.probing.procfs import alive, wait_exec, wait_ready
from stopsignal.probing.spec import Cancelled, ContainerResult, ContainerSpec, Event, PodSpec
from stopsignal.runtimes import Outcome, Resolution, StopRequest, Target, marks, resolve
from stopsignal.runtimes.environment import EnvSetting, env_setting, split_items

Sink = Callable[[str, Event], None]


@dataclass(frozen=True)
class ProbeOptions:
    grace: float | None = None  # overrides terminationGracePeriodSeconds / the engine default
    stop_signal: str | None = None  # overrides the image's STOPSIGNAL
    ready_timeout: float = 3.0  # how long to wait for PID 1 to handle the stop signal
    log_lines: int = 15
    boot_timeout: float = 60.0  # how long to let systemd boot before stopping it


@dataclass
class _Prepared:
    spec: ContainerSpec
    resolution: Resolution
    result: ContainerResult
    name: str = ""
    runner: PodmanRunner | None = None
    history: list[tuple[float, str, str]] = field(default_factory=list)
    log_path: Path | None = None
    log_offset: int = 0  # the size of the log when the stop was requested
    error: Exception | None = None  # what went wrong in the stopping thread
    unmarked: str | None = None  # set: run with an empty ``container`` (see emulate_unmarked)


def kubelet_driven(target: Target) -> bool:
    return target.kubelet is not None


def request_for(spec: ContainerSpec, pod: PodSpec, entrypoint: tuple[str, ...] | None,
                cmd: tuple[str, ...] | None, image_signal: str | None,
                options: ProbeOptions, image_env: tuple[str, ...] = ()) -> StopRequest:
    grace = options.grace if options.grace is not None else pod.grace
    return StopRequest(
        image_stop_signal=options.stop_signal or image_signal,
        lifecycle_stop_signal=spec.lifecycle_stop_signal, os=pod.os,
        command=plan.pid1_argv(spec.command, spec.args, entrypoint, cmd), grace=grace,
        container_env=_container_variable(spec.env, image_env).non_empty is True)


def _container_variable(env: tuple[tuple[str, str], ...],
                        image_env: tuple[str, ...]) -> EnvSetting:
    """The ``container`` variable PID 1 gets (``image_env`` holds ``KEY=VALUE`` items)."""
    return env_setting(marks.VARIABLE, env, split_items(image_env))


def emulate_unmarked(target: Target, command: tuple[str, ...], env: tuple[tuple[str, str], ...],
                     image_env: tuple[str, ...]) -> str | None:
    """Why the container must run with ``container`` set empty; None when it must not.

    Podman marks every container it runs (``container=podman`` and /run/.containerenv,
    libpod container_internal_linux.go), so a systemd PID 1 would always know it runs in a
    container and halt cleanly, whatever engine the probe emulates. containerd via CRI,
    and CRI-O outside its systemd mode before 1.23, mark nothing (runtimes/marks.py): there
    systemd halts as on a machine, reboot() fails with EPERM and it hangs until SIGKILL.
    systemd's detect_container() (src/basic/virt.c, systemd 252) reads PID 1's own
    ``container`` variable first and takes a set but empty value as authoritative "not in a
    container" (VIRTUALIZATION_NONE) before it looks at any marker file; podman lets the
    user's ``--env`` replace its own value. So ``--env container=`` gives systemd what the
    unmarked engine gives. Only when neither the pod (any value: it decides) nor the
    image's ENV sets the variable, as on the real engine.
    """
    if marks.engine_mark(target, command) is not None:
        return None
    setting = _container_variable(env, image_env)
    if setting.source == "container env" or setting.non_empty:
        return None
    return f"{marks.not_marking(target)}: {marks.VARIABLE}= set empty to emulate it"


class PodmanSession:
    def __init__(self, podman: Podman | None = None, sink: Sink | None = None) -> None:
        self.podman = podman or Podman()
        self.sink = sink
        self.id = uuid.uuid4().hex[:8]
        self.created: list[str] = []
        self.cancel = threading.Event()
        self._lock = threading.Lock()
        self._tmp = tempfile.TemporaryDirectory(prefix="stopsignal-probe.")

    def __enter__(self) -> Self:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.cleanup()

    def cleanup(self) -> None:
        self.cancel.set()
        names, self.created = self.created, []
        try:
            self.podman.remove(names)
        finally:
            self._tmp.cleanup()

    def _emit(self, name: str, event: Event) -> None:
        if self.sink is not None:
            with self._lock:
                self.sink(name, event)

    def probe_pod(self, pod: PodSpec, target: Target,
                  options: ProbeOptions) -> list[ContainerResult]:
        items = [self._prepare(spec, pod, target, options) for spec in pod.containers]
        workers: list[threading.Thread] = []
        try:
            for item in items:
                if item.resolution.outcome is not Outcome.REJECTED:
                    self._start(item, pod, options)
            # The kubelet stops a pod's containers in parallel.
            workers = [threading.Thread(target=self._stop, args=(item, target), daemon=True)
                       for item in items if item.runner is not None]
            for worker in workers:
                worker.start()
            for worker in workers:
                while worker.is_alive():
                    worker.join(0.1)  # short joins keep Ctrl-C and SIGTERM responsive
            if self.cancel.is_set():
                raise Cancelled("interrupted")
            for item in items:
                if item.error is not None:
                    raise item.error
                self._collect(item, options)
        except BaseException:
            self.cancel.set()
            raise
        finally:
            for worker in workers:
                worker.join(5)  # they see the cancel flag within 0.1 s
            for item in items:
                if item.runner is not None:
                    item.runner.close()
            names = [item.name for item in items if item.name]
            self.podman.remove(names)
            self.created = [name for name in self.created if name not in names]
        return [item.result for item in items]

    def _prepare(self, spec: ContainerSpec, pod: PodSpec, target: Target,
                 options: ProbeOptions) -> _Prepared:
        info = self.podman.image(spec.image)
        request = request_for(spec, pod, info.entrypoint, info.cmd, info.stop_signal, options,
                              info.env)
        resolution = resolve(target, request)
        label = f"{pod.name}/{spec.name}" if len(pod.containers) > 1 else spec.name
        result = ContainerResult(name=label, engine=str(target))
        if resolution.outcome is Outcome.REJECTED:
            result.outcome = str(resolution.outcome)
            result.expected = resolution.summary
            result.note = f"not run: {resolution.summary}"
        unmarked = emulate_unmarked(target, request.command, spec.env, info.env)
        return _Prepared(spec, resolution, result, unmarked=unmarked)

    def _start(self, item: _Prepared, pod: PodSpec, options: ProbeOptions) -> None:
        spec = item.spec
        item.name = _container_name(self.id, pod.name, spec.name)
        self.created.append(item.name)  # before creation: an interrupt may land mid-way
        pidfile = Path(self._tmp.name) / f"{item.name}.pid"
        # Our own k8s-file log: read locally, split at the stop request by byte offset.
        item.log_path = Path(self._tmp.name) / f"{item.name}.log"
        args = ["run", "--detach", "--name", item.name, "--pidfile", str(pidfile),
                "--log-driver", "k8s-file", "--log-opt", f"path={item.log_path}",
                "--label", f"{LABEL}=1",
                "--label", f"{LABEL}.session={self.id}", "--restart", "no"]
        run_tag = os.environ.get("STOPSIGNAL_PROBE_RUN")
        if run_tag:  # lets a test run or a CI job find its own containers among others'
            args += ["--label", f"{LABEL}.run={run_tag}"]
        if spec.tty:
            args.append("--tty")
        for key, value in spec.env:
            args += ["--env", f"{key}={value}"]
        if item.unmarked:
            args += ["--env", f"{marks.VARIABLE}="]  # see emulate_unmarked
        if spec.command:
            args += ["--entrypoint", _json_argv(spec.command)]
        args.append(spec.image)
        if spec.args is not None:
            args += list(spec.args)
        started = self.podman.run(*args, timeout=180).stdout.strip().splitlines()
        item.history.append((time.monotonic(), "started", f"podman run {spec.image}"))
        self._emit(item.result.name, Event(0.0, "started", spec.image))
        if item.unmarked:
            self._note(item, "unmarked", item.unmarked)
            item.result.note = item.unmarked
        try:
            pid = int(pidfile.read_text().strip() or 0)
        except (OSError, ValueError):
            state = self.podman.run("inspect", "--format", "{{.State.Pid}}", item.name,
                                    timeout=60).stdout.strip()
            pid = int(state or 0)
        wait_exec(pid, ("runc",))
        runner = PodmanRunner(self.podman, item.name, pid, started[-1] if started else "")
        runner.cancelled = self.cancel.is_set
        if pid <= 0 or not alive(pid):
            # Nothing to stop: the workload ended (or crashed) on its own. Not graceful: the
            # probe cannot show how it stops.
            code = runner.wait_exit(10)
            runner.close()
            item.result.exit_code = code
            item.result.outcome = str(item.resolution.outcome)
            item.result.expected = item.resolution.summary
            item.result.note = "PID 1 exited by itself before the stop request"
            item.result.timeline.append(Event(0.0, "exited-early", item.result.note, code))
            return
        item.runner = runner
        wanted = item.resolution.signal if item.resolution.outcome in (
            Outcome.SENT, Outcome.SUBSTITUTED) else None
        if item.resolution.pid1 == "systemd":
            self._wait_boot(item, options)
        if wanted is not None:
            ready = wait_ready(pid, wanted, options.ready_timeout, self.cancel.is_set)
            detail = (f"PID 1 handles signal {wanted}" if ready else
                      f"PID 1 has no handler for signal {wanted} after "
                      f"{options.ready_timeout:g} s (it will ignore it)")
            self._note(item, "ready" if ready else "no-handler", detail)

    def _note(self, item: _Prepared, event: str, detail: str) -> None:
        """An event before the stop request: kept for the timeline, shown live."""
        item.history.append((time.monotonic(), event, detail))
        self._emit(item.result.name, Event(0.0, event, detail))

    def _wait_boot(self, item: _Prepared, options: ProbeOptions) -> None:
        """Let systemd finish booting, as a pod that has been running would have.

        A stop during boot tests something else: SIGTERM that early can make the halt
        fail after the re-execution, which never happens to a running workload.
        """
        deadline = time.monotonic() + options.boot_timeout
        detail = f"systemd still booting after {options.boot_timeout:g} s"
        pid = item.runner.pid if item.runner else 0
        while (left := deadline - time.monotonic()) > 0 and not self.cancel.is_set():
            if not alive(pid):
                detail = "PID 1 exited while booting"
                break
            try:
                state = self.podman.run("exec", item.name, "systemctl", "is-system-running",
                                        "--wait", check=False, timeout=left,
                                        finish_on_interrupt=False)
            except ProbeError:
                break
            if state.stdout.strip():
                detail = f"systemd is {state.stdout.strip()}"
                break
            # Too early: systemd's private socket is not there yet ("Failed to connect to
            # bus"), or the image has no systemctl; ask again shortly.
            if "not found" in state.stderr or "no such file or directory: OCI" in state.stderr:
                detail = "systemctl not found in the image; not waiting for boot"
                break
            time.sleep(0.05)
        self._note(item, "booted", detail)

    def _stop(self, item: _Prepared, target: Target) -> None:
        runner = item.runner
        assert runner is not None
        resolution = item.resolution
        grace = resolution.grace if resolution.grace is not None else 0.0
        item.log_offset = self._log_size(item)
        try:
            plan.stop(runner, resolution, item.result, kubelet=kubelet_driven(target),
                      grace=grace, prestop=item.spec.prestop if kubelet_driven(target) else None,
                      sink=lambda event: self._emit(item.result.name, event),
                      history=item.history)
        except Cancelled:
            return
        except Exception as error:  # noqa: BLE001 - handed to the main thread, re-raised there
            item.error = error

    def _collect(self, item: _Prepared, options: ProbeOptions) -> None:
        raw = self._log_bytes(item)
        item.result.logs = clean_logs(read_k8s_file(raw), options.log_lines)
        item.result.stop_logs = clean_logs(read_k8s_file(raw[item.log_offset:]), 0)

    @staticmethod
    def _log_bytes(item: _Prepared) -> bytes:
        try:
            return item.log_path.read_bytes() if item.log_path else b""
        except OSError:
            return b""

    @staticmethod
    def _log_size(item: _Prepared) -> int:
        try:
            return item.log_path.stat().st_size if item.log_path else 0
        except OSError:
            return 0


def _container_name(session: str, pod: str, container: str) -> str:
    slug = re.sub(r"[^a-zA-Z0-9_.-]+", "-", f"{pod}-{container}").strip("-.")[:60]
    return f"stopsignal-probe-{session}-{slug}"


def _json_argv(argv: tuple[str, ...]) -> str:
    import json

    return json.dumps(list(argv))
