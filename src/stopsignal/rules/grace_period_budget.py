"""The grace period or stop timeout leaves no time for the shutdown the workload declares.

## What it does
Compares the time between the stop signal and SIGKILL on each target engine
with the shutdown time the workload itself declares: a preStop `sleep` (or
`sleep N` in an exec hook) that uses up the grace period, a grace period of 0,
s6-overlay's `S6_SERVICES_GRACETIME` + `S6_KILL_GRACETIME`, or a server's own
graceful-shutdown option (gunicorn `--graceful-timeout`, uvicorn
`--timeout-graceful-shutdown`, `--shutdown-timeout`), and systemd as PID 1
with less than 5 seconds between its shutdown signal and SIGKILL.

## Why is this bad?
The kubelet's countdown starts before the preStop hook, and the stop signal is
sent only when the hook returns: a hook that sleeps for the whole grace period
leaves the application 2 seconds. Docker and podman wait 10 seconds by default,
Kubernetes 30. A workload that needs longer is SIGKILLed in the middle of its
shutdown, which is worse than no graceful shutdown at all.

systemd shuts down by stopping every unit in reverse dependency order, then
unmounting and syncing; each unit may take up to `DefaultTimeoutStopSec` (90 s
upstream, systemd-system.conf(5)). The threshold of 5 s is about three times a
measured clean halt: the seed image (systemd and nginx) halts in 1.5 s under
podman on a 2-core machine (median of 3 runs; systemd alone 0.45 s), so a
grace period below 5 s (`terminationGracePeriodSeconds: 1`, `stop_grace_period:
2s`) SIGKILLs systemd before the units it runs are stopped.

## Example
```yaml
spec:
  terminationGracePeriodSeconds: 30
  containers:
    - name: web
      image: example/web
      lifecycle:
        preStop:
          sleep:
            seconds: 30
```

Use instead:
```yaml
spec:
  terminationGracePeriodSeconds: 45
```

## Fix
Raise `terminationGracePeriodSeconds` (compose `stop_grace_period`, `docker run
--stop-timeout`) above the preStop time plus the declared shutdown time plus a
margin, or shorten the hook. `stopsignal fix --unsafe-fixes` raises the grace
period; that is unsafe because it makes every stop and rollout slower.

## Fix safety
Unsafe: a longer grace period delays every stop, eviction and rolling update.

## Engines
All; the kubelet's preStop accounting (whole seconds, a 2 s floor) is modelled.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence

from stopsignal.model import Container, Finding, Fix, Severity
from stopsignal.pid1 import Pid1Kind
from stopsignal.rules.base import Context, FixAvailability, Rule, locate, trail_lines, who
from stopsignal.runtimes import Resolution, Target
from stopsignal.signals import decimal

#: The least time systemd as PID 1 needs between its shutdown signal and SIGKILL: about three
#: times a measured clean halt of the seed systemd + nginx image under podman (1.5 s).
SYSTEMD_HALT_SECONDS = 5.0
_SYSTEMD = "systemd"

# Graceful-shutdown options of common servers, in seconds.
_LONGEST = 10.0**9  # seconds: longer is not a shutdown anyone declared on purpose
_OPTIONS = {
    "--graceful-timeout": "gunicorn --graceful-timeout",
    "--timeout-graceful-shutdown": "uvicorn --timeout-graceful-shutdown",
    "--shutdown-timeout": "--shutdown-timeout",
    "--graceful-shutdown-timeout": "--graceful-shutdown-timeout",
}
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")


def check(container: Container, ctx: Context) -> Iterator[Finding]:
    if container.init_container:
        return
    facts = ctx.facts
    if container.grace == 0:
        yield ctx.finding(container, locate(container, "grace"),
                          f"{who(container)}: a grace period of 0 stops the container with "
                          "SIGKILL at once (or right after the stop signal): no graceful stop is "
                          "possible")
        return
    needs = _declared_shutdown(container)
    if facts.pid1.kind is Pid1Kind.SYSTEMD:
        needs.append((SYSTEMD_HALT_SECONDS, _SYSTEMD))
    prestop = facts.prestop_seconds
    if not needs and not prestop:
        return  # nothing declared: the engines' defaults are the workload's business
    worst: tuple[Target, Resolution, float] | None = None
    for target, resolution in facts.resolutions:
        if resolution.kill_after is None:
            continue
        hook = prestop if target.kubelet is not None else 0.0
        window = resolution.kill_after - math.floor(hook)
        need = max((seconds for seconds, _ in needs), default=0.0)
        short_hook = target.kubelet is not None and prestop > 0 and \
            prestop >= (resolution.grace or 0)
        if ((need and need > window) or short_hook) and (worst is None or window < worst[2]):
            worst = (target, resolution, window)
    if worst is None:
        return
    target, resolution, window = worst
    if needs and max(s for s, _ in needs) > window:
        seconds, what = max(needs)
        if what == _SYSTEMD:
            message = (f"{who(container)}: systemd is PID 1 and needs at least {seconds:g} s to "
                       f"stop its units, but {target} SIGKILLs it {window:g} s after the stop "
                       "signal")
        else:
            message = (f"{who(container)}: {what} declares {seconds:g} s of shutdown but "
                       f"{target} SIGKILLs {window:g} s after the stop signal")
        needed = seconds + (math.floor(prestop) if target.kubelet is not None else 0) + 5
        location = locate(container, "grace", "command", "args")
    else:
        grace = resolution.grace or 0
        message = (f"{who(container)}: the preStop hook takes {prestop:g} s of the {grace:g} s "
                   f"grace period on {target}: the application gets only {window:g} s between "
                   "the stop signal and SIGKILL")
        needed = math.floor(prestop) + 10
        location = locate(container, "prestop", "grace")
    yield ctx.finding(container, location, message, fix=_fix(container, needed),
                      trail=trail_lines([(target, resolution)], facts.pid1))


def _declared_shutdown(container: Container) -> list[tuple[float, str]]:
    needs: list[tuple[float, str]] = []
    env = dict(container.image_config.env if container.image_config else ())
    env.update(container.env)
    if "S6_SERVICES_GRACETIME" in env or "S6_KILL_GRACETIME" in env:
        services = _millis(env.get("S6_SERVICES_GRACETIME"), 5000)
        kill = _millis(env.get("S6_KILL_GRACETIME"), 3000)
        needs.append(((services + kill) / 1000, ("s6-overlay (S6_SERVICES_GRACETIME + "
                      "S6_KILL_GRACETIME)")))
    needs.extend(_option_seconds(container.argv()))
    return needs


def _millis(value: str | None, default: int) -> int:
    number = decimal(value, max_digits=12) if value is not None else None
    return default if number is None else number


def _option_seconds(argv: Sequence[str]) -> list[tuple[float, str]]:
    found: list[tuple[float, str]] = []
    for index, arg in enumerate(argv):
        name, eq, inline = arg.partition("=")
        if name not in _OPTIONS:
            continue
        value = inline if eq else (argv[index + 1] if index + 1 < len(argv) else "")
        if _NUMBER.fullmatch(value) and math.isfinite(seconds := float(value)) \
                and seconds <= _LONGEST:
            found.append((seconds, f"{_OPTIONS[name]} {value}"))
    return found


def _fix(container: Container, needed_seconds: float) -> Fix | None:
    # Imported on use: fixes are built only for findings, and cost start-up otherwise.
    from stopsignal.rules.remedies import grace_period_fix

    return grace_period_fix(container, needed_seconds)


RULE = Rule(
    code="STOP403",
    name="grace-period-budget",
    summary="the grace period leaves no time for the declared shutdown",
    severity=Severity.WARNING,
    check=check,
    doc=__doc__ or "",
    fix_availability=FixAvailability.SOMETIMES,
)
