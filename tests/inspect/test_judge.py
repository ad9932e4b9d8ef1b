"""The verdict from hand-made procfs facts: no containers needed."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from stopsignal.inspect.facts import LiveContainer, ProcessFacts
from stopsignal.inspect.judge import StopPlan, handling, judge


def mask(*numbers: int) -> int:
    return sum(1 << (n - 1) for n in numbers)


def proc(pid: int, argv: Iterable[str], *, exe: str | None = None, caught: Iterable[int] = (),
         ignored: Iterable[int] = (), blocked: Iterable[int] = (),
         signalfd: Iterable[int] | None = (), waited: Iterable[int] | None = None,
         in_wait: bool = False, children: Iterable[int] = (), comm: str | None = None
         ) -> ProcessFacts:
    argv = tuple(argv)
    return ProcessFacts(pid=pid, start_ticks=1, comm=comm or argv[0].rsplit("/", 1)[-1],
                        exe=exe or argv[0], argv=argv, caught=mask(*caught),
                        ignored=mask(*ignored), blocked=mask(*blocked),
                        signalfd=None if signalfd is None else mask(*signalfd),
                        waited=None if waited is None else mask(*waited),
                        in_sigtimedwait=in_wait or waited is not None, nspid=(pid, 1),
                        children=tuple(children))


def container(pid: int = 100) -> LiveContainer:
    return LiveContainer(id="c0ffee", name="c", engine="podman", version="4.3.1", pid=pid,
                         started=None, created=None, stop_signal="15", grace=10.0)


def plan(signal: int | None, kill_after: float | None = 10.0) -> StopPlan:
    return StopPlan(signal, kill_after, "Podman 4.3.1 sends it")


# systemd 252 as read on this project's machine: crash handlers caught, everything else
# blocked and read through one signalfd.
SYSTEMD = proc(100, ["/sbin/init"], exe="/usr/lib/systemd/systemd", comm="systemd",
               caught=(3, 4, 6, 7, 8, 11), ignored=(13,), blocked=(1, 2, 10, 12, 15, 37, 38),
               signalfd=(1, 2, 10, 12, 15, 37, 38), children=(101,))


def test_systemd_acts_on_rtmin3_through_its_signalfd() -> None:
    assert handling(SYSTEMD, 37) == "signalfd"
    verdict = judge(container(), plan(37), {100: SYSTEMD})
    assert verdict.verdict == "acts"
    assert not verdict.sigkill
    assert "signalfd" in verdict.reason and "halt.target" in verdict.reason


def test_systemd_reexecutes_on_sigterm() -> None:
    verdict = judge(container(), plan(15), {100: SYSTEMD})
    assert (verdict.verdict, verdict.sigkill, verdict.rule) == (
        "re-executes", True, "systemd-stop-signal")
    assert "SIGKILL follows after 10 s" in verdict.reason


def test_systemd_on_sigint_keeps_running() -> None:
    verdict = judge(container(), plan(2), {100: SYSTEMD})
    assert verdict.verdict == "unknown" and verdict.sigkill


def test_a_blocked_signal_with_unreadable_fds_is_unknown_not_blocked() -> None:
    hidden = SYSTEMD._replace(signalfd=None, unreadable=("fd: Permission denied",))
    verdict = judge(container(), plan(37), {100: hidden})
    assert verdict.verdict == "unknown"
    assert "Permission denied" in verdict.reason
    assert not verdict.sigkill


def test_blocked_without_a_signalfd_stays_pending() -> None:
    stuck = proc(100, ["/app"], blocked=(15,))
    verdict = judge(container(), plan(15), {100: stuck})
    assert (verdict.verdict, verdict.sigkill) == ("blocked", True)


def test_no_handler_ignores() -> None:
    sleeper = proc(100, ["sleep", "infinity"], exe="/usr/bin/sleep")
    verdict = judge(container(), plan(15), {100: sleeper})
    assert (verdict.verdict, verdict.sigkill, verdict.rule) == ("ignores", True, None)


def test_sig_ign_ignores() -> None:
    deaf = proc(100, ["/app"], ignored=(15,))
    assert judge(container(), plan(15), {100: deaf}).verdict == "ignores"


def test_a_handler_acts_and_says_it_is_not_proof() -> None:
    app = proc(100, ["/app"], caught=(15,))
    verdict = judge(container(), plan(15), {100: app})
    assert (verdict.verdict, verdict.sigkill) == ("acts", False)
    assert "stopsignal probe" in verdict.reason


def test_shell_loop_ignores_and_names_the_child_it_does_not_forward_to() -> None:
    shell = proc(100, ["/bin/sh", "-c", "while true; do sleep 1; done"], exe="/usr/bin/dash",
                 caught=(2,), children=(101,))
    child = proc(101, ["sleep", "1"], exe="/usr/bin/sleep")
    verdict = judge(container(), plan(15), {100: shell, 101: child})
    assert (verdict.verdict, verdict.rule, verdict.forwards) == ("ignores", "shell-pid1", False)
    assert verdict.child == child
    assert "sleep 1" in verdict.reason
    # dash run with -c catches SIGINT: it exits 130 on it.
    assert judge(container(), plan(2), {100: shell, 101: child}).verdict == "acts"


def test_tini_forwards_to_a_child_whose_default_action_ends_it() -> None:
    tini = proc(100, ["/tini", "--", "sleep", "infinity"], waited=range(1, 65), children=(101,))
    child = proc(101, ["sleep", "infinity"], exe="/usr/bin/sleep")
    verdict = judge(container(), plan(15), {100: tini, 101: child})
    assert (verdict.verdict, verdict.forwards, verdict.child) == ("acts", True, child)
    assert not verdict.sigkill


def test_tini_forwards_to_a_child_that_ignores() -> None:
    tini = proc(100, ["/tini", "--", "app"], waited=range(1, 65), children=(101,))
    child = proc(101, ["app"], ignored=(15,))
    verdict = judge(container(), plan(15), {100: tini, 101: child})
    assert (verdict.verdict, verdict.forwards, verdict.sigkill) == ("ignores", True, True)


def test_tini_forwards_sigterm_to_systemd_which_reexecutes() -> None:
    tini = proc(100, ["/tini", "--", "/sbin/init"], waited=range(1, 65), children=(101,))
    inner = SYSTEMD._replace(pid=101, children=())
    verdict = judge(container(), plan(15), {100: tini, 101: inner})
    assert (verdict.verdict, verdict.rule) == ("re-executes", "systemd-stop-signal")


def test_a_known_shim_in_sigtimedwait_with_an_unreadable_set() -> None:
    tini = proc(100, ["/usr/bin/tini", "--", "app"], in_wait=True, children=(101,))
    child = proc(101, ["app"], caught=(15,))
    assert judge(container(), plan(15), {100: tini, 101: child}).verdict == "acts"
    assert handling(tini, 21) == "default"  # tini never forwards SIGTTIN


def test_an_unknown_program_in_sigtimedwait_with_an_unreadable_set() -> None:
    waiter = proc(100, ["/app"], in_wait=True)
    assert judge(container(), plan(15), {100: waiter}).verdict == "unknown"


def test_a_shim_without_a_child() -> None:
    tini = proc(100, ["/tini", "--", "app"], waited=range(1, 65))
    verdict = judge(container(), plan(15), {100: tini})
    assert verdict.verdict == "unknown" and "no child" in verdict.reason


@pytest.mark.parametrize("signal", [None, 9, 19])
def test_no_signal_sigkill_or_sigstop_never_stops_gracefully(signal: int | None) -> None:
    app = proc(100, ["/app"], caught=range(1, 32))
    verdict = judge(container(), plan(signal, 2.0), {100: app})
    assert (verdict.verdict, verdict.sigkill, verdict.rule) == (
        "unknown", True, "stop-signal-invalid")


def test_pid1_not_read_is_unknown_without_sigkill() -> None:
    verdict = judge(container(), plan(15), {})
    assert (verdict.verdict, verdict.sigkill) == ("unknown", False)


def test_never_killed_when_the_engine_never_kills() -> None:
    sleeper = proc(100, ["sleep", "infinity"])
    verdict = judge(container(), plan(15, None), {100: sleeper})
    assert "never completes" in verdict.reason


def test_a_prestop_kill_of_pid1_is_judged_first() -> None:
    """The article's fix: SIGTERM re-executes systemd, but `kill -s 37 1` ran before it."""
    hook = "kill -s 37 1; while kill -0 1; do sleep 1 || break; done"
    fixed = container()._replace(prestop_argv=("/bin/sh", "-c", hook))
    verdict = judge(fixed, plan(15), {100: SYSTEMD})
    assert (verdict.verdict, verdict.sigkill) == ("acts", False)
    assert "preStop hook runs first" in verdict.reason and "SIGRTMIN+3" in verdict.reason
    useless = container()._replace(prestop_argv=("kill", "-s", "HUP", "1"))
    verdict = judge(useless, plan(15), {100: SYSTEMD})
    assert verdict.verdict == "re-executes" and "preStop" in verdict.reason
    sleeper = container()._replace(prestop_argv=("sleep", "5"))
    assert judge(sleeper, plan(15), {100: SYSTEMD}).reason == \
        judge(container(), plan(15), {100: SYSTEMD}).reason


def test_a_main_process_in_a_shared_pid_namespace_gets_default_actions() -> None:
    app = proc(100, ["app"])._replace(nspid=(100, 7))  # pause is PID 1 of the pod
    verdict = judge(container(), plan(15), {100: app})
    assert (verdict.verdict, verdict.sigkill) == ("acts", False)
    assert judge(container(), plan(28), {100: app}).verdict == "ignores"  # SIGWINCH
