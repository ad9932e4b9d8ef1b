"""The kubelet and engine stop plans, on a fake clock (no podman)."""

from __future__ import annotations

import pytest
from probe_fakes import FakeRunner

from stopsignal.probing import plan
from stopsignal.probing.spec import ContainerResult, HookResult, PreStop
from stopsignal.runtimes import Outcome, Resolution, StopRequest, parse_target, resolve

SYSTEMD = ("/sbin/init",)
HOOK = PreStop("exec", command=("kill", "-37", "1"))


def model(engine: str, stop_signal: str | None, grace: float,
          command: tuple[str, ...] = SYSTEMD) -> Resolution:
    return resolve(parse_target([engine]),
                   StopRequest(image_stop_signal=stop_signal, command=command, grace=grace))


def run(runner: FakeRunner, resolution: Resolution, *, kubelet: bool, grace: float,
        prestop: PreStop | None = None) -> ContainerResult:
    result = ContainerResult(name="c", engine=resolution.engine)
    return plan.stop(runner, resolution, result, kubelet=kubelet, grace=grace, prestop=prestop)


def events(result: ContainerResult) -> list[str]:
    return [event.event for event in result.timeline]


def test_podman_sends_rtmin3_and_systemd_halts() -> None:
    runner = FakeRunner(exits_on={37: 0.3})
    result = run(runner, model("podman@4.3", "SIGRTMIN+3", 10), kubelet=False, grace=10,
                 prestop=HOOK)
    assert runner.signals == [(100.0, 37)]
    assert runner.hooks == []  # podman has no preStop
    assert result.graceful and not result.killed
    assert result.signal_sent == "SIGRTMIN+3"
    assert result.exit_code == 0
    assert result.seconds == pytest.approx(0.3)
    assert events(result) == ["stop-requested", "signal", "exited"]


def test_openshift_49_sends_sigterm_and_kills_at_the_end_of_the_grace_period() -> None:
    runner = FakeRunner(exits_on={37: 0.3})  # systemd ignores SIGTERM (it re-executes)
    resolution = model("openshift@4.9", "SIGRTMIN+3", 5)
    assert resolution.outcome is Outcome.SUBSTITUTED
    result = run(runner, resolution, kubelet=True, grace=5)
    assert runner.signals == [(100.0, 15)]
    assert runner.kills == [pytest.approx(105.0)]
    assert result.killed and not result.graceful
    assert result.exit_code == 137
    assert result.signal_sent == "SIGTERM"
    assert events(result)[-2:] == ["sigkill", "killed"]


def test_the_runtime_gets_grace_minus_whole_prestop_seconds() -> None:
    runner = FakeRunner(hook_seconds=2.5)
    result = run(runner, model("openshift@4.9", "SIGRTMIN+3", 5), kubelet=True, grace=5,
                 prestop=HOOK)
    assert runner.hooks == [(100.0, 5)]  # the hook's budget is the whole grace period
    assert runner.signals == [(102.5, 15)]  # the signal follows the hook
    # 5 - floor(2.5) = 3 s for the runtime after the hook
    assert runner.kills == [pytest.approx(105.5)]
    assert result.prestop_ran and result.prestop_ok and result.killed


@pytest.mark.parametrize("grace", [0.0, 1.0, 2.0])
def test_the_runtime_never_gets_less_than_two_seconds(grace: float) -> None:
    runner = FakeRunner()
    result = run(runner, model("kubernetes@1.30", None, grace, ("sleep", "1")), kubelet=True,
                 grace=grace, prestop=HOOK)
    assert runner.kills == [pytest.approx(102.0)]
    assert result.killed
    # with a grace period of 0 the kubelet skips the preStop hook
    assert (runner.hooks == []) is (grace == 0)


def test_prestop_overrun_is_abandoned_and_the_signal_still_gets_two_seconds() -> None:
    runner = FakeRunner(hook_seconds=60)
    result = run(runner, model("openshift@4.10", "SIGRTMIN+3", 5), kubelet=True, grace=5,
                 prestop=HOOK)
    assert runner.signals == [(105.0, 37)]  # after the whole grace period
    assert runner.kills == [pytest.approx(107.0)]  # + minimumGracePeriodInSeconds
    assert not result.prestop_ok
    assert result.prestop_error
    assert result.killed


def test_a_failed_hook_is_reported_and_the_stop_continues() -> None:
    failure = HookResult(ok=False, exit_code=127, error="executable file `nokill` not found")
    runner = FakeRunner(hook_seconds=0.1, hook_result=failure)
    result = run(runner, model("cri-o@1.22.1", "SIGRTMIN+3", 4), kubelet=True, grace=4,
                 prestop=PreStop("exec", command=("nokill", "1")))
    assert result.prestop_ran and not result.prestop_ok
    assert result.prestop_error is not None and "not found" in result.prestop_error
    hook_end = next(event for event in result.timeline if event.event == "prestop-end")
    assert "FailedPreStopHook" in hook_end.detail and hook_end.exit_code == 127
    assert runner.signals == [(pytest.approx(100.1), 15)]
    assert runner.kills == [pytest.approx(104.1)]
    assert result.killed


def test_a_hook_that_halts_pid1_makes_the_stop_graceful() -> None:
    runner = FakeRunner(hook_seconds=0.1, hook_halts_after=0.05)
    result = run(runner, model("openshift@4.9", "SIGRTMIN+3", 5), kubelet=True, grace=5,
                 prestop=HOOK)
    assert runner.signals == []  # PID 1 was gone before the runtime's turn
    assert result.graceful and result.exit_code == 0 and result.signal_sent is None


def test_kill_only_sends_no_signal_and_kills_after_the_engine_delay() -> None:
    resolution = model("docker@27.0", "SIGFOO", 10)
    assert resolution.outcome is Outcome.KILL_ONLY
    runner = FakeRunner(exits_on={15: 0.1})
    result = run(runner, resolution, kubelet=False, grace=10)
    assert runner.signals == []
    assert runner.kills == [pytest.approx(102.0)]  # docker's 2 s error path
    assert result.killed and result.signal_sent is None


def test_stuck_is_reported_then_cleaned_up() -> None:
    resolution = Resolution(engine="cri-o", version="1.14", outcome=Outcome.STUCK, signal=None,
                            kill_after=None, grace=5, trail=())
    runner = FakeRunner()
    result = run(runner, resolution, kubelet=True, grace=5)
    assert runner.signals == []
    assert "stuck" in events(result)
    assert result.killed and "never" in result.note


def test_history_goes_before_the_stop_request() -> None:
    runner = FakeRunner(exits_on={15: 0.2})
    result = ContainerResult(name="c", engine="podman")
    plan.stop(runner, model("podman@4.3", None, 10, ("bash", "x.sh")), result, kubelet=False,
              grace=10, history=[(99.0, "started", "podman run")])
    assert result.timeline[0].event == "started"
    assert result.timeline[0].t == pytest.approx(-1.0)


def test_events_reach_the_sink_live() -> None:
    seen: list[str] = []
    runner = FakeRunner(exits_on={37: 0.3})
    plan.stop(runner, model("podman@4.3", "SIGRTMIN+3", 10), ContainerResult("c", "podman"),
              kubelet=False, grace=10, sink=lambda event: seen.append(event.event))
    assert seen == ["stop-requested", "signal", "exited"]


@pytest.mark.parametrize(("grace", "spent", "budget"), [
    (30, 0, 30), (30, 0.9, 30), (30, 1.0, 29), (30, 29.5, 2), (5, 4.99, 2), (0, 0, 2), (1, 0, 2),
])
def test_runtime_budget(grace: float, spent: float, budget: float) -> None:
    assert plan.runtime_budget(grace, spent) == budget


def test_pid1_argv_follows_kubernetes_command_and_args() -> None:
    entrypoint, cmd = ("/entry",), ("serve",)
    assert plan.pid1_argv(None, None, entrypoint, cmd) == ("/entry", "serve")
    assert plan.pid1_argv(("/bin/x",), None, entrypoint, cmd) == ("/bin/x",)
    assert plan.pid1_argv(None, ("a",), entrypoint, cmd) == ("/entry", "a")
    assert plan.pid1_argv(("/bin/x",), ("a",), entrypoint, cmd) == ("/bin/x", "a")


def test_a_workload_that_ends_before_the_signal_is_not_graceful() -> None:
    runner = FakeRunner()
    runner.exit_at, runner.exit_code = 99.0, 3
    result = run(runner, model("podman@4.3", None, 10, ("sh", "-c", "exit 3")), kubelet=False,
                 grace=10)
    assert runner.signals == [] and runner.kills == []
    assert not result.graceful and not result.killed
    assert result.exit_code == 3 and "by itself" in result.note
