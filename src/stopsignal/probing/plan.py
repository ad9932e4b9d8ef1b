"""The stop sequence as a pure plan: what the engine does, in order, against a ``Runner``.

No I/O happens here; a runner does it (podman, a PID namespace, or a fake clock in
tests). For a kubelet-driven target the sequence is the kubelet's
(kubernetes/kubernetes pkg/kubelet/kuberuntime/kuberuntime_container.go
``killContainer`` and ``executePreStopHook``):

1. the grace countdown G starts when the stop is requested;
2. a preStop hook runs first (only when G > 0) with a budget of G; when it
   overruns, the kubelet stops waiting but does not kill it; when it fails, the
   kubelet records a FailedPreStopHook event and the stop continues;
3. the runtime gets ``max(2, G - whole seconds spent in preStop)``
   (``minimumGracePeriodInSeconds = 2``), sends the stop signal the runtime
   model resolved, waits that long, then SIGKILLs.

Podman and Docker have no preStop: the stop signal, the stop timeout, SIGKILL.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Protocol

from stopsignal.probing.spec import ContainerResult, Event, HookResult, PreStop
from stopsignal.runtimes import Outcome, Resolution
from stopsignal.signals import signal_name

MINIMUM_GRACE = 2.0  # kubelet minimumGracePeriodInSeconds
#: How long the probe watches a container the engine would never stop (outcome ``stuck``)
#: before it cleans up; the engine itself would wait forever.
STUCK_WATCH = 2.0


class Runner(Protocol):
    """One started workload that the plan can stop."""

    def now(self) -> float:
        """Monotonic seconds."""
        ...

    def run_prestop(self, hook: PreStop, budget: float) -> HookResult:
        """Run the hook; return when it ends or after ``budget`` seconds (then overran)."""
        ...

    def send_signal(self, number: int) -> None:
        """Deliver ``number`` to PID 1 as the runtime would (from outside)."""
        ...

    def wait_exit(self, timeout: float) -> int | None:
        """PID 1's exit code once it has exited, or None if it still runs after ``timeout``."""
        ...

    def kill(self) -> int:
        """SIGKILL PID 1, wait for it, return the exit code."""
        ...


EventSink = Callable[[Event], None]


def runtime_budget(grace: float, prestop_seconds: float) -> float:
    """What StopContainer gets: G minus whole seconds spent in preStop, at least 2 s."""
    return max(MINIMUM_GRACE, grace - math.floor(prestop_seconds))


def pid1_argv(command: Sequence[str] | None, args: Sequence[str] | None,
              entrypoint: Sequence[str] | None, cmd: Sequence[str] | None) -> tuple[str, ...]:
    """PID 1's argv with Kubernetes' rules: ``command`` replaces ENTRYPOINT and drops CMD."""
    if command:
        return tuple(command) + tuple(args or ())
    if args is not None:
        return tuple(entrypoint or ()) + tuple(args)
    return tuple(entrypoint or ()) + tuple(cmd or ())


def _label(number: int) -> str:
    return signal_name(number) or str(number)


class _Clock:
    """Timeline bookkeeping relative to the stop request."""

    def __init__(self, runner: Runner, result: ContainerResult, sink: EventSink | None) -> None:
        self.runner = runner
        self.result = result
        self.sink = sink
        self.t0 = runner.now()

    def elapsed(self) -> float:
        return self.runner.now() - self.t0

    def emit(self, event: str, detail: str = "", exit_code: int | None = None, *,
             deadline: float | None = None) -> None:
        item = Event(self.elapsed(), event, detail, exit_code, deadline)
        self.result.timeline.append(item)
        if self.sink is not None:
            self.sink(item)


def stop(runner: Runner, resolution: Resolution, result: ContainerResult, *,
         kubelet: bool, grace: float, prestop: PreStop | None = None,
         sink: EventSink | None = None,
         history: Sequence[tuple[float, str, str]] = ()) -> ContainerResult:
    """Stop the workload behind ``runner`` as the resolved engine would; fill ``result``.

    ``history`` holds earlier events (monotonic time, event, detail), such as the
    container's start, to place on the same timeline before the stop request.
    """
    clock = _Clock(runner, result, sink)
    result.timeline.extend(Event(when - clock.t0, event, detail) for when, event, detail in history)
    result.outcome = str(resolution.outcome)
    result.expected = resolution.summary
    budget: float | None
    if kubelet:
        clock.emit("stop-requested", f"kubelet grace period {grace:g} s",
                   deadline=max(grace, MINIMUM_GRACE))
        budget = _run_prestop(runner, clock, prestop, grace)
    else:
        budget = resolution.kill_after
        clock.emit("stop-requested", f"{resolution.engine} stop, timeout "
                   + (f"{budget:g} s" if budget is not None else "none (waits forever)"),
                   deadline=budget)
    code = runner.wait_exit(0)
    if code is not None:
        if result.prestop_ran:
            clock.emit("exited", "PID 1 exited during the preStop hook", code)
            return _finish(result, clock, code, graceful=True)
        # Nothing was sent yet: the workload ended by itself, which proves nothing about stopping.
        result.note = "PID 1 exited by itself before the stop signal"
        clock.emit("exited-early", result.note, code)
        return _finish(result, clock, code, graceful=False, killed=False)
    outcome = resolution.outcome
    if outcome in (Outcome.SENT, Outcome.SUBSTITUTED) and resolution.signal is not None:
        name = _label(resolution.signal)
        runner.send_signal(resolution.signal)
        result.signal_sent = name
        extra = " (substituted by the engine)" if outcome is Outcome.SUBSTITUTED else ""
        clock.emit("signal", f"{name} ({resolution.signal}) sent to PID 1{extra}",
                   deadline=_deadline(clock, budget))
    elif outcome is Outcome.KILL_ONLY:
        clock.emit("no-signal", "the engine sends no stop signal, only SIGKILL later",
                   deadline=_deadline(clock, budget))
    if outcome is Outcome.STUCK or budget is None:
        clock.emit("stuck", "the engine would never complete this stop")
        code = runner.wait_exit(STUCK_WATCH)
        if code is not None:
            clock.emit("exited", "PID 1 exited on its own", code)
            return _finish(result, clock, code, graceful=True)
        result.note = ("the engine would never stop this container; the probe SIGKILLed it "
                       "to clean up")
        clock.emit("sigkill", "cleanup: SIGKILL (the engine itself would wait forever)")
        return _finish(result, clock, runner.kill(), graceful=False)
    code = runner.wait_exit(budget)
    if code is not None:
        clock.emit("exited", "PID 1 exited before the SIGKILL deadline", code)
        return _finish(result, clock, code, graceful=True)
    clock.emit("sigkill", f"deadline reached ({budget:g} s for the runtime): SIGKILL")
    return _finish(result, clock, runner.kill(), graceful=False)


def _deadline(clock: _Clock, budget: float | None) -> float | None:
    """When SIGKILL is due: the runtime's timer starts as it sends the stop signal."""
    if budget is None or clock.result.outcome == str(Outcome.STUCK):
        return None
    return clock.elapsed() + budget


def _run_prestop(runner: Runner, clock: _Clock, prestop: PreStop | None, grace: float) -> float:
    """Run the preStop hook the kubelet way; return the runtime's stop budget."""
    if prestop is None or grace <= 0:
        return runtime_budget(grace, 0.0)
    result = clock.result
    result.prestop_ran = True
    clock.emit("prestop-start", prestop.describe())
    hook = runner.run_prestop(prestop, grace)
    spent = clock.elapsed()
    result.prestop_ok = hook.ok
    if hook.overran:
        result.prestop_error = hook.error or f"preStop did not finish within {grace:g} s"
        clock.emit("prestop-end", f"overran the grace period; the kubelet stops waiting: "
                   f"{result.prestop_error}", hook.exit_code)
    elif not hook.ok:
        result.prestop_error = hook.error or f"exit code {hook.exit_code}"
        clock.emit("prestop-end", f"FailedPreStopHook: {result.prestop_error}; the stop "
                   "continues", hook.exit_code)
    else:
        clock.emit("prestop-end", "ok", hook.exit_code)
    return runtime_budget(grace, spent)


def _finish(result: ContainerResult, clock: _Clock, code: int, *,
            graceful: bool, killed: bool | None = None) -> ContainerResult:
    result.exit_code = code
    result.graceful = graceful
    result.killed = not graceful if killed is None else killed
    result.seconds = clock.elapsed()
    if result.killed:
        clock.emit("killed", "PID 1 was SIGKILLed", code)
    return result
