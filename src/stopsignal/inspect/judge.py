"""The verdict: will this running PID 1 act on the signal its engine will send? Pure.

What procfs tells, and why it is enough to *refute* a graceful stop:

- PID 1 of a PID namespace gets a signal from outside only when it handles it, or blocks
  it (pid_namespaces(7); kernel/signal.c ``sig_task_ignored`` and ``sig_ignored``, which
  never drops a blocked signal). No handler, no block: the signal is dropped, and the
  engine SIGKILLs when the grace period ends.
- Handled means: a handler (SigCgt); or blocked and read through a signalfd (the
  ``sigmask:`` of /proc/PID/fdinfo/N; systemd takes every signal this way, so SigCgt
  alone gets systemd wrong); or blocked and waited for with sigtimedwait (tini,
  dumb-init: while they wait the kernel moves the set out of SigBlk).
- Blocked with no reader: the signal stays pending until SIGKILL.

What it cannot prove: a handler may do anything, including nothing. "acts" is a
necessary condition for a graceful stop, not a proof; ``stopsignal probe`` is the proof.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal, NamedTuple

from stopsignal.inspect.facts import LiveContainer, ProcessFacts
from stopsignal.kill_tools import KILL_TOOLS_BY_ID, parse_spelling
from stopsignal.pid1 import INIT_SHIMS, SHELLS, SYSTEMD_REACTIONS
from stopsignal.signals import describe_number

VerdictName = Literal["acts", "ignores", "re-executes", "blocked", "unknown"]
Handling = Literal["caught", "signalfd", "waited", "ignored", "blocked", "default", "unknown"]

#: Said with every "acts": masks show a handler, not what it does.
NOT_PROOF = ("a handler is installed; whether it exits within the grace period only a real "
             "stop shows (stopsignal probe)")

# Default actions (signal(7)): these are ignored by default, these stop the process.
DEFAULT_IGNORE = frozenset({17, 18, 23, 28})
DEFAULT_STOP = frozenset({19, 20, 21, 22})
# What shims are known to pass on. tini: every signal but the synchronous ones and TTIN/TTOU
# (tini.c, configure_signals); dumb-init and catatonit: every signal they receive.
SHIM_KEEPS: dict[str, frozenset[int]] = {
    "tini": frozenset({4, 5, 6, 7, 8, 11, 17, 21, 22, 31}),
    "tini-static": frozenset({4, 5, 6, 7, 8, 11, 17, 21, 22, 31}),
    "docker-init": frozenset({4, 5, 6, 7, 8, 11, 17, 21, 22, 31}),  # Docker's tini
}


_SHELL_KILL = {"sh": "dash", "dash": "dash", "bash": "bash", "ash": "busybox-musl",
               "busybox": "busybox-musl"}


class Judgement(NamedTuple):
    verdict: VerdictName
    reason: str
    sigkill: bool  # the engine will SIGKILL it at stop (exit 1)
    rule: str | None = None  # the lint rule that names the same cause, when one does
    child: ProcessFacts | None = None  # the process that needs the signal (shim or shell)
    forwards: bool | None = None  # whether PID 1 passes the signal on to ``child``


class StopPlan(NamedTuple):
    """What the engine will do at stop (from the runtime model)."""

    signal: int | None  # None: no stop signal, only SIGKILL
    kill_after: float | None  # seconds to SIGKILL; None = never
    summary: str  # the model's headline, for the reason


def has(mask: int | None, number: int) -> bool:
    return mask is not None and bool(mask >> (number - 1) & 1)


def handling(process: ProcessFacts, number: int) -> Handling:
    """How ``process`` takes signal ``number``, from its masks alone."""
    if has(process.caught, number):
        return "caught"
    if has(process.blocked, number) and has(process.signalfd, number):
        return "signalfd"
    if process.in_sigtimedwait:
        if process.waited is not None:
            if has(process.waited, number):
                return "waited"
        elif process.program() in INIT_SHIMS:
            keeps = SHIM_KEEPS.get(process.program(), frozenset())
            return "waited" if number not in keeps else "default"
        else:
            return "unknown"
    if has(process.ignored, number):
        return "ignored"
    if has(process.blocked, number):
        return "unknown" if process.signalfd is None else "blocked"
    return "default"


def is_systemd(process: ProcessFacts) -> bool:
    return process.program() == "systemd" or process.comm == "systemd"


def judge(container: LiveContainer, plan: StopPlan,
          processes: Mapping[int, ProcessFacts]) -> Judgement:
    """The verdict for ``container``, whose PID 1 and its children are in ``processes``."""
    kill = _kill_words(plan)
    if plan.signal is None:
        return Judgement("unknown", f"{plan.summary}: no stop signal, {kill}", True,
                         "stop-signal-invalid")
    if plan.signal in (9, 19):
        return Judgement("unknown", f"the stop signal is {describe_number(plan.signal)}, which "
                         "no process can handle: it never stops gracefully", True,
                         "stop-signal-invalid")
    pid1 = processes.get(container.pid) if container.pid is not None else None
    if pid1 is None:
        return Judgement("unknown", "PID 1 could not be read", False)
    verdict = _judge_pid1(pid1, plan, processes, kill)
    return _with_prestop(container, verdict, pid1, plan, processes, kill)


def _with_prestop(container: LiveContainer, verdict: Judgement, pid1: ProcessFacts,
                  plan: StopPlan, processes: Mapping[int, ProcessFacts],
                  kill: str) -> Judgement:
    """The kubelet runs an exec preStop hook first: a ``kill`` of PID 1 in it is judged too
    (the article's fix: ``kill -s 37 1`` halts systemd before the runtime's SIGTERM)."""
    if not container.prestop_argv:
        return verdict
    from stopsignal.rules.hooks import kill_calls  # the rules package is heavy: only for hooks

    calls = [call for call in kill_calls(container.prestop_argv) if call.targets_pid1]
    if not calls:
        return verdict
    call = calls[0]
    # The shell's builtin kill reads the spelling (Debian's sh is dash), else /bin/kill.
    tool = KILL_TOOLS_BY_ID[_SHELL_KILL.get(call.shell or "", "procps")]
    number = parse_spelling(tool, call.spelling) if call.spelling else 15
    if number is None:
        return verdict._replace(reason=f"{verdict.reason}; the preStop hook's {call.text()!r} "
                                f"is not a signal {tool.label} reads")
    hook = _judge_pid1(pid1, plan._replace(signal=number), processes, kill)
    words = f"the preStop hook runs first and sends {describe_number(number)} ({call.text()})"
    if hook.verdict == "acts" and verdict.sigkill:
        return hook._replace(reason=f"{words}: {hook.reason}")
    return verdict._replace(reason=f"{verdict.reason}; {words}: {hook.verdict}")


def _judge_pid1(pid1: ProcessFacts, plan: StopPlan, processes: Mapping[int, ProcessFacts],
                kill: str) -> Judgement:
    number = plan.signal
    assert number is not None
    name = describe_number(number)
    how = handling(pid1, number)
    program = pid1.program()
    child = _main_child(pid1, processes)
    if how == "unknown":
        return Judgement("unknown", _unknown_reason(pid1, name), False)
    if how == "ignored":
        return Judgement("ignores", f"PID 1 sets {name} to SIG_IGN; {kill}", True,
                         child=child, forwards=False if child else None)
    if how == "blocked":
        return Judgement("blocked", f"PID 1 blocks {name} and reads no signalfd: it stays "
                         f"pending; {kill}", True)
    if how == "default" and pid1.nspid and pid1.nspid[-1] != 1:
        if number in DEFAULT_IGNORE | DEFAULT_STOP:
            return Judgement("ignores", f"its default action for {name} does not end it; {kill}",
                             True)
        return Judgement("acts", f"it is not PID 1 of its PID namespace (the pod shares one), "
                         f"so the default action of {name} ends it", False)
    if how == "default":
        if program in SHELLS:
            passed = f"; the shell does not pass it on to {child.describe()}" if child else ""
            return Judgement("ignores", f"the shell PID 1 has no handler for {name}{passed}; "
                             f"{kill}", True, "shell-pid1", child, False if child else None)
        return Judgement("ignores", f"PID 1 has no handler for {name}, and PID 1 of a PID "
                         f"namespace gets only the signals it handles; {kill}", True,
                         child=child, forwards=False if child else None)
    via = {"caught": "a handler", "signalfd": "a signalfd", "waited": "sigtimedwait"}[how]
    if is_systemd(pid1):
        return _systemd(number, name, via, kill)
    if program in INIT_SHIMS:
        return _shim(pid1, child, number, name, via, kill)
    note = f"; it runs {child.describe()}" if child and program in SHELLS else ""
    return Judgement("acts", f"PID 1 takes {name} through {via}{note}; {NOT_PROOF}", False,
                     child=child if note else None)


def _systemd(number: int, name: str, via: str, kill: str) -> Judgement:
    if number == 15:
        return Judgement("re-executes", f"systemd takes {name} through {via} and re-executes "
                         f"itself (daemon-reexec) instead of stopping; {kill}", True,
                         "systemd-stop-signal")
    text, stops = SYSTEMD_REACTIONS.get(number, ("has no shutdown action for it", False))
    if stops:
        return Judgement("acts", f"systemd takes {name} through {via} and {text}", False)
    return Judgement("unknown", f"systemd takes {name} through {via} but {text}; {kill}", True,
                     "systemd-stop-signal")


def _shim(pid1: ProcessFacts, child: ProcessFacts | None, number: int, name: str, via: str,
          kill: str) -> Judgement:
    program = pid1.program()
    if child is None:
        return Judgement("unknown", f"the init shim {program} takes {name} through {via} but "
                         "has no child to pass it to", False)
    how = handling(child, number)
    who = child.describe()
    if how == "unknown":
        return Judgement("unknown", f"{program} forwards {name} to {who}, but "
                         + _unknown_reason(child, name), False, child=child, forwards=True)
    if how in ("caught", "signalfd", "waited"):
        if is_systemd(child):
            inner = _systemd(number, name, how, kill)
            return inner._replace(reason=f"{program} forwards {name} to {who}: {inner.reason}",
                                  child=child, forwards=True)
        return Judgement("acts", f"{program} forwards {name} to {who}, which handles it; "
                         f"{NOT_PROOF}", False, child=child, forwards=True)
    if how == "default" and number not in DEFAULT_IGNORE | DEFAULT_STOP:
        return Judgement("acts", f"{program} forwards {name} to {who}, whose default action "
                         "ends it (it is not PID 1)", False, child=child, forwards=True)
    if how == "blocked":
        return Judgement("blocked", f"{program} forwards {name} to {who}, which blocks it; "
                         f"{kill}", True, child=child, forwards=True)
    return Judgement("ignores", f"{program} forwards {name} to {who}, which ignores it; {kill}",
                     True, child=child, forwards=True)


def _main_child(pid1: ProcessFacts, processes: Mapping[int, ProcessFacts]) -> ProcessFacts | None:
    """The child that does the work: the first one procfs lists (tini and shells have one)."""
    for pid in pid1.children:
        if pid in processes:
            return processes[pid]
    return None


def _unknown_reason(process: ProcessFacts, name: str) -> str:
    if process.in_sigtimedwait:
        return (f"{process.describe()} waits in sigtimedwait and the set it waits for could not "
                f"be read ({', '.join(process.unreadable) or 'no access'}), so whether it takes "
                f"{name} is unknown")
    return (f"{process.describe()} blocks {name}, and its signalfds could not be read "
            f"({', '.join(process.unreadable) or 'no access'})")


def _kill_words(plan: StopPlan) -> str:
    if plan.kill_after is None:
        return "the stop never completes"
    return f"SIGKILL follows after {plan.kill_after:g} s"
