"""A stop-signal spelling that works on current engines but not on older ones still in use.

## What it does
When you have not named your fleet with `--engine` (or `engines:` in the config),
checks the declared `STOPSIGNAL` / compose `stop_signal` on older engines that
are still met in the field and that parse stop signals differently:
CRI-O 1.22.1 (OpenShift 4.9), which reads numeric `37` and `SIGRTMIN+3` as
SIGTERM, and containerd 1.3 to 1.5 (and k3s of that era), which cannot parse
real-time names at all and never completes the stop.

## Why is this bad?
An image is built once and run on whatever cluster pulls it. A spelling that is
correct today can be silently replaced by SIGTERM, or leave the pod Terminating
forever, on a cluster one or two releases behind.

## Example
```dockerfile
STOPSIGNAL 37
```
Fine on Docker, podman, containerd >= 1.4 and CRI-O >= 1.22.2, but CRI-O 1.22.1
(OpenShift 4.9) sends SIGTERM.

Use instead:
```dockerfile
STOPSIGNAL SIGRTMIN+3
```
and, for systemd images that must also run on OpenShift 4.9, a preStop hook that
sends signal 37 to PID 1.

## Fix
Prefer the upper-case `SIG` name (`SIGRTMIN+3`): it works on every current engine
and on containerd >= 1.6. If your fleet is known, name it with `--engine` and the
rule steps aside for the engines you actually run.

## Engines
Informational; checked against cri-o@1.22.1 (openshift@4.9), containerd@1.5 and
containerd@1.3 with Kubernetes 1.22. It never fails the exit code unless asked
(`--fail-on info`).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

from stopsignal.model import Container, Finding, Severity
from stopsignal.rules.base import Context, Rule, join_labels, locate, runs, trail_lines, who
from stopsignal.rules.hooks import sends_systemd_shutdown
from stopsignal.runtimes import Outcome, Target, parse_targets

#: Older engines still met in the field, with what makes them different.
FIELD_ENGINES = (
    ("openshift@4.9", ("CRI-O 1.18-1.22.1 (OpenShift 4.5-4.9) reads only SIG-prefixed classic "
                      "names")),
    ("kubernetes@1.22,containerd@1.5", ("containerd 1.3-1.5 (and k3s of that era) has no "
                                       "real-time names")),
    ("kubernetes@1.22,containerd@1.3", "containerd 1.3 accepts only numbers 1-31"),
)


@cache
def field_targets() -> tuple[tuple[Target, str], ...]:
    return tuple((parse_targets([spec])[0], why) for spec, why in FIELD_ENGINES)


def check(container: Container, ctx: Context) -> Iterator[Finding]:
    facts = ctx.facts
    value = container.effective_stop_signal()
    if not value or facts.explicit_targets or container.init_container:
        return
    if sends_systemd_shutdown(container) is not None:
        return  # the preStop hook does the stopping wherever the spelling fails
    request = facts.request()._replace(lifecycle_stop_signal=None)
    current = facts.resolve_with(request)
    if any(r.outcome != Outcome.SENT for _, r in current):
        return  # broken today: stop-signal-invalid reports it
    known = {str(target) for target in facts.targets}
    # Only engines that can run this source: old kubelets do not run compose files.
    old = [(t, why) for t, why in field_targets()
           if str(t) not in known and runs(container.source, t)]
    if not old:
        return
    results = facts.resolve_with(request, [t for t, _ in old])
    reasons = {str(t): why for t, why in old}
    bad = [(t, r) for t, r in results if r.outcome != Outcome.SENT]
    if not bad:
        return
    target, first = bad[0]
    labels = join_labels([str(t) for t, _ in bad])
    what = "compose stop_signal" if container.source.value == "compose" else "STOPSIGNAL"
    message = (f"{who(container)}: {what} {value!r} works on current engines but not on "
               f"{labels}: {first.summary.rstrip('.')} ({reasons[str(target)]})")
    yield ctx.finding(container, locate(container, "stop_signal"), message,
                      trail=trail_lines(bad, facts.pid1))


RULE = Rule(
    code="STOP103",
    name="stop-signal-portability",
    summary="a stop-signal spelling that older engines still in use misread",
    severity=Severity.INFO,
    check=check,
    doc=__doc__ or "",
)
