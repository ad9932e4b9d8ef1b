"""Property-based tests: any input reads without an exception, positions stay in the file,
and document indices and positions agree with PyYAML's own composer."""

from __future__ import annotations

import json
import os

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from yaml.nodes import MappingNode, Node, SequenceNode

from stopsignal.readers import ReadResult, read_text
from stopsignal.readers.read import read_bytes

# STOPSIGNAL_HYPOTHESIS_EXAMPLES=5000 for a longer hunt than CI's.
SETTINGS = settings(max_examples=int(os.environ.get("STOPSIGNAL_HYPOTHESIS_EXAMPLES", "150")),
                    deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def _check_bounds(result: ReadResult, text: str) -> None:
    lines = text.count("\n") + 1
    for error in result.errors:
        assert "internal error" not in error.message, error
        assert 1 <= error.line <= lines + 1 and error.column >= 1, (error, lines)
    for container in result.containers:
        for _, location in ((None, container.location), *container.locations):
            assert 1 <= location.line <= lines, (location, lines)
            assert location.column >= 1


YAMLISH = st.lists(
    st.sampled_from([*"ab:-[]{}'\"#&*!|>%.,? \t\n",
                     "kind: Pod\n", "containers:", "---\n", "...\n", "services:",
                     "- name: x\n", "  ", "\x00", "é", "command: [a]", "<<: *a", "&a ",
                     "\ufeff", "\r\n"]),
    max_size=120,
).map("".join)


@SETTINGS
@given(YAMLISH, st.sampled_from(["x.yaml", "x.json", "compose.yaml", "unnamed"]))
def test_random_yamlish_text_never_raises(text: str, name: str) -> None:
    result = read_text(text, name)
    _check_bounds(result, text)


@SETTINGS
@given(st.binary(max_size=400), st.sampled_from(["x.yaml", "Dockerfile", "x.json", "x"]))
def test_random_bytes_never_raise(data: bytes, name: str) -> None:
    result = read_bytes(data, name, None)
    for error in result.errors:
        assert "internal error" not in error.message, error


SCALARS = st.one_of(st.text(max_size=8), st.integers(), st.booleans(), st.none())
CONTAINER = st.fixed_dictionaries(
    {"name": st.text(min_size=1, max_size=6)},
    optional={
        "image": st.text(max_size=10),
        "command": st.lists(st.text(max_size=6), max_size=3),
        "args": st.lists(SCALARS, max_size=3),
        "lifecycle": st.fixed_dictionaries({}, optional={
            "stopSignal": st.sampled_from(["SIGTERM", "SIGRTMIN+3", "37"]),
            "preStop": st.sampled_from([{"exec": {"command": ["kill", "1"]}},
                                        {"sleep": {"seconds": 3}}, {"httpGet": {"port": 80}}]),
        }),
        "tty": st.booleans(),
        "env": st.lists(st.fixed_dictionaries({"name": st.text(min_size=1, max_size=3),
                                               "value": st.text(max_size=3)}), max_size=2),
    },
)
POD_SPEC = st.fixed_dictionaries(
    {"containers": st.lists(CONTAINER, max_size=3)},
    optional={"initContainers": st.lists(CONTAINER, max_size=2),
              "terminationGracePeriodSeconds": st.integers(0, 100)},
)


def _workload(kind: str, spec: dict[str, object]) -> dict[str, object]:
    template = {"metadata": {"annotations": {"a": "b"}}, "spec": spec}
    body: dict[str, object] = {"Pod": {"spec": spec}, "PodTemplate": {"template": template},
                               "CronJob": {"spec": {"jobTemplate": {"spec": {
                                   "template": template}}}}}.get(kind,
                                                                 {"spec": {"template": template}})
    return {"apiVersion": "v1", "kind": kind, "metadata": {"name": "w"}, **body}


WORKLOAD = st.builds(_workload, st.sampled_from(["Pod", "PodTemplate", "CronJob", "Deployment",
                                                 "Job", "DeploymentConfig"]), POD_SPEC)
DOCUMENT = st.one_of(
    WORKLOAD,
    st.builds(lambda items: {"kind": "List", "items": items}, st.lists(WORKLOAD, max_size=2)),
    st.builds(lambda objects: {"kind": "Template", "objects": objects},
              st.lists(WORKLOAD, max_size=2)),
    st.just({"kind": "ClusterPolicy", "spec": {"rules": [{"containers": "x"}]}}),
    st.just(None),  # a comment-only chunk or an empty document
)


def _render(document: object, flow: bool) -> str:
    if document is None:
        return "# nothing here\n"
    return yaml.safe_dump(document, default_flow_style=flow, sort_keys=False,
                          allow_unicode=True)


def _node_at(root: Node, path: tuple[str | int, ...]) -> Node:
    node = root
    for step in path:
        if isinstance(step, int):
            assert isinstance(node, SequenceNode)
            node = node.value[step]
        else:
            assert isinstance(node, MappingNode)
            node = next(value for key, value in node.value if key.value == step)
    return node


@SETTINGS
@given(st.lists(st.tuples(DOCUMENT, st.booleans()), max_size=5), st.booleans(),
       st.sampled_from(["---\n", "--- \n", "---\n\n", "--- # doc\n"]))
def test_positions_agree_with_pyyaml(
    documents: list[tuple[object, bool]], leading_marker: bool, marker: str
) -> None:
    chunks = [_render(document, flow) for document, flow in documents]
    text = ("---\n" if leading_marker else "") + marker.join(chunks)
    result = read_text(text, "stream.yaml")
    assert not result.errors, result.errors
    composed = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    expected = 0
    for document, _ in documents:
        if document is not None:
            workloads = [document] if "spec" in document or "template" in document else \
                document.get("items") or document.get("objects") or []
            for workload in workloads:
                if workload.get("kind") in (None, "ClusterPolicy"):
                    continue
                expected += len(_spec_of(workload).get("containers", []))
                expected += len(_spec_of(workload).get("initContainers", []))
    assert len(result.containers) == expected
    for container in result.containers:
        location = container.location
        node = _node_at(composed[location.document], location.yaml_path)
        assert isinstance(node, MappingNode)
        assert (node.start_mark.line + 1, node.start_mark.column + 1) == (
            location.line, location.column)
        name = _node_at(node, ("name",))
        assert name.value == container.name


def _spec_of(workload: dict[str, object]) -> dict[str, list[object]]:
    node: object = workload
    kind = workload["kind"]
    path = {"Pod": ["spec"], "PodTemplate": ["template", "spec"],
            "CronJob": ["spec", "jobTemplate", "spec", "template", "spec"]}.get(
                str(kind), ["spec", "template", "spec"])
    for key in path:
        assert isinstance(node, dict)
        node = node[key]
    assert isinstance(node, dict)
    return node


INSTRUCTION = st.one_of(
    st.sampled_from(["FROM", "RUN", "CMD", "ENTRYPOINT", "STOPSIGNAL", "ARG", "ENV", "COPY",
                     "ADD", "SHELL", "WORKDIR", "USER", "LABEL", "ONBUILD", "HEALTHCHECK",
                     "EXPOSE", "FROBNICATE", "from", "#", "# escape=`", "# stopsignal:"]),
    st.text(alphabet="ABCXYZ", min_size=1, max_size=4),
)
ARGUMENT = st.one_of(
    st.sampled_from(['["/bin/sh", "-c"]', "[broken", "${X:-y}", "$X", "<<EOF", "<<-EOF",
                     "--from=a b c", "a AS b", "EOF", "\\", "`", "x=1 y=2", "SIGRTMIN+3",
                     '["a", 1]', "[]"]),
    st.text(max_size=12),
)
LINE = st.builds(lambda i, a, indent: " " * indent + i + " " + " ".join(a),
                 INSTRUCTION, st.lists(ARGUMENT, max_size=3), st.integers(0, 2))


@SETTINGS
@given(st.lists(LINE, max_size=15), st.sampled_from(["\n", "\r\n"]))
def test_random_containerfiles_never_raise(lines: list[str], newline: str) -> None:
    text = newline.join(lines)
    result = read_text(text, "Containerfile")
    _check_bounds(result, text)
    for image in result.images:
        for _, location in image.locations:
            assert 1 <= location.line <= text.count("\n") + 1


@SETTINGS
@given(st.recursive(SCALARS, lambda children: st.one_of(
    st.lists(children, max_size=3),
    st.dictionaries(st.sampled_from(["Config", "config", "kind", "items", "spec",
                                     "containers", "StopSignal", "Entrypoint", "rootfs"]),
                    children, max_size=4)), max_leaves=20))
def test_random_json_never_raises(value: object) -> None:
    text = json.dumps(value, indent=2)
    _check_bounds(read_text(text, "random.json"), text)
