"""A preStop hook signals PID 1 with a spelling some `kill` implementations misread.

## What it does
Finds `kill ... 1` in preStop `exec` hooks (run directly, or through `sh -c`) and
parses the signal argument the way each `kill` the image may have does: procps,
util-linux, busybox and toybox (glibc or musl builds), and the bash and dash
builtins. It fires when they disagree in a way that matters: when some of them
fail, or send a different signal. For systemd as PID 1, any of its shutdown
signals counts as agreement (SIGRTMIN+3 halts, SIGRTMIN+4 powers off).

When the image's `kill` is not known (an image lint could not see, run through
an unknown `/bin/sh`), the finding is info: advice, not a verdict. It is a
warning when the image's `kill` or shell is known to misread or reject the spelling.

## Why is this bad?
Real-time signal names are resolved with the `kill` tool's own C library:
`RTMIN+3` is 37 under glibc but 38 under musl (Alpine, busybox). Debian's busybox
has no real-time names at all, dash rejects `SIG`-prefixed names, procps before
4.0.5 has no `RTMAX`, and only procps and util-linux accept `--signal`. A hook
that fails or sends the wrong signal leaves the workload to be SIGKILLed.

## Example
```yaml
lifecycle:
  preStop:
    exec:
      command: ["/bin/sh", "-c", "kill -SIGRTMIN+3 1"]   # dash: "invalid signal"
```

Use instead:
```yaml
      command: ["/bin/sh", "-c", "kill -s 37 1"]
```

## Fix
Use the signal number (`kill -s 37 1`, `kill -37 1`): numbers are read the same by
every implementation.

## Engines
Kubernetes and OpenShift (the kubelet runs preStop hooks); the judgement is about
the image's `kill`, not the engine.
"""

from __future__ import annotations

from collections.abc import Iterator

from stopsignal.model import Container, Finding, Fix, Severity, SourceKind
from stopsignal.pid1 import Pid1Kind
from stopsignal.rules.base import Context, FixAvailability, Rule, locate, who
from stopsignal.rules.hooks import (
    SYSTEMD_SHUTDOWN,
    kill_calls,
    kill_known,
    kill_tools_for,
    outcomes,
)
from stopsignal.signals import describe_number, parse_signal


def check(container: Container, ctx: Context) -> Iterator[Finding]:
    hook = container.prestop
    if hook is None or hook.kind != "exec" or container.init_container:
        return
    systemd = ctx.facts.pid1.kind is Pid1Kind.SYSTEMD
    for call in kill_calls(hook.command):
        if not call.targets_pid1 or call.spelling is None:
            continue
        tools, why = kill_tools_for(container, call)
        results = outcomes(tools, call)
        meant = parse_signal(call.spelling)
        if _agree(results, meant.number if meant else None, systemd):
            continue
        failing = sorted(tool for tool, number in results.items() if number is None)
        numbers = sorted({number for number in results.values() if number is not None})
        parts = []
        for number in numbers:
            users = sorted(tool for tool, n in results.items() if n == number)
            parts.append(f"{describe_number(number)} with {', '.join(users)}")
        if failing:
            parts.append(f"an error with {', '.join(failing)}")
        message = (f"{who(container)}: the preStop hook's {call.text()!r} sends "
                   f"{'; '.join(parts)} ({why}); use the number, e.g. 'kill -s "
                   f"{_suggested(numbers, systemd)} 1'")
        trail = [f"{tool.label}: {call.text()} -> "
                 f"{describe_number(n) if (n := results[tool.id]) is not None else 'error'}"
                 for tool in tools]
        # Advice about kills the image may not even have is info; a warning needs the
        # image's own kill (or shell) to be known to misread or reject the spelling.
        known = kill_known(container, call)
        yield ctx.finding(container, locate(container, "prestop"), message, trail=trail,
                          fix=_fix(container), severity=None if known else Severity.INFO,
                          assumed=() if known else (_UNKNOWN_KILL,))


_UNKNOWN_KILL = ("the image's kill is not known: any common one (procps, util-linux, busybox, "
                 "toybox) may run the hook")


def _fix(container: Container) -> Fix | None:
    # Imported on use: fixes are built only for findings, and cost start-up otherwise.
    from stopsignal.rules.remedies import prestop_kill_fix

    return prestop_kill_fix(container)


def _agree(results: dict[str, int | None], meant: int | None, systemd: bool) -> bool:
    """Every kill sends what the spelling means to engines and glibc programs."""
    values = set(results.values())
    if None in values:
        return False
    if systemd and values <= SYSTEMD_SHUTDOWN:
        return True  # halt or poweroff: either stops systemd cleanly
    if meant is not None:
        return values == {meant}
    return len(values) <= 1


def _suggested(numbers: list[int], systemd: bool) -> str:
    if systemd:
        return "37"
    return str(numbers[0]) if numbers else "SIGNAL"


RULE = Rule(
    code="STOP402",
    name="prestop-kill-portability",
    summary="a preStop kill spelling that some kill implementations misread",
    severity=Severity.WARNING,
    check=check,
    doc=__doc__ or "",
    applies_to=frozenset({SourceKind.KUBERNETES}),
    fix_availability=FixAvailability.SOMETIMES,
)
