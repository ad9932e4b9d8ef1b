"""Running containers of a CRI runtime (the node's view), through ``stopsignal.probing.cri``.

ListContainers (running), ListPodSandbox for pod names, ContainerStatus with verbose info
for PID 1 on the host, ImageStatus for the image's STOPSIGNAL (containerd sends it at
StopContainer). What the kubelet decides is read from the annotations it puts on every
container: the pod's grace period (``io.kubernetes.pod.terminationGracePeriod``) and the
preStop hook (``io.kubernetes.container.preStopHandler``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

from stopsignal.errors import ProbeError
from stopsignal.inspect.facts import EngineUnreachable, LiveContainer
from stopsignal.probing.cri import Cri

Found = tuple[list[LiveContainer], list[tuple[str, str]]]
Early = Callable[[Sequence[LiveContainer]], None]  # unused: these lists carry the PIDs at once
GRACE = "io.kubernetes.pod.terminationGracePeriod"
PRESTOP = "io.kubernetes.container.preStopHandler"


def lister(endpoint: str | None) -> Callable[[Sequence[str], Early], Found]:
    def running(names: Sequence[str], early: Early) -> Found:
        try:
            return list_running(names, endpoint)
        except ProbeError as error:
            raise EngineUnreachable(str(error)) from None

    return running


def list_running(names: Sequence[str], endpoint: str | None) -> Found:
    cri = Cri(endpoint)
    pb = cri.pb
    version = cri.call(cri.runtime, "Version", pb.VersionRequest(version="v1"), timeout=10)
    engine = "cri-o" if "cri-o" in version.runtime_name else version.runtime_name
    running_only = pb.ContainerFilter(state=pb.ContainerStateValue(state=pb.CONTAINER_RUNNING))
    listed = cri.call(cri.runtime, "ListContainers",
                      pb.ListContainersRequest(filter=running_only)).containers
    pods = {item.id: item.metadata for item in
            cri.call(cri.runtime, "ListPodSandbox", pb.ListPodSandboxRequest()).items}
    chosen = list(listed) if not names else []
    missing: list[tuple[str, str]] = []
    for name in names:
        hits = [c for c in listed if name in (c.id, c.metadata.name) or
                (len(name) >= 3 and c.id.startswith(name))]
        if len(hits) != 1:
            missing.append((name, "no running CRI container has this name or ID"
                            if not hits else "several CRI containers have this name"))
        elif hits[0] not in chosen:
            chosen.append(hits[0])
    stop_signals: dict[str, str | None] = {}
    found: list[LiveContainer] = []
    for item in chosen:
        try:
            status = cri.call(cri.runtime, "ContainerStatus", pb.ContainerStatusRequest(
                container_id=item.id, verbose=True))
        except ProbeError:
            missing.append((item.metadata.name, "the container exited during inspection"))
            continue
        info = _json(status.info.get("info"))
        image = status.status.image.image or item.image.image
        if item.image_ref not in stop_signals:
            stop_signals[item.image_ref] = _image_stop_signal(cri, item.image_ref or image)
        pod = pods.get(item.pod_sandbox_id)
        labels = dict(item.labels)
        annotations = dict(item.annotations)
        grace = annotations.get(GRACE)
        found.append(LiveContainer(
            id=item.id,
            name=labels.get("io.kubernetes.container.name") or item.metadata.name,
            engine=engine,
            version=str(version.runtime_version),
            pid=int(info.get("pid") or 0) or None,
            started=status.status.started_at / 1e9 or None,
            created=status.status.created_at / 1e9 or None,
            stop_signal=stop_signals[item.image_ref],
            grace=float(grace) if grace and grace.lstrip("-").isdigit() else None,
            image=status.status.image_ref or image,
            argv=tuple(((info.get("runtimeSpec") or {}).get("process") or {}).get("args")
                       or ()),
            pod=labels.get("io.kubernetes.pod.name") or (pod.name if pod else None),
            namespace=labels.get("io.kubernetes.pod.namespace") or
            (pod.namespace if pod else None),
            prestop=_prestop(annotations.get(PRESTOP)),
            prestop_argv=tuple(((_json(annotations.get(PRESTOP)).get("exec") or {})
                                .get("command")) or ()),
        ))
    return found, missing


def _image_stop_signal(cri: Cri, ref: str) -> str | None:
    try:
        return cri.image(ref).stop_signal
    except ProbeError:
        return None


def _json(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _prestop(text: str | None) -> str | None:
    """The kubelet's preStopHandler annotation (a LifecycleHandler as JSON), in words."""
    handler = _json(text)
    if not handler:
        return None
    if "exec" in handler:
        return "exec: " + " ".join((handler["exec"] or {}).get("command") or [])
    if "httpGet" in handler:
        get = handler["httpGet"] or {}
        return f"httpGet: {get.get('port', '')}{get.get('path', '')}"
    if "sleep" in handler:
        return f"sleep: {(handler['sleep'] or {}).get('seconds')} s"
    if "tcpSocket" in handler:
        return f"tcpSocket: {(handler['tcpSocket'] or {}).get('port')}"
    return text
