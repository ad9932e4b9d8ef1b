"""Read the pods to probe from Kubernetes/OpenShift YAML: a Pod or any workload's template.

This is the probe's own small reader (PyYAML ``safe_load_all``): it needs only
what bears on running and stopping a container, not the lint readers' locations.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import yaml

from stopsignal.errors import InputError
from stopsignal.probing.spec import ContainerSpec, PodSpec, PreStop

#: Kinds whose pod template sits at spec.template.spec.
TEMPLATED = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job",
                       "ReplicationController", "DeploymentConfig"})


def read_pods(text: str, path: str) -> list[PodSpec]:
    """Every pod spec in a YAML stream; InputError names the file when there is none."""
    try:
        documents = [doc for doc in yaml.safe_load_all(text) if doc is not None]
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise InputError(f"invalid YAML: {getattr(error, 'problem', error)}", path=path,
                         line=line) from None
    pods: list[PodSpec] = []
    for document in documents:
        for kind, name, spec in _pod_specs(document):
            pods.append(_pod(spec, f"{kind}/{name}", path))
    if not pods:
        raise InputError("no Pod or workload with a pod template found", path=path)
    return pods


def _pod_specs(obj: Any) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    if not isinstance(obj, Mapping):
        return
    kind = str(obj.get("kind", ""))
    name = str((obj.get("metadata") or {}).get("name", "unnamed"))
    spec = obj.get("spec") or {}
    if kind in {"List", "PodList"} or kind.endswith("List"):
        for item in obj.get("items") or []:
            yield from _pod_specs(item)
    elif kind == "Template":
        for item in obj.get("objects") or []:
            yield from _pod_specs(item)
    elif kind == "Pod":
        yield kind, name, spec
    elif kind == "CronJob":
        job = (spec.get("jobTemplate") or {}).get("spec") or {}
        yield kind, name, (job.get("template") or {}).get("spec") or {}
    elif kind in TEMPLATED or kind == "PodTemplate":
        template = spec.get("template") if kind != "PodTemplate" else obj.get("template")
        yield kind, name, (template or {}).get("spec") or {}


def _strings(value: Any, where: str, path: str) -> tuple[str, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise InputError(f"{where} must be a list of strings", path=path)
    return tuple(str(item) for item in value)


def _pod(spec: Mapping[str, Any], name: str, path: str) -> PodSpec:
    containers = spec.get("containers") or []
    if not containers:
        raise InputError(f"{name} has no containers", path=path)
    grace = spec.get("terminationGracePeriodSeconds")
    os_name = (spec.get("os") or {}).get("name")
    return PodSpec(
        name=name.partition("/")[2] or name,
        containers=tuple(_container(item, name, path) for item in containers),
        grace=float(grace) if grace is not None else None,
        os=str(os_name) if os_name else None,
        source=f"{path}: {name}",
    )


def _container(item: Mapping[str, Any], pod: str, path: str) -> ContainerSpec:
    name = str(item.get("name") or "main")
    where = f"{pod} container {name}"
    image = item.get("image")
    if not image:
        raise InputError(f"{where} has no image", path=path)
    env = tuple((str(e["name"]), str(e.get("value", ""))) for e in item.get("env") or []
                if isinstance(e, Mapping) and "name" in e and "valueFrom" not in e)
    lifecycle = item.get("lifecycle") or {}
    stop_signal = lifecycle.get("stopSignal")
    return ContainerSpec(
        name=name,
        image=str(image),
        command=_strings(item.get("command"), f"{where}: command", path),
        args=_strings(item.get("args"), f"{where}: args", path),
        env=env,
        tty=bool(item.get("tty", False)),
        prestop=_prestop(lifecycle.get("preStop"), where, path),
        lifecycle_stop_signal=str(stop_signal) if stop_signal is not None else None,
    )


def _prestop(hook: Any, where: str, path: str) -> PreStop | None:
    if not hook:
        return None
    if not isinstance(hook, Mapping):
        raise InputError(f"{where}: lifecycle.preStop must be a mapping", path=path)
    if "exec" in hook:
        command = _strings((hook["exec"] or {}).get("command"), f"{where}: preStop exec", path)
        if not command:
            raise InputError(f"{where}: preStop exec has no command", path=path)
        return PreStop("exec", command=command)
    if "sleep" in hook:
        return PreStop("sleep", seconds=float((hook["sleep"] or {}).get("seconds", 0)))
    if "httpGet" in hook:
        get = hook["httpGet"] or {}
        return PreStop("httpGet", path=str(get.get("path", "/")), port=get.get("port", 80),
                       host=get.get("host"), scheme=str(get.get("scheme", "HTTP")))
    raise InputError(f"{where}: unsupported preStop handler {sorted(hook)}", path=path)
