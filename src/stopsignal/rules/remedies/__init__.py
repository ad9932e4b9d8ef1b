"""Fixes as data: what to change in a file so a container stops gracefully.

Rules call these pure functions to attach a ``Fix`` to a finding; ``stopsignal.fixing``
renders the edits (YAML round trip, JSON, Containerfile splices, JSON Patch).
Every choice is checked against the runtime model for the given targets, so a
fix is only offered as SAFE when it makes every target deliver what it should.

The systemd preStop hook (research/runtime-semantics.md sections 6b, 7, 8 and
Implications 8-10) is ``/bin/sh -c 'kill -s 37 1; while kill -0 1; do sleep 1 ||
break; done'``:

* ``37`` and ``-s``: only the number means SIGRTMIN+3 to every ``kill`` (musl reads
  ``RTMIN+3`` as 38, dash rejects ``SIG`` prefixes, Debian's busybox has no RT names);
  ``kill`` is a builtin of every ``/bin/sh`` (dash, bash, busybox ash), so no binary
  is needed beyond the shell.
* the wait: the kubelet sends the runtime's stop signal as soon as the hook returns.
  On engines that send SIGTERM (OpenShift 4.9's CRI-O 1.22.1), SIGTERM reaching
  systemd mid-shutdown makes it serialize and re-execute instead of finishing its
  halt. So the hook waits while PID 1 lives: systemd's final sweep ("Sending
  SIGTERM to remaining processes", when PID 1 is already systemd-shutdown and past
  the point of no return) or the end of the PID namespace ends the hook (a harmless
  FailedPreStopHook event, exit 143 or 137);
  if systemd needs longer than the grace period, the kubelet stops waiting and the
  usual stop signal and SIGKILL follow. No number is hard-coded, so raising the
  grace period later stays correct. ``|| break`` keeps the loop from spinning if an
  image has no ``sleep``.

An existing preStop hook is never replaced silently. An ``exec`` hook is kept and
runs first: the new hook is ``/bin/sh -c '<original argv, shlex-quoted>; kill -s 37
1; ...'``, so the original runs as its own process with exactly its words (even
when it is itself ``sh -c SCRIPT``: an ``exit`` or ``exec`` in it cannot skip the
signal), and the signal follows whether it succeeded or not. ``httpGet``, ``sleep``
and ``tcpSocket`` hooks cannot be combined: the fix is DISPLAY_ONLY and says so.
``lifecycle.stopSignal: SIGRTMIN+3`` (with ``spec.os.name: linux``) is chosen
instead of a hook only when every target honours it (Kubernetes >= 1.33 with the
ContainerStopSignals gate and containerd >= 2.3; never CRI-O, see
``_lifecycle_everywhere``), so by default no alpha field is added.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from stopsignal.model import Applicability, Container, Edit, Fix, Location, SourceKind
from stopsignal.rules.remedies._kubernetes import kubernetes_systemd_fix, lifecycle_repair_fix
from stopsignal.rules.remedies._shell import prestop_kill_fix, shell_form_fix
from stopsignal.rules.remedies._where import (
    SYSTEMD_HOOK,
    SYSTEMD_HOOK_SCRIPT,
    SYSTEMD_NUMBER,
    delivers,
    document_of,
    intended_number,
    is_systemd,
    node_path,
    path_of,
    relevant_targets,
    spec_path,
)
from stopsignal.runtimes import Target
from stopsignal.runtimes.types import StopRequest
from stopsignal.signals import signal_name

__all__ = [
    "SYSTEMD_HOOK",
    "SYSTEMD_HOOK_SCRIPT",
    "grace_period_fix",
    "prestop_kill_fix",
    "shell_form_fix",
    "stop_signal_repair_fix",
    "systemd_fix",
]



# ---------------------------------------------------------------- public API (rules call these)


def systemd_fix(container: Container, targets: Sequence[Target]) -> Fix | None:
    """Make a systemd PID 1 get SIGRTMIN+3 on every target, or say why no fix exists."""
    if container.init_container:
        return None
    if container.source is SourceKind.CONTAINERFILE:
        return _stop_signal_fix(container, targets, SYSTEMD_NUMBER, systemd=True)
    if container.source is SourceKind.COMPOSE:
        return _stop_signal_fix(container, targets, SYSTEMD_NUMBER, systemd=True)
    if container.source is SourceKind.KUBERNETES:
        return kubernetes_systemd_fix(container, targets)
    return None


def stop_signal_repair_fix(container: Container, targets: Sequence[Target]) -> Fix | None:
    """Repair a STOPSIGNAL / ``stop_signal`` / ``lifecycle.stopSignal`` that a target rejects."""
    if container.source is SourceKind.KUBERNETES:
        return lifecycle_repair_fix(container, targets)
    if container.source not in (SourceKind.CONTAINERFILE, SourceKind.COMPOSE):
        return None
    value = container.effective_stop_signal()
    if value is None or _own_stop_signal_location(container) is None:
        return None
    systemd = is_systemd(container)
    meant = intended_number(value)
    if meant is None or meant in (9, 19):
        if systemd:
            return _stop_signal_fix(container, targets, SYSTEMD_NUMBER, systemd=True)
        if meant is None:
            return None
        # SIGKILL/SIGSTOP can never be graceful; SIGTERM is the engines' default but it
        # changes what the container gets, so a person has to agree.
        fix = _stop_signal_fix(container, targets, 15, systemd=False)
        return Fix(fix.title, fix.edits, Applicability.UNSAFE) if fix else None
    return _stop_signal_fix(container, targets, meant, systemd=systemd)


def grace_period_fix(container: Container, needed_seconds: float) -> Fix | None:
    """Raise the grace period to ``needed_seconds`` (rounded up). UNSAFE: stops take longer."""
    seconds = max(1, math.ceil(needed_seconds))
    if container.source is SourceKind.KUBERNETES:
        spec = spec_path(container)
        if spec is None:
            return None
        edit = Edit(path_of(container), "set", document_of(container),
                    (*spec, "terminationGracePeriodSeconds"), seconds)
        title = f"Raise terminationGracePeriodSeconds to {seconds}"
    elif container.source is SourceKind.COMPOSE:
        service = node_path(container)
        edit = Edit(path_of(container), "set", document_of(container),
                    (*service, "stop_grace_period"), f"{seconds}s")
        title = f"Raise stop_grace_period to {seconds}s"
    else:
        return None
    if container.grace is not None and container.grace >= seconds:
        return None
    return Fix(title + " (unsafe: every stop of this workload may take that long)", (edit,),
               Applicability.UNSAFE)


# ---------------------------------------------------------------- stop signal values


def _stop_signal_fix(container: Container, targets: Sequence[Target], number: int, *,
                     systemd: bool) -> Fix | None:
    """Set the Containerfile STOPSIGNAL or compose ``stop_signal`` to ``number``."""
    relevant = relevant_targets(container, targets)
    spelling, failing = _best_spelling(container, relevant, number, systemd=systemd)
    if container.effective_stop_signal() == spelling and not failing:
        return None
    edits = _stop_signal_edits(container, spelling)
    if not edits:
        return None
    what = "STOPSIGNAL" if container.source is SourceKind.CONTAINERFILE else "stop_signal"
    if failing:
        names = ", ".join(str(target) for target in failing)
        return Fix(f"Set {what} {spelling}: no spelling works on {names}; add a preStop hook "
                   "in the manifests that run this image", edits, Applicability.DISPLAY_ONLY)
    return Fix(f"Set {what} {spelling}", edits)


def _best_spelling(container: Container, targets: Sequence[Target], number: int, *,
                   systemd: bool) -> tuple[str, list[Target]]:
    """The first of name, short name and number that every target delivers as ``number``."""
    name = signal_name(number) or str(number)
    candidates = [name, name.removeprefix("SIG"), str(number)]
    best: tuple[str, list[Target]] | None = None
    for spelling in candidates:
        request = StopRequest(image_stop_signal=spelling, command=container.argv(),
                              grace=container.grace)
        failing = [t for t in targets if not delivers(t, request, number, systemd=systemd)]
        if not failing:
            return spelling, []
        if best is None or len(failing) < len(best[1]):
            best = (spelling, failing)
    assert best is not None
    return best


def _stop_signal_edits(container: Container, spelling: str) -> tuple[Edit, ...]:
    path = path_of(container)
    if container.source is SourceKind.COMPOSE:
        return (Edit(path, "set", document_of(container),
                     (*node_path(container), "stop_signal"), spelling),)
    text = f"STOPSIGNAL {spelling}"
    own = _own_stop_signal_location(container)
    if own is not None:
        return (Edit(path, "replace-instruction", start_line=own.line, end_line=own.line,
                     text=text),)
    return (Edit(path, "insert-after-instruction", start_line=_insertion_line(container),
                 end_line=_insertion_line(container), text=text),)


def _own_stop_signal_location(container: Container) -> Location | None:
    """The STOPSIGNAL / stop_signal written for this container in its own file and stage."""
    locations = dict(container.locations)
    location = locations.get("stop_signal")
    if location is None and container.image_config is not None:
        location = container.image_config.location_of("stop_signal")
    if location is None or location.path != path_of(container):
        return None
    if container.source is SourceKind.CONTAINERFILE and location.line < _stage_line(container):
        return None  # inherited from an earlier stage: editing it would change that stage too
    return location


def _stage_line(container: Container) -> int:
    return dict(container.locations).get("container", container.location).line


def _insertion_line(container: Container) -> int:
    """Where a new STOPSIGNAL goes: after this stage's ENTRYPOINT/CMD, else after FROM."""
    stage = _stage_line(container)
    lines = [stage]
    candidates: list[Location | None] = [dict(container.locations).get("command")]
    if container.image_config is not None:
        candidates += [container.image_config.location_of("entrypoint"),
                       container.image_config.location_of("cmd")]
    for location in candidates:
        if location is not None and location.path == path_of(container) and location.line > stage:
            lines.append(location.line)
    return max(lines)
