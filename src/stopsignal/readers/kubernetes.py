"""Kubernetes and OpenShift objects (YAML or JSON) -> one Container per container.

Covers Pod, PodTemplate, the workload kinds whose pod template sits at
``spec.template`` (Deployment, StatefulSet, DaemonSet, ReplicaSet,
ReplicationController, Job, OpenShift DeploymentConfig), CronJob
(``spec.jobTemplate.spec.template``), and the containers of objects inside a
``List`` (or ``PodList``, ``DeploymentList``, ...) and an OpenShift ``Template``.
Ephemeral containers are debugging tools that are never stopped gracefully, so
they are not read.

One walk serves both sources: composed YAML nodes (``walk.Walk``, with positions) and
in-memory objects, plain dicts and lists (``objects.ObjectWalk``, the webhook's: no
text, no positions). The code below only asks its ``Tree`` for fields, sequences and
scalars, so what a workload kind means is written once.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Protocol

from stopsignal.model import Container, Hook, Location, SourceKind
from stopsignal.readers import cluster

if TYPE_CHECKING:
    from collections.abc import Mapping

Node = Any  # a YAML node, or a plain value of an in-memory object


class Tree(Protocol):
    """What the reader asks of a document: ``walk.Walk`` and ``objects.ObjectWalk``."""

    def fields(self, node: Node | None) -> Mapping[str, tuple[Node, Node]]: ...
    def value(self, node: Node | None, key: str) -> Node | None: ...
    def sequence(self, node: Node | None) -> list[Node]: ...
    def strings(self, node: Node | None) -> tuple[str, ...] | None: ...
    def string_map(self, node: Node | None) -> tuple[tuple[str, str], ...]: ...
    def location(self, node: Node, yaml_path: tuple[str | int, ...]) -> Location: ...
    def text(self, node: Node | None) -> str | None: ...
    def number(self, node: Node | None) -> float | None: ...
    def boolean(self, node: Node | None) -> bool | None: ...
    def port(self, node: Node | None) -> int | str | None: ...
    def is_mapping(self, node: Node | None) -> bool: ...


class FileTree(Tree, Protocol):
    """A document read from a file (``walk.Walk`` for YAML, ``jsonwalk.JsonWalk`` for
    JSON): what compose files and image configs ask beyond ``Tree``."""

    path: str

    def get(self, node: Node | None, key: str) -> tuple[Node, Node] | None: ...
    def items(self, node: Node | None) -> list[tuple[Node, Node]]: ...
    def position(self, node: Node) -> tuple[int, int]: ...
    def plain(self, node: Node | None) -> object: ...
    def is_scalar(self, node: Node | None) -> bool: ...
    def is_sequence(self, node: Node | None) -> bool: ...


YamlPath = tuple[str | int, ...]

POD_SPEC_PATHS: dict[str, YamlPath] = {
    "Pod": ("spec",),
    "PodTemplate": ("template", "spec"),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "DeploymentConfig": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
MAX_NESTING = 4  # List in Template in List ...: deeper than this is not a real manifest

# A document is composed only if its text can hold a workload: it names containers and
# a workload kind (or a List/Template that may hold one). Everything else is only
# syntax-checked, which is what makes reading a policy repository fast.
_KIND = re.compile(
    rb"""\bkind["']?[ \t]*:[ \t]*(?:!!str[ \t]+)?["']?(?:"""
    + b"|".join(kind.encode() for kind in POD_SPEC_PATHS)
    + rb"""|Template|\w*List)\b"""
)


def wanted(chunk: bytes) -> bool:
    # "ontainers": containers and initContainers alike.
    return b"ontainers" in chunk and _KIND.search(chunk) is not None


def read_document(
    walk: Tree, root: Node, fields: Mapping[str, tuple[Node, Node]] | None = None
) -> list[Container]:
    """The containers of one document; ``fields`` are the root's, if already known."""
    found: list[Container] = []
    _read_object(walk, root, (), found, 0, fields)
    return found


def _value(fields: Mapping[str, tuple[Node, Node]], key: str) -> Node | None:
    pair = fields.get(key)
    return None if pair is None else pair[1]


def _read_object(
    walk: Tree,
    node: Node,
    path: YamlPath,
    found: list[Container],
    depth: int,
    fields: Mapping[str, tuple[Node, Node]] | None = None,
    nodes: Mapping[str, str] | None = None,
) -> None:
    if fields is None:
        fields = walk.fields(node)
    kind = walk.text(_value(fields, "kind"))
    if kind is None:
        return
    if kind == "Template" or kind.endswith("List"):
        key = "objects" if kind == "Template" else "items"
        if depth < MAX_NESTING:
            items = walk.sequence(_value(fields, key))
            if kind == "List":  # `kubectl get nodes,pods -o json`: pods meet their nodes
                nodes = {**(nodes or {}), **cluster.node_engines(walk, items)}
            for index, item in enumerate(items):
                _read_object(walk, item, (*path, key, index), found, depth + 1, nodes=nodes)
        return
    spec_path = POD_SPEC_PATHS.get(kind)
    if spec_path is None:
        return
    metadata = walk.fields(_value(fields, "metadata"))
    name = walk.text(_value(metadata, "name")) or walk.text(_value(metadata, "generateName"))
    annotations = walk.string_map(_value(metadata, "annotations"))
    parent = fields
    for step in spec_path[:-1]:
        parent = walk.fields(_value(parent, str(step)))
    if len(spec_path) > 1:  # the pod template's own annotations apply too
        template_metadata = walk.fields(_value(parent, "metadata"))
        annotations += walk.string_map(_value(template_metadata, "annotations"))
    spec_pair = parent.get("spec")
    if spec_pair is None or not walk.is_mapping(spec_pair[1]):
        return
    start = len(found)
    _read_pod_spec(
        walk,
        spec_pair,
        (*path, *spec_path),
        f"{kind}/{name}" if name else kind,
        annotations,
        found,
    )
    if kind == "Pod" and nodes:
        found[start:] = cluster.running(walk, fields, metadata, spec_pair[1], nodes,
                                        found[start:])


def _read_pod_spec(
    walk: Tree,
    spec_pair: tuple[Node, Node],
    spec_path: YamlPath,
    object_name: str,
    annotations: tuple[tuple[str, str], ...],
    found: list[Container],
) -> None:
    spec_key, spec_node = spec_pair
    spec = walk.fields(spec_node)
    shared: list[tuple[str, Location]] = [("spec", walk.location(spec_key, spec_path))]
    grace = None
    grace_pair = spec.get("terminationGracePeriodSeconds")
    if grace_pair is not None:
        grace = walk.number(grace_pair[1])
        path = (*spec_path, "terminationGracePeriodSeconds")
        shared.append(("grace", walk.location(grace_pair[0], path)))
    os_name = None
    os_pair = spec.get("os")
    if os_pair is not None:
        os_name = walk.text(walk.value(os_pair[1], "name"))
        shared.append(("os", walk.location(os_pair[0], (*spec_path, "os"))))
    common = _Common(object_name, annotations, grace, os_name, tuple(shared))
    for key in ("containers", "initContainers"):
        for index, item in enumerate(walk.sequence(_value(spec, key))):
            container = _read_container(walk, item, (*spec_path, key, index), common, key)
            if container is not None:
                found.append(container)


class _Common:
    """What every container of one pod spec shares."""

    __slots__ = ("annotations", "grace", "locations", "object", "os")

    def __init__(
        self,
        object_name: str,
        annotations: tuple[tuple[str, str], ...],
        grace: float | None,
        os_name: str | None,
        locations: tuple[tuple[str, Location], ...],
    ) -> None:
        self.object = object_name
        self.annotations = annotations
        self.grace = grace
        self.os = os_name
        self.locations = locations


def _read_container(
    walk: Tree, node: Node, path: YamlPath, common: _Common, key: str
) -> Container | None:
    if not walk.is_mapping(node):
        return None
    fields = walk.fields(node)
    location = walk.location(node, path)
    locations: list[tuple[str, Location]] = [("container", location), *common.locations]
    command = args = None
    pair = fields.get("command")
    if pair is not None:
        command = walk.strings(pair[1])
        locations.append(("command", walk.location(pair[0], (*path, "command"))))
    pair = fields.get("args")
    if pair is not None:
        args = walk.strings(pair[1])
        locations.append(("args", walk.location(pair[0], (*path, "args"))))
    stop_signal = None
    prestop = None
    lifecycle_pair = fields.get("lifecycle")
    if lifecycle_pair is not None:
        lifecycle_path = (*path, "lifecycle")
        locations.append(("lifecycle", walk.location(lifecycle_pair[0], lifecycle_path)))
        value = lifecycle_pair[1]
        if not walk.is_mapping(value) and (walk.text(value) is not None
                                           or walk.strings(value) is not None):
            # A scalar or a list where a mapping belongs: nothing can be added under it.
            locations.append(("lifecycle_not_mapping",
                              walk.location(lifecycle_pair[0], lifecycle_path)))
        lifecycle = walk.fields(lifecycle_pair[1])
        pair = lifecycle.get("stopSignal")
        if pair is not None:
            stop_signal = walk.text(pair[1])
            signal_path = (*lifecycle_path, "stopSignal")
            locations.append(("stop_signal", walk.location(pair[0], signal_path)))
        pair = lifecycle.get("preStop")
        if pair is not None:
            hook_location = walk.location(pair[0], (*lifecycle_path, "preStop"))
            locations.append(("prestop", hook_location))
            prestop = _read_hook(walk, pair[1], hook_location)
    init_container = key == "initContainers"
    if init_container and walk.text(_value(fields, "restartPolicy")) == "Always":
        init_container = False  # a sidecar: stopped like the main containers (KEP-753)
    env = []
    pair = fields.get("env")
    if pair is not None:  # where an `env` entry can be appended (systemd-container-env's fix)
        locations.append(("env", walk.location(pair[0], (*path, "env"))))
    for item in walk.sequence(_value(fields, "env")):
        variable = walk.fields(item)
        name = walk.text(_value(variable, "name"))
        value = walk.text(_value(variable, "value"))
        if name is not None and value is not None:
            env.append((name, value))
    tty = _value(fields, "tty")
    return Container(
        name=walk.text(_value(fields, "name")) or "",
        source=SourceKind.KUBERNETES,
        location=location,
        object=common.object,
        image=walk.text(_value(fields, "image")),
        command=command,
        args=args,
        lifecycle_stop_signal=stop_signal,
        os=common.os,
        grace=common.grace,
        prestop=prestop,
        init_container=init_container,
        tty=tty is not None and bool(walk.boolean(tty)),
        env=tuple(env),
        annotations=common.annotations,
        locations=tuple(locations),
    )


def _read_hook(walk: Tree, node: Node, location: Location) -> Hook | None:
    fields = walk.fields(node)
    handler = _value(fields, "exec")
    if handler is not None:
        return Hook("exec", location, command=walk.strings(walk.value(handler, "command")) or ())
    handler = _value(fields, "sleep")
    if handler is not None:
        return Hook("sleep", location, seconds=walk.number(walk.value(handler, "seconds")))
    handler = _value(fields, "httpGet")
    if handler is not None:
        port = walk.port(walk.value(handler, "port"))
        return Hook("httpGet", location, port=port, path=walk.text(walk.value(handler, "path")))
    handler = _value(fields, "tcpSocket")
    if handler is not None:
        return Hook("tcpSocket", location, port=walk.port(walk.value(handler, "port")))
    return None

