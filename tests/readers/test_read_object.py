"""read_object (in-memory objects) reads what read_text reads from the object's JSON."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from stopsignal.model import Container, Location
from stopsignal.readers import ReadResult, read_object, read_text

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("tests", "deploy", "examples")


def _objects() -> list[tuple[str, dict[str, Any]]]:
    """Every Kubernetes object (a mapping with a kind) in the repository's YAML/JSON files:
    the readers' and rules' fixtures, the fix cases (inputs and expected outputs), the
    webhook's manifests, the examples."""
    found: list[tuple[str, dict[str, Any]]] = []
    for source in SOURCES:
        for path in sorted((ROOT / source).rglob("*")):
            name = path.name
            if not path.is_file() or not name.endswith(
                    (".yaml", ".yml", ".json", ".yaml.expected", ".yml.expected",
                     ".json.expected")):
                continue
            try:
                text = path.read_text(encoding="utf-8")
                # JSON as JSON: PyYAML reads an escaped emoji as two lone surrogates.
                documents = [json.loads(text)] if ".json" in name else \
                    list(yaml.safe_load_all(text))
            except (yaml.YAMLError, ValueError):  # UnicodeDecodeError, JSONDecodeError
                continue
            for index, document in enumerate(documents):
                if not isinstance(document, dict) or "kind" not in document:
                    continue
                try:
                    json.dumps(document)
                except (TypeError, ValueError):  # dates, binary: not what a cluster sends
                    continue
                found.append((f"{path.relative_to(ROOT)}#{index}", document))
    return found


OBJECTS = _objects()


def _unplaced(location: Location) -> Location:
    return location._replace(line=0, column=0)


def _without_positions(container: Container) -> Container:
    prestop = container.prestop
    if prestop is not None:
        prestop = prestop._replace(location=_unplaced(prestop.location))
    return container._replace(
        location=_unplaced(container.location),
        locations=tuple((key, _unplaced(location)) for key, location in container.locations),
        prestop=prestop,
    )


def _same(by_object: ReadResult, by_text: ReadResult) -> None:
    assert by_text.errors == ()
    assert by_object.errors == ()
    assert by_object.kind == by_text.kind
    assert by_object.containers == tuple(map(_without_positions, by_text.containers))


def test_the_repository_has_kubernetes_fixtures() -> None:
    # The comparison below must cover real inputs: workloads of every shape.
    kinds = {obj["kind"] for _, obj in OBJECTS}
    assert {"Pod", "Deployment", "List", "Template"} <= kinds
    assert sum(1 for _, obj in OBJECTS if "ontainers" in json.dumps(obj)) >= 40


@pytest.mark.parametrize(("where", "obj"), OBJECTS, ids=[where for where, _ in OBJECTS])
def test_read_object_matches_read_text(where: str, obj: dict[str, Any]) -> None:
    path = "object.json"
    by_object = read_object(obj, path)
    _same(by_object, read_text(json.dumps(obj), path))
    # and the one-line text the webhook used to lint (ensure_ascii=False)
    _same(by_object, read_text(json.dumps(obj, ensure_ascii=False), path))
    assert all(c.location.line == 0 and c.location.column == 0 for c in by_object.containers)


WORKLOAD = {
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "annotations": {"n": 1, "b": True, "z": None, "f": 1.5}},
    "spec": {"template": {
        "metadata": {"annotations": {"stopsignal.io/ignore": "STOP201"}},
        "spec": {
            "terminationGracePeriodSeconds": 45, "os": {"name": "linux"},
            "containers": [{
                "name": "app", "image": "example/app:1", "tty": True,
                "command": ["sh", "-c", 1, None, True, {"x": 1}, 2.5],
                "args": [],
                "env": [{"name": "A", "value": "1"}, {"name": "N", "value": None},
                        {"name": "B", "value": 2}],
                "lifecycle": {"stopSignal": "SIGINT",
                              "preStop": {"httpGet": {"port": 8080, "path": "/stop"}}},
            }, {
                "name": "side", "restartPolicy": "Always",
                "lifecycle": {"preStop": {"tcpSocket": {"port": "http"}}},
            }, "not a container", None],
            "initContainers": [{
                "name": "init", "restartPolicy": "Always",
                "lifecycle": {"preStop": {"sleep": {"seconds": 5}}},
            }, {"name": "setup", "command": ["true"],
                "lifecycle": {"preStop": {"exec": {"command": ["kill", "-TERM", "1"]}}}}],
        },
    }},
}


@pytest.mark.parametrize("obj", [
    WORKLOAD,
    {"kind": "List", "items": [WORKLOAD, {"kind": "Pod", "spec": {"containers": [{}]}}]},
    {"kind": "Template", "objects": [{"kind": "List", "items": [WORKLOAD]}]},
    {"kind": "CronJob", "metadata": {"generateName": "c-"},
     "spec": {"jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": 7}]}}}}}},
    {"kind": "Pod", "spec": {"terminationGracePeriodSeconds": 1e+20, "containers": [
        {"name": "x", "lifecycle": {"preStop": {"sleep": {"seconds": 2.0}}}}]}},
    {"kind": "Pod", "spec": {"containers": {"name": "not a list"}}},
    {"kind": "Pod", "spec": None},
    {"kind": "Service", "spec": {"containers": []}},
    {"kind": 5},
])
def test_scalars_and_odd_shapes_read_as_their_json_text(obj: dict[str, Any]) -> None:
    _same(read_object(obj, "o.json"), read_text(json.dumps(obj), "o.json"))


def test_not_an_object() -> None:
    assert read_object(["a"]).errors
    assert read_object({"apiVersion": "v1"}).skipped is not None
    assert read_object({"kind": "Pod"}).containers == ()
