"""What a rule is, and what it sees when it checks a container.

A rule is a typed value (``Rule``) defined in its own module: code, kebab name,
severity, the docstring that is its documentation, and a pure ``check``
function. The engine builds one ``Facts`` per container (targets, who PID 1
is, how each target stops it) and hands every rule a ``Context`` over it, so
the runtime model runs once per container however many rules look.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple

from stopsignal import pid1 as pid1_model
from stopsignal.model import (
    Container,
    Finding,
    Fix,
    Location,
    Severity,
    SourceKind,
)
from stopsignal.pid1 import Pid1Kind
from stopsignal.rules.pid1_detect import Pid1Info, ScriptReader, detect
from stopsignal.runtimes import Resolution, StopRequest, Target, resolve


class FixAvailability(StrEnum):
    NONE = "none"
    SOMETIMES = "sometimes"
    ALWAYS = "always"


Check = Callable[[Container, "Context"], Iterable[Finding]]

#: Which kind of engine can run a container described by each source.
#: Kubernetes objects run under a kubelet, or under ``podman kube play``;
#: compose services under docker or podman; images anywhere.
_RUNS_ON: dict[SourceKind, Callable[[Target], bool]] = {
    SourceKind.KUBERNETES: lambda t: t.kubelet is not None or t.runtime.name == "podman",
    SourceKind.COMPOSE: lambda t: t.kubelet is None,
    SourceKind.CONTAINERFILE: lambda t: True,
    SourceKind.IMAGE_CONFIG: lambda t: True,
}


class Rule(NamedTuple):
    code: str  # STOP101; never reused once released
    name: str  # kebab-case, named after the pattern it flags
    summary: str  # one line, for `stopsignal rules`
    severity: Severity
    check: Check
    doc: str  # the module docstring: What it does / Why is this bad? / Example / Fix / Engines
    applies_to: frozenset[SourceKind] = frozenset(SourceKind)
    fix_availability: FixAvailability = FixAvailability.NONE


@lru_cache(maxsize=4096)
def resolve_cached(target: Target, request: StopRequest) -> Resolution:
    """The runtime model is pure: containers with the same request share one answer."""
    return resolve(target, request)


def runs(source: SourceKind, target: Target) -> bool:
    """Whether ``target`` can run a container described by ``source``."""
    return _RUNS_ON[source](target)


def applicable_targets(source: SourceKind, targets: Sequence[Target]) -> tuple[Target, ...]:
    """The targets that can run a container from ``source``; all of them if none fits."""
    runs_on = _RUNS_ON[source]
    fitting = tuple(target for target in targets if runs_on(target))
    return fitting or tuple(targets)


class Facts:
    """What every rule needs to know about one container, computed at most once."""

    def __init__(self, container: Container, targets: tuple[Target, ...],
                 explicit_targets: bool = False, read_script: ScriptReader | None = None) -> None:
        self.container = container
        self.targets = targets
        self.explicit_targets = explicit_targets  # the user named the fleet (--engine, config)
        self.read_script = read_script
        # Computed on first use (functools.cached_property takes a lock on every access
        # in Python 3.11, which costs more than the lookups themselves here).
        self._pid1: Pid1Info | None = None
        self._prestop: float | None = None
        self._resolutions: tuple[tuple[Target, Resolution], ...] | None = None

    @property
    def pid1(self) -> Pid1Info:
        if self._pid1 is None:
            self._pid1 = detect(self.container, self.read_script)
        return self._pid1

    @property
    def image_known(self) -> bool:
        """Whether the image's own settings (STOPSIGNAL, ENTRYPOINT) are known: an image
        config, or a Containerfile whose FROM chain ends in an image whose config is known."""
        image = self.container.image_config
        if image is None:
            return self.container.source is SourceKind.IMAGE_CONFIG
        return image.base_known

    def unknown_image(self) -> tuple[str, str] | None:
        """The image whose config lint could not see: (in a message, in an assumed fact)."""
        if self.image_known:
            return None
        container = self.container
        image = container.image_config
        if image is not None and image.base:
            return f"the base image {image.base}", f"the base image {image.base}"
        return "the image", f"image {container.image}" if container.image else "the image"

    def request(self, *, image_stop_signal: str | object | None = ...,
                prestop_seconds: float | None = None) -> StopRequest:
        container = self.container
        stop = (container.effective_stop_signal() if image_stop_signal is ...
                else image_stop_signal)
        assert stop is None or isinstance(stop, str)
        return StopRequest(
            image_stop_signal=stop,
            lifecycle_stop_signal=container.lifecycle_stop_signal,
            os=container.os,
            command=container.argv(),
            grace=container.grace,
            prestop_seconds=self.prestop_seconds if prestop_seconds is None else prestop_seconds,
        )

    @property
    def prestop_seconds(self) -> float:
        """How long the preStop hook is known to take (a sleep hook, or ``sleep N`` in exec)."""
        if self._prestop is None:
            self._prestop = self._prestop_seconds()
        return self._prestop

    def _prestop_seconds(self) -> float:
        hook = self.container.prestop
        if hook is None:
            return 0.0
        if hook.kind == "sleep" and hook.seconds is not None:
            return float(hook.seconds)
        if hook.kind == "exec":
            from stopsignal.rules.hooks import sleep_seconds

            return sleep_seconds(hook.command)
        return 0.0

    @property
    def resolutions(self) -> tuple[tuple[Target, Resolution], ...]:
        if self._resolutions is None:
            request = self.request()
            self._resolutions = tuple((target, resolve_cached(target, request))
                                      for target in self.targets)
        return self._resolutions

    def resolve_with(self, request: StopRequest,
                     targets: Iterable[Target] | None = None) -> list[tuple[Target, Resolution]]:
        return [(target, resolve_cached(target, request))
                for target in (self.targets if targets is None else targets)]


class Context(NamedTuple):
    """One rule's view of one container (a NamedTuple: one is built per rule and container)."""

    rule: Rule
    facts: Facts
    severity: Severity | None = None  # a configured override of the rule's severity

    @property
    def targets(self) -> tuple[Target, ...]:
        return self.facts.targets

    def finding(self, container: Container, location: Location, message: str, *,
                trail: Sequence[str] = (), fix: Fix | None = None,
                severity: Severity | None = None, assumed: Sequence[str] = ()) -> Finding:
        """A finding of this rule; one that rests on ``assumed`` facts is at most a warning
        (DESIGN.md: certainty is an error only when every fact it rests on is known)."""
        rule = self.rule
        chosen = self.severity or severity or rule.severity
        if assumed and chosen is Severity.ERROR and self.severity is None:
            chosen = Severity.WARNING
        return Finding(code=rule.code, rule=rule.name, severity=chosen, location=location,
                       message=message, object=container.object, container=container.name,
                       fix=fix, trail=tuple(trail), assumed=tuple(assumed))


def trail_lines(results: Iterable[tuple[Target, Resolution]],
                pid1: Pid1Info | None = None) -> list[str]:
    """The engine trail shown with -v: one block per target.

    With ``pid1`` (what lint detected behind wrappers), the model's own last step,
    which judged PID 1 from argv[0] alone, is replaced by the detected PID 1's reaction.
    """
    lines: list[str] = []
    for target, resolution in results:
        steps = list(resolution.trail)
        summary = resolution.summary
        if pid1 is not None and pid1.kind not in (Pid1Kind.UNKNOWN, Pid1Kind.PROGRAM):
            summary = consequence(resolution, pid1) + "."
            if resolution.pid1 is not None and resolution.pid1_reaction is not None and steps:
                steps.pop()
        lines.append(f"{target}: {summary}")
        lines.extend(f"  {step.actor}: {step.text} [{step.source}]" for step in steps)
    return lines


def consequence(resolution: Resolution, pid1: Pid1Info) -> str:
    """The engine's headline, then what PID 1 (as lint detected it) does with the signal.

    The runtime model classifies PID 1 from argv[0] only; lint follows wrappers, so
    the reaction is recomputed for the detected PID 1.
    """
    headline = resolution.summary.split("; ", 1)[0].rstrip(".")
    if resolution.signal is None or pid1.kind in (Pid1Kind.UNKNOWN, Pid1Kind.PROGRAM):
        return headline
    reaction, stops = pid1_model.reaction(pid1_model.Pid1(pid1.kind, pid1.program),
                                          resolution.signal)
    name = "systemd" if pid1.kind is Pid1Kind.SYSTEMD else (pid1.shell or str(pid1.kind))
    text = f"{headline}; {name} {reaction}"
    if stops is False:
        kill_after = resolution.kill_after
        text += (f"; it is SIGKILLed after {kill_after:g} s" if kill_after is not None
                 else "; it is never stopped")
    return text


def locate(container: Container, *keys: str) -> Location:
    """Where to point a finding: the first of ``keys`` the container or its image locates."""
    own = dict(container.locations)
    image = container.image_config
    for key in keys:
        if key in own:
            return own[key]
        located = image.location_of(key) if image is not None else None
        if located is not None:
            return located
    return container.location


def inherited(container: Container) -> tuple[str, ...]:
    """``("ENTRYPOINT inherited from org/base:1",)`` when PID 1 comes from an in-tree base."""
    image = container.image_config
    if image is None or not image.built_from or container.command is not None:
        return ()
    own = dict(image.locations)
    if "entrypoint" in own or ("cmd" in own and not image.entrypoint):
        return ()
    what = "ENTRYPOINT" if image.entrypoint else "CMD"
    return (f"{what} inherited from {image.built_from[0]}",)


def join_labels(labels: Sequence[str]) -> str:
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def who(container: Container) -> str:
    """``container 'nginx'`` for messages; images and Containerfile stages say what they are."""
    if container.source is SourceKind.CONTAINERFILE:
        return f"the image built by {container.object}"
    if container.source is SourceKind.IMAGE_CONFIG:
        return f"image {container.name}"
    if container.engines:  # a running pod from a cluster dump: say which, and where
        return f"container {container.name!r} of {container.object}"
    return f"container {container.name!r}"


