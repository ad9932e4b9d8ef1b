"""JSON is read as JSON (readers/jsonwalk.py): the containers libyaml found in the same
text, at the same positions, and positions right where libyaml cannot read the text."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_read_object import OBJECTS

from stopsignal.model import Container
from stopsignal.readers import kubernetes, read_text
from stopsignal.readers.jsonwalk import JsonWalk, root
from stopsignal.readers.walk import Walk
from stopsignal.readers.yamlnodes import documents

POD: dict[str, Any] = {
    "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
    "spec": {"terminationGracePeriodSeconds": 40, "containers": [
        {"name": "c", "image": "x", "command": ["/sbin/init"],
         "lifecycle": {"preStop": {"exec": {"command": ["sleep", "5"]}}}}]},
}
LAYOUTS = {
    "compact": {"separators": (",", ":")},
    "json.dumps": {},
    "indent 2": {"indent": 2},
    "kubectl": {"indent": 4},
}


def _by_libyaml(text: str, path: str) -> list[Container]:
    """What the YAML reader composes from the same text (JSON that YAML can read)."""
    found: list[Container] = []
    for document in documents(text.encode(), lambda _: True, []):
        walk = Walk(path, document)
        found.extend(kubernetes.read_document(walk, document.root))
    return found


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(("where", "obj"), OBJECTS, ids=[where for where, _ in OBJECTS])
def test_positions_and_values_match_libyaml(where: str, obj: dict[str, Any],
                                            layout: str) -> None:
    text = json.dumps(obj, ensure_ascii=False, **LAYOUTS[layout])  # type: ignore[arg-type]
    result = read_text(text, "x.json")
    assert result.errors == ()
    assert list(result.containers) == _by_libyaml(text, "x.json"), where


def test_every_location_points_at_its_key_or_container() -> None:
    items = [POD, {"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"template": {
        "spec": {"containers": [{"name": "a"}, {"name": "b", "env": []}]}}}}]
    text = json.dumps({"kind": "List", "items": items}, indent=3)
    lines = text.split("\n")
    (result) = read_text(text, "list.json")
    assert len(result.containers) == 3
    for container in result.containers:
        for slot, location in container.locations:
            at = lines[location.line - 1][location.column - 1:]
            key = location.yaml_path[-1]
            expected = "{" if isinstance(key, int) else json.dumps(key) + ":"
            assert at.startswith(expected), (slot, location)


@pytest.mark.parametrize("ensure_ascii", [True, False])
def test_columns_count_characters_after_non_bmp_text(ensure_ascii: bool) -> None:
    """An emoji written by json.dumps (``\\ud83d\\ude80``: twelve characters) or as itself
    (one character) before the container on the same line: the column is what an editor
    shows, the container's offset on its line plus one (libyaml's count, in characters)."""
    pod = json.loads(json.dumps(POD))
    annotations = {"rocket": "\U0001f680"}
    if ensure_ascii:  # a lone surrogate can be written as an escape, not as UTF-8
        annotations["lone"] = "\ud800"
    pod["metadata"]["annotations"] = annotations
    text = json.dumps(pod, ensure_ascii=ensure_ascii)
    (container,) = read_text(text, "pod.json").containers
    assert (container.location.line, container.location.column) == (
        1, text.index('{"name": "c"') + 1)
    assert container.annotations == tuple(annotations.items())


def test_lines_with_crlf_and_a_bom() -> None:
    text = "\ufeff" + json.dumps(POD, indent=2).replace("\n", "\r\n")
    (container,) = read_text(text, "pod.json").containers
    plain = json.dumps(POD, indent=2).split("\n")
    line = next(number for number, row in enumerate(plain, 1) if '"name": "c"' in row) - 1
    assert plain[line - 1] == "      {"  # the container's mapping opens on the line before
    assert (container.location.line, container.location.column) == (line, 7)


def test_a_150k_pod_list_is_read_whole() -> None:
    """Beyond the 1,000,000 values libyaml's composition was limited to: every container
    is read, the last one at its place (benchmarks/json_list.py measures time and memory)."""
    items = [{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"p{index}"},
              "spec": {"containers": [{"name": "c", "image": "x"}]}} for index in range(150_000)]
    text = json.dumps({"apiVersion": "v1", "kind": "List", "items": items})  # 18 MB
    result = read_text(text, "list.json")
    assert result.errors == ()
    assert len(result.containers) == 150_000
    last = result.containers[-1]
    assert last.object == "Pod/p149999"
    assert last.location.column == text.rindex('{"name": "c"') + 1
    assert last.location.yaml_path == ("items", 149_999, "spec", "containers", 0)


def test_walk_reads_duplicates_nulls_escapes_and_spaces() -> None:
    text = ' \n{"a" : 1 ,\t"a":\n[ 1, "x", null, {"k": [ ] }, [] ] , "b\\"q": null, "c": {}}'
    walk = JsonWalk("t.json", text)
    node = root(text)
    assert [key for key, _, _ in walk.members(node)] == ["a", "a", 'b"q', "c"]
    fields = walk.fields(node)
    assert walk.position(fields["a"][1]) == (3, 1)
    assert walk.plain(fields["a"][1]) == [1, "x", None, {"k": []}, []]
    assert walk.strings(fields["a"][1]) == ("1", "x", "null", "", "")
    assert walk.value(node, 'b"q') is None and walk.get(node, 'b"q') is not None
    assert walk.fields(walk.value(node, "c")) == {}
    assert walk.sequence(walk.sequence(fields["a"][1])[4]) == []
    assert walk.position(fields["c"][0]) == (3, 51)


# Any JSON value: the walk gives back json.loads's value for every member and item, and
# every key's position is where the key is written.
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=8),  # any character but surrogates, which UTF-8 cannot hold
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=30,
)
SETTINGS = settings(max_examples=int(os.environ.get("STOPSIGNAL_HYPOTHESIS_EXAMPLES", "150")),
                    deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(value=JSON_VALUES, indent=st.sampled_from([None, 0, 1, 4, "\t"]),
       ensure_ascii=st.booleans())
def test_the_walk_reads_what_json_loads_reads(value: object, indent: int | str | None,
                                              ensure_ascii: bool) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=ensure_ascii)
    walk = JsonWalk("v.json", text)
    lines = text.split("\n")
    stack = [(root(text), json.loads(text))]
    while stack:
        node, expected = stack.pop()
        assert walk.plain(node) == expected
        if isinstance(expected, dict):
            members = walk.members(node)
            assert [key for key, _, _ in members] == list(expected)
            for key, at, item in members:
                line, column = walk.position(at)
                assert lines[line - 1][column - 1:].startswith(
                    json.dumps(key, ensure_ascii=ensure_ascii))
                stack.append((item, expected[key]))
        elif isinstance(expected, list):
            stack.extend(zip(walk.sequence(node), expected, strict=True))
