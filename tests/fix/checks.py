"""Independent checks on a fix's output: which input lines it was allowed to touch,
and whether the Kubernetes objects in it validate against the official schema."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from typing import Any

import yaml

from stopsignal.fixing.data import diff_paths

Path = tuple[Any, ...]


def is_json(text: str) -> bool:
    return text.lstrip("\ufeff \t\r\n")[:1] in ("{", "[")


def load(text: str) -> list[Any]:
    if is_json(text):
        return [json.loads(text.lstrip("\ufeff"))]
    return list(yaml.safe_load_all(text))


def _node_at(node: yaml.Node, path: Path) -> yaml.Node | None:
    for key in path:
        if isinstance(node, yaml.MappingNode):
            match = [value for k, value in node.value if k.value == key]
            if not match:
                return None
            node = match[0]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
        else:
            return None
    return node


def _deepest(node: yaml.Node, path: Path) -> yaml.Node | None:
    for size in range(len(path), -1, -1):
        found = _node_at(node, path[:size])
        if found is not None:
            return found
    return None


def allowed_lines(before: str, after: str) -> set[int]:
    """Input lines (1-based) holding a value the fix replaced: the only lines it may touch."""
    old_docs, new_docs = load(before), load(after)
    nodes = list(yaml.compose_all(before.lstrip("\ufeff")))
    allowed: set[int] = set()
    for path in diff_paths(old_docs, new_docs):
        document, inner = path[0], path[1:]
        node = _node_at(nodes[document], inner) if document < len(nodes) else None
        if node is None:
            # An addition: no input line has to change for it, except the closing line
            # of a flow collection ({...} or JSON) it is added to.
            parent = _deepest(nodes[document], inner) if document < len(nodes) else None
            if parent is not None and parent.flow_style:
                allowed.add(parent.end_mark.line + 1)
            continue
        last = node.end_mark.line + (1 if node.end_mark.column > 0 else 0)
        allowed.update(range(node.start_mark.line + 1, max(last, node.start_mark.line + 1) + 1))
    return allowed


_INSTRUCTION = re.compile(r"^\s*(STOPSIGNAL|CMD|ENTRYPOINT)\b", re.IGNORECASE)


def touched(before: str, after: str) -> Iterator[tuple[int, str, list[str]]]:
    """(input line, old text, new texts) for every input line the fix replaced or removed."""
    old = before.split("\n")
    new = after.split("\n")
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, o1, o2, n1, n2 in matcher.get_opcodes():
        if tag in ("replace", "delete"):
            for index in range(o1, o2):
                yield index + 1, old[index], new[n1:n2]


def stray_changes(before: str, after: str, *, containerfile: bool = False) -> list[str]:
    """Input lines changed outside what the fix meant to change; empty when all is well."""
    problems: list[str] = []
    if containerfile:
        lines = before.split("\n")
        for number, text, _ in touched(before, after):
            start = number - 1
            while start > 0 and lines[start - 1].rstrip().endswith("\\"):
                start -= 1  # a continuation line belongs to the instruction above it
            if not _INSTRUCTION.match(lines[start]):
                problems.append(f"line {number}: {text!r}")
        return problems
    allowed = allowed_lines(before, after)
    for number, text, replacement in touched(before, after):
        if number in allowed:
            continue
        if is_json(before) and any(line.rstrip("\r") == text.rstrip("\r") + ","
                                   for line in replacement):
            continue  # JSON needs a comma after what used to be the last member
        problems.append(f"line {number}: {text!r}")
    return problems


# ---------------------------------------------------------------- schema validation

WORKLOADS = {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
             "ReplicationController", "Job", "CronJob", "PodTemplate"}


def kubernetes_objects(documents: list[Any]) -> Iterator[dict[str, Any]]:
    """Every object kubernetes-validate can check: workloads in Lists and Templates too;
    an OpenShift DeploymentConfig's pod template as a PodTemplate."""
    for document in documents:
        if not isinstance(document, dict):
            continue
        kind = document.get("kind")
        if kind == "List":
            yield from kubernetes_objects(document.get("items") or [])
        elif kind == "Template":
            yield from kubernetes_objects(document.get("objects") or [])
        elif kind == "DeploymentConfig":
            template = (document.get("spec") or {}).get("template")
            if template:
                name = (document.get("metadata") or {}).get("name", "dc")
                yield {"apiVersion": "v1", "kind": "PodTemplate",
                       "metadata": {"name": name}, "template": template}
        elif kind in WORKLOADS:
            yield document


def validate(documents: list[Any], version: str) -> list[str]:
    import kubernetes_validate

    errors: list[str] = []
    for obj in kubernetes_objects(documents):
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as error:
            errors.append(f"{obj.get('kind')}/{(obj.get('metadata') or {}).get('name')}: "
                          f"{error.message}")
        except kubernetes_validate.SchemaNotFoundError as error:
            errors.append(f"no schema: {error}")
    return errors
