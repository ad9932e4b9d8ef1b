"""systemd is PID 1 but a target engine will not send it a shutdown signal.

## What it does
Finds containers whose PID 1 is systemd (directly, through `sh -c 'exec /sbin/init'`,
through an entrypoint script that execs it, behind tini or dumb-init, or a bare
`init` in a systemd image) and checks, on every target engine, which signal
systemd receives at stop. It fires when that signal is not one of systemd's
shutdown signals (SIGRTMIN+3 halt, SIGRTMIN+4 poweroff) and no preStop hook sends
one to PID 1 with a `kill` the image can parse.

A Containerfile built `FROM` an image the same repository builds inherits that
image's ENTRYPOINT, CMD and STOPSIGNAL, so an image on a systemd base without
`STOPSIGNAL` is reported even when it never mentions systemd. When the base image
is neither in the repository nor known (a distribution image, or one looked up),
its STOPSIGNAL is unknown: the finding is then a warning that says "unless the base
image declares STOPSIGNAL SIGRTMIN+3" and lists that under `assumed`. A preStop
hook that runs `kill -RTMIN+3 1` counts as stopping systemd with every common
`kill` (37 with glibc, 38, SIGRTMIN+4, with musl).

## Why is this bad?
systemd treats SIGTERM as "re-execute yourself" and keeps running; SIGINT starts
a reboot. The engine waits out the whole grace period and then SIGKILLs the
container: no unit is stopped, databases are not shut down cleanly and the
deployment is slow. Engines disagree on what they send: podman switches to
SIGRTMIN+3 on its own when the command is `/sbin/init`, but Kubernetes sends
SIGTERM unless the image declares `STOPSIGNAL SIGRTMIN+3`, and CRI-O 1.18 to
1.22.1 (OpenShift 4.5 to 4.9) cannot parse `SIGRTMIN+3` and silently sends SIGTERM.

## Example
```yaml
apiVersion: v1
kind: Pod
metadata:
  name: stopsignal-systemd
spec:
  containers:
    - name: nginx
      image: localhost/stopsignal-systemd   # STOPSIGNAL SIGRTMIN+3
      command: ["/sbin/init"]
```
On `openshift@4.9` systemd gets SIGTERM and is SIGKILLed after 30 s.

Use instead:
```yaml
      lifecycle:
        preStop:
          exec:
            command: ["kill", "-s", "37", "1"]
```

## Fix
Declare `STOPSIGNAL SIGRTMIN+3` in the image; where the target engine cannot parse
it (OpenShift 4.9 and older), add a preStop hook that sends signal 37 to PID 1.
`stopsignal fix` adds the hook, choosing the form the image's `kill` understands.

## Engines
All. The decision per engine and version comes from the runtime model
(`stopsignal resolve`); podman's systemd mode, CRI-O's parsing eras and the
kubelet's preStop ordering are taken into account.
"""

from __future__ import annotations

from collections.abc import Iterator

from stopsignal.model import Container, Finding, Fix, Severity
from stopsignal.pid1 import Pid1Kind
from stopsignal.rules.base import (
    Context,
    FixAvailability,
    Rule,
    consequence,
    inherited,
    join_labels,
    locate,
    trail_lines,
    who,
)
from stopsignal.rules.hooks import SYSTEMD_SHUTDOWN, sends_systemd_shutdown
from stopsignal.rules.pid1_detect import Pid1Info
from stopsignal.runtimes import Outcome, Resolution, Target
from stopsignal.signals import describe_number

ASSUMED_IMAGE_SIGNAL = "SIGRTMIN+3"


def _fails(resolution: Resolution) -> bool:
    """A stop that reaches systemd with something other than a shutdown signal."""
    if resolution.outcome in (Outcome.REJECTED, Outcome.STUCK):
        return False  # the spelling itself is broken: stop-signal-invalid reports it
    if resolution.outcome == Outcome.KILL_ONLY and resolution.grace == 0:
        # A grace period of 0: SIGKILL at once, whatever the signal. grace-period-budget
        # reports it; a STOPSIGNAL, this rule's remedy, would change nothing.
        return False
    return resolution.signal not in SYSTEMD_SHUTDOWN


def _sends(resolution: Resolution) -> str:
    if resolution.signal is None:
        return "no stop signal"
    return describe_number(resolution.signal)


def check(container: Container, ctx: Context) -> Iterator[Finding]:
    facts = ctx.facts
    pid1 = facts.pid1
    if pid1.kind is not Pid1Kind.SYSTEMD or container.init_container:
        return
    if sends_systemd_shutdown(container) is not None:
        return  # the preStop hook stops systemd before the engine's signal matters
    failing = [(t, r) for t, r in facts.resolutions if _fails(r)]
    if not failing:
        return
    severity: Severity | None = None
    missing = facts.unknown_image() if container.effective_stop_signal() is None else None
    caveat = ""
    assumed: list[str] = []
    if missing is not None:
        unknown, fact = missing
        # The image may declare STOPSIGNAL SIGRTMIN+3: judge both ways and say which holds.
        request = facts.request(image_stop_signal=ASSUMED_IMAGE_SIGNAL)
        hypothetical = dict(facts.resolve_with(request, [t for t, _ in failing]))
        still = [(t, r) for t, r in failing if _fails(hypothetical[t])]
        if still:
            caveat = (f" (even if {unknown} declares STOPSIGNAL {ASSUMED_IMAGE_SIGNAL}; "
                      "its config was not available)")
            failing = still
        else:
            severity = Severity.WARNING
            assumed.append(f"{fact} declares no STOPSIGNAL")
            caveat = (f" unless {unknown} declares STOPSIGNAL SIGRTMIN+3: its config was not "
                      "available (pass --image or --image-config)")
    _first_target, first = failing[0]
    labels = [str(target) for target, _ in failing]
    where = _where((*inherited(container), *pid1.via))
    message = (f"{who(container)}: systemd is PID 1{where} but {join_labels(labels)} "
               f"{'sends' if len(labels) == 1 else 'send'} {_sends(first)}{caveat}: "
               f"{consequence(first, pid1)}")
    location = locate(container, "command", "stop_signal", "entrypoint", "cmd")
    yield ctx.finding(container, location, message, trail=_trail(pid1, pid1.via, failing),
                      fix=_fix(container, [t for t, _ in failing]), severity=severity,
                      assumed=(*pid1.assumed, *assumed))


def _where(via: tuple[str, ...]) -> str:
    return f" ({'; '.join(via)})" if via else ""


def _trail(pid1: Pid1Info, via: tuple[str, ...],
           failing: list[tuple[Target, Resolution]]) -> list[str]:
    return [f"PID 1: {step}" for step in via] + trail_lines(failing, pid1)


def _fix(container: Container, targets: list[Target]) -> Fix | None:
    # Imported on use: fixes are built only for findings, and cost start-up otherwise.
    from stopsignal.rules.remedies import systemd_fix

    return systemd_fix(container, targets)


RULE = Rule(
    code="STOP101",
    name="systemd-stop-signal",
    summary="systemd is PID 1 and a target engine will not send it SIGRTMIN+3",
    severity=Severity.ERROR,
    check=check,
    doc=__doc__ or "",
    fix_availability=FixAvailability.SOMETIMES,
)
