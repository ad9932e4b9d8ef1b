"""Compose files -> one Container per service.

Compose's ``entrypoint`` replaces the image ENTRYPOINT (and drops its CMD) and
``command`` replaces CMD, exactly like Kubernetes' ``command``/``args``, so they
land there. A string is split shell-style, without a shell, as compose does
(compose-go uses shellwords); the string as written is kept in
``command_raw``/``args_raw``.
"""

from __future__ import annotations

import math
import posixpath
import re
from typing import TYPE_CHECKING, Any

from stopsignal.model import Container, Location, SourceKind
from stopsignal.readers.result import ReadFailure

if TYPE_CHECKING:
    from stopsignal.readers.kubernetes import FileTree as Tree
Node = Any  # a YAML node (walk.Walk) or a JSON offset (jsonwalk.JsonWalk)

_SERVICES = re.compile(rb"""^["']?services["']?[ \t]*:""", re.MULTILINE)
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0,
                 "m": 60.0, "h": 3600.0}
_DEFAULTED = re.compile(r"\$\{(\w+):?-([^}]*)\}")


def wanted(chunk: bytes) -> bool:
    return _SERVICES.search(chunk) is not None


def is_compose(walk: Tree, root: Node, *, named: bool = False) -> bool:
    """A top-level ``services`` mapping (of services with ``image`` or ``build``)."""
    fields = walk.fields(root)
    if "kind" in fields or "services" not in fields:
        return False
    services = fields["services"][1]
    if not walk.is_mapping(services):
        return False
    if named:
        return True
    return any(
        walk.get(service, "image") is not None or walk.get(service, "build") is not None
        for _, service in walk.items(services)
    )


def parse_duration(value: str) -> float | None:
    """Go's time.ParseDuration, which compose uses: ``1m30s``, ``10s``, ``500ms``."""
    value = value.strip()
    try:
        seconds = float(value)  # a bare number: seconds
    except ValueError:
        pass
    else:
        return seconds if math.isfinite(seconds) else None
    sign = -1.0 if value.startswith("-") else 1.0
    rest = value.lstrip("+-")
    total = 0.0
    position = 0
    while position < len(rest):
        match = _DURATION_PART.match(rest, position)
        if match is None:
            return None
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        position = match.end()
    return sign * total if rest else None


def interpolate(value: str) -> str:
    """Compose interpolation without an environment: defaults apply, ``$$`` is a ``$``."""
    if "$" not in value:
        return value
    return _DEFAULTED.sub(lambda match: match.group(2), value).replace("$$", "$")


def read_document(walk: Tree, root: Node) -> list[Container]:
    found = []
    services = walk.get(root, "services")
    assert services is not None
    for key_node, service in walk.items(services[1]):
        name = walk.text(key_node)
        if name is None or not walk.is_mapping(service):
            continue
        found.append(_read_service(walk, name, key_node, service))
    return found


def _read_service(walk: Tree, name: str, key_node: Node, service: Node) -> Container:
    path: tuple[str | int, ...] = ("services", name)
    location = walk.location(key_node, path)
    locations: list[tuple[str, Location]] = [("container", location)]

    def field(key: str, slot: str) -> Node | None:
        pair = walk.get(service, key)
        if pair is None:
            return None
        locations.append((slot, walk.location(pair[0], (*path, key))))
        return pair[1]

    command, command_raw = _argv(walk, field("entrypoint", "command"))
    args, args_raw = _argv(walk, field("command", "args"))
    signal = walk.text(field("stop_signal", "stop_signal"))
    grace_node = field("stop_grace_period", "grace")
    grace = walk.number(grace_node)
    if grace is None and walk.text(grace_node) is not None:
        grace = parse_duration(interpolate(str(walk.text(grace_node))))
        if grace is None:
            line, column = walk.position(grace_node) if grace_node is not None else (1, 1)
            raise ReadFailure(f"invalid stop_grace_period {walk.text(grace_node)!r}", line,
                              column)
    init = walk.boolean(field("init", "init"))
    build_context, build_dockerfile = _build(walk, field("build", "build"))
    image = walk.text(walk.value(service, "image"))
    return Container(
        name=name,
        source=SourceKind.COMPOSE,
        location=location,
        object=f"service {name}",
        image=interpolate(image) if image is not None else None,
        command=command,
        args=args,
        stop_signal=interpolate(signal) if signal is not None else None,
        grace=grace,
        init=bool(init),
        tty=bool(walk.boolean(walk.value(service, "tty"))),
        env=_pairs(walk, walk.value(service, "environment")),
        annotations=_pairs(walk, walk.value(service, "labels"))
        + _pairs(walk, walk.value(service, "annotations")),
        locations=tuple(locations),
        command_raw=command_raw,
        args_raw=args_raw,
        build_context=_resolve(walk.path, build_context),
        build_dockerfile=_dockerfile(_resolve(walk.path, build_context), build_dockerfile),
    )


def _argv(walk: Tree, node: Node | None) -> tuple[tuple[str, ...] | None, str | None]:
    if node is None:
        return None, None
    if walk.is_scalar(node):
        raw = walk.text(node)
        if raw is None:
            return None, None
        import shlex

        try:
            return tuple(shlex.split(interpolate(raw))), raw
        except ValueError as error:  # an unclosed quote
            line, column = walk.position(node)
            raise ReadFailure(f"cannot split {raw!r}: {error}", line, column) from None
    strings = walk.strings(node)
    return (tuple(interpolate(item) for item in strings) if strings is not None else None), None


def _build(walk: Tree, node: Node | None) -> tuple[str | None, str | None]:
    if node is None:
        return None, None
    if walk.is_scalar(node):
        context = walk.text(node)
        return (interpolate(context) if context else None), None
    context = walk.text(walk.value(node, "context")) or "."
    dockerfile = walk.text(walk.value(node, "dockerfile"))
    return interpolate(context), interpolate(dockerfile) if dockerfile else None


def _resolve(compose_path: str, context: str | None) -> str | None:
    """The build context as a path, relative to the compose file; URLs stay as written."""
    if context is None or "://" in context or context.startswith("git@"):
        return context
    from pathlib import Path  # only compose files with ``build`` pay for pathlib

    return posixpath.normpath(str(Path(compose_path).parent / context))


def _dockerfile(context: str | None, dockerfile: str | None) -> str | None:
    if context is None or dockerfile is None or "://" in context:
        return dockerfile
    from pathlib import Path

    return posixpath.normpath(str(Path(context) / dockerfile))


def _pairs(walk: Tree, node: Node | None) -> tuple[tuple[str, str], ...]:
    """``environment``/``labels``: a mapping, or a list of ``KEY=VALUE`` strings."""
    if walk.is_mapping(node):
        return walk.string_map(node)
    pairs = []
    for item in walk.strings(node) or ():
        key, _, value = item.partition("=")
        pairs.append((key, value))
    return tuple(pairs)
