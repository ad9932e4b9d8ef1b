"""A declared stop signal that a target engine rejects, misreads, or that can never be graceful.

## What it does
Checks every declared stop signal (Containerfile `STOPSIGNAL`, an image config's
`StopSignal`, compose `stop_signal`, Kubernetes `lifecycle.stopSignal`) against
each target engine's own parser. It fires when an engine refuses to create the
container, cannot parse the value (and then sends nothing, hangs, or silently
sends SIGTERM instead), when the value is SIGKILL or SIGSTOP, which no process
can handle, or when the Kubernetes API would refuse a `lifecycle.stopSignal`
(it needs `spec.os.name` and an exact upper-case `SIG` name), or a stop signal
other than SIGTERM for s6-overlay's `/init`, which ignores every other one. A valid
`lifecycle.stopSignal` that a target drops (Kubernetes before 1.33 or without the
`ContainerStopSignals` gate, containerd before 2.3, CRI-O before 1.33, podman
before 5.6) is a warning: those targets send the image's signal instead.

## Why is this bad?
Engines fail differently on a bad value: Docker sends no stop signal and
SIGKILLs after 2 s; podman refuses to run the container; containerd never
completes the stop and the pod stays Terminating; CRI-O silently sends SIGTERM.
None of them tells you at build time.

## Example
```dockerfile
STOPSIGNAL RTMIN+16
```
`RTMIN+16` is beyond the names engines know (`SIGRTMIN+15` / `SIGRTMAX-14` is the limit).

Use instead:
```dockerfile
STOPSIGNAL SIGRTMIN+3
```

## Fix
Spell the signal as every target parses it: an upper-case `SIG` name (`SIGTERM`,
`SIGINT`, `SIGRTMIN+3`). Never use SIGKILL or SIGSTOP as a stop signal: raise the
grace period instead. For `lifecycle.stopSignal`, set `spec.os.name: linux`.
`stopsignal fix` respells a value every target parses to the same signal.

## Fix safety
Respelling is safe: the container gets the signal the value meant. Replacing
SIGKILL or SIGSTOP with SIGTERM is unsafe: it changes which signal the workload
receives, so it needs `--unsafe-fixes` and a person's review.

## Engines
All; each target's parser is reproduced exactly (see `stopsignal signal VALUE`).
"""

from __future__ import annotations

from collections.abc import Iterator

from stopsignal.model import Container, Finding, Fix, Severity
from stopsignal.pid1 import Pid1Kind
from stopsignal.rules.base import (
    Context,
    FixAvailability,
    Rule,
    join_labels,
    locate,
    trail_lines,
    who,
)
from stopsignal.runtimes import Outcome, Resolution, Target
from stopsignal.runtimes.kubelet import validate_stop_signal
from stopsignal.signals import UNCATCHABLE, describe_number, parse_signal

_BROKEN = (Outcome.REJECTED, Outcome.STUCK, Outcome.KILL_ONLY)
_PHRASES = {
    Outcome.REJECTED: "refuses to create the container",
    Outcome.STUCK: "never completes the stop",
    Outcome.KILL_ONLY: "sends no stop signal and SIGKILLs",
}


def check(container: Container, ctx: Context) -> Iterator[Finding]:
    if container.init_container:
        return
    stop = container.effective_stop_signal()
    if stop:
        yield from _check_stop_signal(container, ctx, stop)
    lifecycle = container.lifecycle_stop_signal
    if lifecycle:
        yield from _check_lifecycle(container, ctx, lifecycle)


def _check_stop_signal(container: Container, ctx: Context, value: str) -> Iterator[Finding]:
    location = locate(container, "stop_signal")
    what = "compose stop_signal" if container.source.value == "compose" else "STOPSIGNAL"
    parsed = parse_signal(value)
    if parsed is not None and parsed.number in UNCATCHABLE:
        yield ctx.finding(container, location, f"{who(container)}: {what} {value} is "
                          f"{describe_number(parsed.number)}, which no process can handle: the "
                          "container is never stopped gracefully", fix=_fix(container, ctx))
        return
    facts = ctx.facts
    request = facts.request()._replace(lifecycle_stop_signal=None)
    results = facts.resolve_with(request)
    broken = [(t, r) for t, r in results if r.outcome in _BROKEN and r.signal is None
              and not _timeout_zero(r)]
    if broken:
        yield ctx.finding(container, location, _message(container, what, value, broken),
                          trail=trail_lines(broken, facts.pid1), fix=_fix(container, ctx))
        return
    if facts.pid1.kind is Pid1Kind.SYSTEMD:
        return  # a substitution is what systemd-stop-signal reports, with the consequence
    if facts.pid1.kind is Pid1Kind.S6_OVERLAY and parsed is not None and parsed.number != 15:
        # s6-overlay's /init runs its shutdown (stage 3) on SIGTERM only (its README).
        yield ctx.finding(container, location, f"{who(container)}: {what} {value} reaches "
                          "s6-overlay's /init, which stops only on SIGTERM: the other signal is "
                          "ignored and the container is SIGKILLed after the grace period",
                          fix=_fix(container, ctx))
        return
    swapped = [(t, r) for t, r in results if r.outcome == Outcome.SUBSTITUTED]
    if swapped:
        _target, first = swapped[0]
        labels = join_labels([str(t) for t, _ in swapped])
        yield ctx.finding(container, location, f"{who(container)}: {labels} cannot parse "
                          f"{what} {value} and silently {_verb(swapped)} "
                          f"{first.signal_label()} instead", trail=trail_lines(swapped, facts.pid1),
                          severity=Severity.WARNING, fix=_fix(container, ctx))


def _check_lifecycle(container: Container, ctx: Context, value: str) -> Iterator[Finding]:
    location = locate(container, "lifecycle")
    error = validate_stop_signal(value, container.os)
    if error:
        yield ctx.finding(container, location, f"{who(container)}: Kubernetes rejects "
                          f"lifecycle.stopSignal {value!r}: {error}", fix=_fix(container, ctx))
        return
    parsed = parse_signal(value)
    if parsed is not None and parsed.number in UNCATCHABLE:
        yield ctx.finding(container, location, f"{who(container)}: lifecycle.stopSignal {value} "
                          "can never be handled: the container is never stopped gracefully",
                          fix=_fix(container, ctx))
        return
    facts = ctx.facts
    rejected = [(t, r) for t, r in facts.resolutions if r.outcome == Outcome.REJECTED]
    if rejected:
        yield ctx.finding(container, location, _message(container, "lifecycle.stopSignal",
                                                        value, rejected),
                          trail=trail_lines(rejected, facts.pid1), fix=_fix(container, ctx))
        return
    if facts.pid1.kind is Pid1Kind.SYSTEMD:
        return  # what systemd then gets is systemd-stop-signal's finding
    # KEP-4960: the API server drops the field without the ContainerStopSignals gate
    # (alpha, off by default) and runtimes before containerd 2.3 / CRI-O 1.33 ignore it.
    meant = parse_signal(value)
    dropped = [(t, r) for t, r in facts.resolutions
               if r.declared != value and meant is not None and r.signal != meant.number]
    if dropped:
        first = dropped[0][1]
        labels = join_labels([str(t) for t, _ in dropped])
        yield ctx.finding(container, location, f"{who(container)}: lifecycle.stopSignal "
                          f"{value} is ignored on {labels}, which {_verb(dropped)} "
                          f"{first.signal_label()} (it needs Kubernetes >= 1.33 with the "
                          "ContainerStopSignals gate and containerd >= 2.3 or CRI-O >= 1.33; "
                          "podman >= 5.6): set STOPSIGNAL in the image as well",
                          trail=trail_lines(dropped, facts.pid1), severity=Severity.WARNING)


def _fix(container: Container, ctx: Context) -> Fix | None:
    # Imported on use: fixes are built only for findings, and cost start-up otherwise.
    from stopsignal.rules.remedies import stop_signal_repair_fix

    return stop_signal_repair_fix(container, ctx.targets)


def _timeout_zero(resolution: Resolution) -> bool:
    return resolution.outcome == Outcome.KILL_ONLY and resolution.kill_after == 0


def _verb(results: list[tuple[Target, Resolution]]) -> str:
    return "sends" if len(results) == 1 else "send"


def _message(container: Container, what: str, value: str,
             broken: list[tuple[Target, Resolution]]) -> str:
    target, first = broken[0]
    labels = join_labels([str(t) for t, _ in broken])
    phrase = _PHRASES.get(first.outcome, str(first.outcome))
    return (f"{who(container)}: {what} {value!r} breaks the stop on {labels}: {target} {phrase} "
            f"({first.summary.rstrip('.')})")


RULE = Rule(
    code="STOP102",
    name="stop-signal-invalid",
    summary="a stop signal a target engine rejects, misreads, or that is never graceful",
    severity=Severity.ERROR,
    check=check,
    doc=__doc__ or "",
    fix_availability=FixAvailability.SOMETIMES,
)
