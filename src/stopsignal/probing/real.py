"""Probe on a real engine (Docker, containerd through CRI): the engine stops, we watch.

Unlike the podman probe, which emulates an engine by sending the signal the model
resolved, here the engine itself decides: ``docker stop`` does what Docker does, and
the CRI probe performs the kubelet's sequence against containerd (preStop through
ExecSync, StopContainer with the time left, ContainerStatus). The engine's version
is read from the daemon, the model predicts the stop for exactly that version, and
the observation (exit code, time, what the workload logged) is set next to it:
``model_agrees``.
"""

from __future__ import annotations

import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from stopsignal.probing.logs import clean_logs, workload_saw
from stopsignal.probing.spec import ContainerResult, ContainerSpec, Event, PodSpec
from stopsignal.runtimes import Outcome, Resolution, StopRequest, Target, resolve
from stopsignal.signals import parse_signal

Sink = Callable[[str, Event], None]
#: A container killed at the deadline exits 128 + SIGKILL.
KILLED_EXIT = 137
#: Slack for "SIGKILL came at the deadline": the engine's own timer and our clock differ.
DEADLINE_SLACK = 0.25


def engine_version(text: str) -> str:
    """MAJOR.MINOR.PATCH out of a daemon's version string (``20.10.24+dfsg1``, ``v1.6.20``)."""
    match = re.match(r"v?(\d+)\.(\d+)(?:\.(\d+))?", text.strip())
    if match is None:
        return text.strip()
    major, minor, patch = match.groups()
    return f"{major}.{minor}.{patch or 0}"


@dataclass(frozen=True)
class ImageFacts:
    entrypoint: tuple[str, ...] | None
    cmd: tuple[str, ...] | None
    stop_signal: str | None
    env: tuple[str, ...] = ()  # KEY=VALUE, as the image config holds them


@dataclass(frozen=True)
class RealOptions:
    grace: float | None = None  # stop timeout / terminationGracePeriodSeconds override
    stop_signal: str | None = None  # a run option (docker run --stop-signal); CRI: see cri.py
    cri_stop_signal: str | None = None  # ContainerConfig.stop_signal (CRI only)
    boot_timeout: float = 60.0
    ready_timeout: float = 3.0  # how long to wait for PID 1 to handle the stop signal
    log_lines: int = 15


@dataclass
class Stopped:
    """What the engine reported once the stop returned."""

    exit_code: int | None
    seconds: float  # from the stop request until the container was gone
    budget: float  # the engine's own timeout (SIGKILL deadline from its stop call)
    started_stop: float = 0.0  # seconds into the stop when the runtime stop began (after preStop)


class Workload(Protocol):
    """A container started on a real engine."""

    name: str

    def logs(self) -> str: ...

    def host_pid(self) -> int:
        """PID 1 of the container as the host sees it (0 when unknown)."""
        ...


W = TypeVar("W", bound=Workload)


class RealEngine(Protocol[W]):
    """One real engine: Docker over its socket, or containerd over CRI."""

    kind: str  # "docker" | "cri": the --on value
    name: str  # the engine the model knows: "docker" | "containerd"

    def version(self) -> str: ...

    def target(self, version: str) -> Target: ...

    def image(self, ref: str) -> ImageFacts: ...

    def start(self, spec: ContainerSpec, pod: PodSpec, *, systemd: bool,
              options: RealOptions, session: str) -> W: ...

    def wait_boot(self, workload: W, timeout: float) -> str: ...

    def stop(self, workload: W, resolution: Resolution, spec: ContainerSpec,
             result: ContainerResult, emit: Callable[[str, str, int | None], None],
             options: RealOptions) -> Stopped: ...

    def remove(self, workload: W) -> None: ...


def container_env(spec: ContainerSpec, image: ImageFacts) -> bool:
    """The container has a non-empty ``container`` variable (pod env wins over image ENV)."""
    from stopsignal.runtimes.environment import env_setting, split_items
    from stopsignal.runtimes.marks import VARIABLE

    return env_setting(VARIABLE, spec.env, split_items(image.env)).non_empty is True


def argv(spec: ContainerSpec, image: ImageFacts) -> tuple[str, ...]:
    from stopsignal.probing.plan import pid1_argv

    return pid1_argv(spec.command, spec.args, image.entrypoint, image.cmd)


def predict(target: Target, spec: ContainerSpec, pod: PodSpec, image: ImageFacts,
            options: RealOptions) -> Resolution:
    """The model's prediction for this container on exactly this engine version."""
    grace = options.grace if options.grace is not None else pod.grace
    request = StopRequest(
        image_stop_signal=options.stop_signal or image.stop_signal,
        lifecycle_stop_signal=options.cri_stop_signal or spec.lifecycle_stop_signal,
        os=pod.os or ("linux" if options.cri_stop_signal else None),
        command=argv(spec, image), grace=grace, container_env=container_env(spec, image))
    if options.cri_stop_signal and target.kubelet is not None:
        # lifecycle.stopSignal reaches the runtime only with the feature gate on.
        from stopsignal.runtimes import parse_target

        target = parse_target((f"{target.kubelet.written}+ContainerStopSignals",
                               target.runtime.written))
    return resolve(target, request)


def hook_signal(spec: ContainerSpec) -> int | None:
    """The signal an exec preStop hook sends to PID 1 (procps ``kill`` or a shell builtin)."""
    from stopsignal.kill_tools import KILL_TOOLS_BY_ID, parse_kill_signal
    from stopsignal.rules.hooks import kill_calls

    if spec.prestop is None or spec.prestop.kind != "exec":
        return None
    for call in kill_calls(spec.prestop.command):
        tool = KILL_TOOLS_BY_ID.get(call.shell or "procps")
        if call.targets_pid1 and tool is not None:
            return parse_kill_signal(tool, call.args)
    return None


def with_hook(resolution: Resolution, target: Target, spec: ContainerSpec,
              image: ImageFacts) -> Resolution:
    """The prediction when a preStop hook signals PID 1 before the runtime's stop."""
    from stopsignal import pid1 as pid1_model
    from stopsignal.runtimes import marks
    from stopsignal.signals import describe_number

    number = hook_signal(spec)
    if number is None or resolution.outcome is Outcome.REJECTED:
        return resolution
    command = argv(spec, image)
    pid1 = pid1_model.classify(command)
    reaction, stops = pid1_model.reaction(pid1, number)
    unmarked = (pid1.kind == "systemd" and not container_env(spec, image)
                and marks.engine_mark(target, command) is None)
    if not stops or unmarked:
        # The hook does not stop it (an unmarked systemd hangs in reboot(), as the model
        # says of the runtime's signal too): the runtime's signal decides.
        return resolution
    summary = (f"the preStop hook sends {describe_number(number)} first: {pid1.kind} "
               f"{reaction} (the runtime's own stop: {resolution.summary})")
    return resolution._replace(graceful=True, summary=summary)


def observed_signal(stop_logs: str) -> int | None:
    """The signal the workload reports having received, when its log says so."""
    saw = workload_saw(stop_logs)
    if saw.startswith("Exiting by "):
        parsed = parse_signal(saw.removeprefix("Exiting by "))
        return parsed.number if parsed is not None else None
    if saw == "re-executed":
        return 15
    # systemd's last words name the target the signal started (src/shutdown/shutdown.c).
    if "Halting system" in stop_logs:
        return 37  # SIGRTMIN+3: halt.target
    if "Powering off" in stop_logs:
        return 38  # SIGRTMIN+4: poweroff.target
    return None


class RealSession(Generic[W]):
    """Probe pods on one real engine; everything created is removed, also on Ctrl-C."""

    def __init__(self, engine: RealEngine[W], sink: Sink | None = None) -> None:
        self.engine = engine
        self.sink = sink
        self.id = uuid.uuid4().hex[:8]
        self.live: list[W] = []
        self._lock = threading.Lock()
        self.version = engine_version(engine.version())
        self.target = engine.target(self.version)

    def __enter__(self) -> RealSession[W]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cleanup()

    def cleanup(self) -> None:
        while self.live:
            self.engine.remove(self.live.pop())

    def label(self) -> str:
        return f"{self.engine.name}@{self.version}"

    def probe_pod(self, pod: PodSpec, options: RealOptions) -> list[ContainerResult]:
        return [self.probe_container(spec, pod, options) for spec in pod.containers]

    def probe_container(self, spec: ContainerSpec, pod: PodSpec,
                        options: RealOptions) -> ContainerResult:
        return self.probe_with_prediction(spec, pod, options)[0]

    def probe_with_prediction(self, spec: ContainerSpec, pod: PodSpec,
                              options: RealOptions) -> tuple[ContainerResult, dict[str, Any]]:
        """Run and stop one container; the result and the model's prediction as data."""
        image = self.engine.image(spec.image)
        resolution = predict(self.target, spec, pod, image, options)
        effective = resolution.signal if resolution.outcome in (
            Outcome.SENT, Outcome.SUBSTITUTED) else None
        if self.target.kubelet is not None:
            hooked = with_hook(resolution, self.target, spec, image)
            if hooked is not resolution:
                effective = hook_signal(spec)
            resolution = hooked
        prediction: dict[str, Any] = {
            "outcome": str(resolution.outcome), "signal": resolution.signal,
            "graceful": resolution.graceful, "effective_signal": effective}
        return self._run(spec, pod, options, resolution), prediction

    def _run(self, spec: ContainerSpec, pod: PodSpec, options: RealOptions,
             resolution: Resolution) -> ContainerResult:
        name = f"{pod.name}/{spec.name}" if len(pod.containers) > 1 else spec.name
        result = ContainerResult(name=name, engine=self.label())
        result.outcome = str(resolution.outcome)
        result.expected = resolution.summary
        if resolution.outcome is Outcome.REJECTED:
            result.note = f"not run: {resolution.summary}"
            return result
        history: list[tuple[float, str, str]] = []

        def note(event: str, detail: str) -> None:
            history.append((time.monotonic(), event, detail))
            self._emit(name, Event(0.0, event, detail))

        workload = self.engine.start(spec, pod, systemd=resolution.pid1 == "systemd",
                                     options=options, session=self.id)
        self.live.append(workload)
        try:
            note("started", f"{self.label()}: {spec.image}")
            if resolution.pid1 == "systemd":
                note("booted", self.engine.wait_boot(workload, options.boot_timeout))
            wanted = resolution.signal if resolution.outcome in (
                Outcome.SENT, Outcome.SUBSTITUTED) else None
            pid = workload.host_pid()
            if wanted is not None and pid > 0:
                # Stop a running workload, not one still installing its handlers.
                from stopsignal.probing.procfs import wait_ready

                ready = wait_ready(pid, wanted, options.ready_timeout)
                note("ready" if ready else "no-handler",
                     f"PID 1 handles signal {wanted}" if ready else
                     f"PID 1 has no handler for signal {wanted} after "
                     f"{options.ready_timeout:g} s (it will ignore it)")
            before = workload.logs()
            t0 = time.monotonic()
            result.timeline.extend(Event(when - t0, event, detail)
                                   for when, event, detail in history)

            def emit(event: str, detail: str = "", exit_code: int | None = None) -> None:
                item = Event(time.monotonic() - t0, event, detail, exit_code)
                result.timeline.append(item)
                self._emit(name, item)

            stopped = self.engine.stop(workload, resolution, spec, result, emit, options)
            after = workload.logs()
        finally:
            self.live.remove(workload)
            self.engine.remove(workload)
        stop_text = after.removeprefix(before)
        judge(result, stopped, stop_text)
        result.logs = clean_logs(after, options.log_lines)
        result.stop_logs = clean_logs(stop_text, 0)
        result.model_agrees = agrees(resolution, result)
        if result.model_agrees is False:
            result.note = (f"MODEL DISAGREES: predicted {verdict_word(resolution.graceful)}, "
                           f"observed {verdict_word(result.graceful)}"
                           + (f"; {result.note}" if result.note else ""))
        return result

    def _emit(self, name: str, event: Event) -> None:
        if self.sink is not None:
            with self._lock:
                self.sink(name, event)


def judge(result: ContainerResult, stopped: Stopped, stop_logs: str) -> None:
    """Graceful or killed, from the exit code, the time and the workload's own log.

    A container that exits 137 at the engine's deadline was SIGKILLed; systemd's log
    tells a hang after SIGRTMIN+3 (halt began, never ended) from a SIGTERM re-execution.
    """
    result.exit_code = stopped.exit_code
    result.seconds = stopped.seconds
    at_deadline = stopped.seconds - stopped.started_stop >= stopped.budget - DEADLINE_SLACK
    result.killed = stopped.exit_code == KILLED_EXIT and at_deadline
    result.graceful = stopped.exit_code is not None and not result.killed
    saw = workload_saw(stop_logs)
    signal = observed_signal(stop_logs)
    if signal is not None:
        from stopsignal.signals import signal_name

        result.signal_sent = signal_name(signal)
    result.observed = saw
    if result.killed:
        result.timeline.append(Event(stopped.seconds, "killed", f"SIGKILL at the engine's "
                                     f"deadline ({stopped.budget:g} s); the workload log says: "
                                     f"{saw}", stopped.exit_code))
    elif stopped.exit_code is not None:
        result.timeline.append(Event(stopped.seconds, "exited", "before the deadline; the "
                                     f"workload log says: {saw}", stopped.exit_code))


def agrees(resolution: Resolution, result: ContainerResult) -> bool | None:
    if resolution.graceful is None or result.exit_code is None:
        return None
    return resolution.graceful == result.graceful


def verdict_word(graceful: bool | None) -> str:
    return {True: "graceful", False: "killed", None: "unknown"}[graceful]
