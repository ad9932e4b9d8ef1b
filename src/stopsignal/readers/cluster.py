"""Live cluster dumps (``kubectl get nodes,pods -A -o json``): each pod on its node.

A Node's ``status.nodeInfo`` says which kubelet and container runtime it runs
(``kubeletVersion: v1.22.3+4dd1b5a``, ``containerRuntimeVersion: cri-o://1.22.1``), and
a Pod's ``spec.nodeName`` where it runs, so each running container is judged against
its own node's engine. ``status.containerStatuses[].imageID`` names the exact image
(by digest) the container runs, which a registry lookup can then read.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from stopsignal.model import Container
    from stopsignal.readers.kubernetes import Tree

_VERSION = re.compile(r"(\d+\.\d+(?:\.\d+)?)")
#: containerRuntimeVersion scheme -> the engine name lint models.
_RUNTIMES = {"cri-o": "cri-o", "containerd": "containerd", "docker": "docker"}


def engine_of(runtime: str | None, kubelet: str | None) -> str | None:
    """``cri-o://1.22.1`` and ``v1.22.3+4dd1b5a`` -> ``kubernetes@1.22.3,cri-o@1.22.1``."""
    if not runtime or "://" not in runtime:
        return None
    scheme, _, version = runtime.partition("://")
    name = _RUNTIMES.get(scheme)
    runtime_version = _VERSION.search(version)
    if name is None or runtime_version is None:
        return None
    runtime_ref = f"{name}@{runtime_version.group(1)}"
    kubelet_version = _VERSION.search(kubelet or "")
    if name == "docker" or kubelet_version is None:
        return runtime_ref  # dockershim: docker itself stops the container
    return f"kubernetes@{kubelet_version.group(1)},{runtime_ref}"


def node_engines(walk: Tree, items: Sequence[Any]) -> dict[str, str]:
    """Node name -> its engine, for the Nodes among a List's items."""
    nodes: dict[str, str] = {}
    for item in items:
        fields = walk.fields(item)
        if walk.text(_value(fields, "kind")) != "Node":
            continue
        name = walk.text(walk.value(_value(fields, "metadata"), "name"))
        node_info = walk.value(_value(fields, "status"), "nodeInfo")
        engine = engine_of(walk.text(walk.value(node_info, "containerRuntimeVersion")),
                           walk.text(walk.value(node_info, "kubeletVersion")))
        if name and engine:
            nodes[name] = engine
    return nodes


def running(walk: Tree, fields: Mapping[str, tuple[Any, Any]],
            metadata: Mapping[str, tuple[Any, Any]], spec: Any, nodes: Mapping[str, str],
            containers: list[Container]) -> list[Container]:
    """A pod's containers as they run: on their node's engine, from the image digest."""
    node = walk.text(walk.value(spec, "nodeName"))
    engine = nodes.get(node or "")
    if node is None or engine is None:
        return containers
    namespace = walk.text(_value(metadata, "namespace"))
    name = walk.text(_value(metadata, "name")) or "?"
    label = f"Pod/{namespace}/{name} on node {node}" if namespace else \
        f"Pod/{name} on node {node}"
    status = _value(fields, "status")
    digests: dict[str, str] = {}
    for key in ("containerStatuses", "initContainerStatuses"):
        for entry in walk.sequence(walk.value(status, key)):
            container_name = walk.text(walk.value(entry, "name"))
            image_id = walk.text(walk.value(entry, "imageID")) or ""
            reference = image_id.split("://", 1)[-1]  # docker-pullable://, docker://
            if container_name and "@sha256:" in reference:
                digests[container_name] = reference
    return [container._replace(object=label, engines=(engine,),
                               image=digests.get(container.name, container.image))
            for container in containers]


def _value(fields: Mapping[str, tuple[Any, Any]], key: str) -> Any:
    pair = fields.get(key)
    return None if pair is None else pair[1]
