"""Bad input: each gives a clean error with a path and a line, in bounded time and memory."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from stopsignal.readers import read_path, read_text


def _one_error(path: Path) -> tuple[int, str]:
    result = read_path(str(path))
    assert result.errors, result
    error = result.errors[0]
    assert error.path == str(path) and error.line >= 1 and error.column >= 1
    assert "internal error" not in error.message
    assert "\n" not in error.message
    return error.line, error.message


def test_invalid_yaml(tmp_path: Path) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text("apiVersion: v1\nkind: Pod\nspec:\n  containers: [\n    {name: a\n")
    line, message = _one_error(path)
    assert line == 6 and message.startswith("invalid YAML")


def test_invalid_yaml_in_a_file_with_no_workload(tmp_path: Path) -> None:
    path = tmp_path / "values.yaml"
    path.write_text("a: 1\nb: [2\nc: 3\n")
    line, _ = _one_error(path)
    assert line == 3


@pytest.mark.timeout(30)
def test_billion_laughs_outside_the_walked_paths(tmp_path: Path) -> None:
    lines = ["apiVersion: v1", "kind: Pod", "metadata:", "  name: lol", "  labels:",
             '    a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 10):
        refs = ",".join([f"*a{level - 1}"] * 9)
        lines.append(f"    a{level}: &a{level} [{refs}]")
    lines += ["spec:", "  containers:", "  - name: c", "    command: *a9", "    env: *a9"]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    result = read_path(str(path))
    assert [c.name for c in result.containers] == ["c"] or result.errors


@pytest.mark.timeout(30)
def test_aliases_that_multiply_walked_work(tmp_path: Path) -> None:
    big = "[" + ",".join(["x"] * 20_000) + "]"
    containers = ",".join(["*c"] * 2_000)
    text = (f"kind: List\nitems:\n- kind: Pod\n  spec:\n    initContainers:\n"
            f"    - &c {{name: c, command: &big {big}, args: *big}}\n"
            f"    containers: [{containers}]\n")
    path = tmp_path / "bomb.yaml"
    path.write_text(text)
    line, message = _one_error(path)
    assert "alias" in message and line >= 1


def test_recursive_aliases(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.write_text("kind: Pod\nspec: &s\n  <<: *s\n  containers: &c [*c]\n")
    result = read_path(str(path))  # libyaml lets an anchor refer to itself
    assert result.containers == () and not result.errors
    path.write_text("kind: Pod\nspec: &s {containers: [{name: a, lifecycle: *s}], x: *s}\n")
    assert read_path(str(path)).containers[0].name == "a"


@pytest.mark.timeout(30)
def test_a_100_mb_file_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(100 * 1024 * 1024)  # sparse: costs no disk
    line, message = _one_error(path)
    assert line == 1 and "too large" in message
    assert "too large" in read_text("a: b\n" * (5 * 1024 * 1024), "big.yaml").errors[0].message


def test_binary_garbage(tmp_path: Path) -> None:
    rng = random.Random(7)
    for name in ("garbage.yaml", "Dockerfile", "garbage.json", "unnamed"):
        path = tmp_path / name
        path.write_bytes(bytes(rng.randrange(256) for _ in range(4096)) + b"\x00")
        _one_error(path)


def test_high_bytes_without_nul(tmp_path: Path) -> None:
    path = tmp_path / "x.yaml"
    path.write_bytes(b"kind: Pod\nspec: {containers: []}\n" + bytes(range(0x80, 0x100)))
    line, _ = _one_error(path)
    assert line == 3


def test_non_utf8_yaml(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("kind: Pod\nmetadata:\n  name: caf\u00e9\n".encode("latin-1"))
    line, _ = _one_error(path)
    assert line == 3


def test_utf16_yaml_is_read(tmp_path: Path) -> None:
    path = tmp_path / "utf16.yaml"
    path.write_bytes("kind: Pod\nspec: {containers: [{name: a}]}\n".encode("utf-16"))
    assert read_path(str(path)).containers[0].name == "a"


def test_unknown_containerfile_instructions(tmp_path: Path) -> None:
    path = tmp_path / "Containerfile"
    path.write_text("FROM x\nRUNN make\nSTOPSIGNAL SIGINT\nCOPPY a b\n")
    result = read_path(str(path))
    assert [(e.line, e.path) for e in result.errors] == [(2, str(path)), (4, str(path))]
    assert result.images[0].stop_signal == "SIGINT"


def test_missing_unreadable_and_special_files(tmp_path: Path) -> None:
    _one_error(tmp_path / "missing.yaml")
    assert read_path("/dev/null").errors  # a character device, not a regular file
    assert read_path(str(tmp_path)).skipped


def test_deep_nesting(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("kind: Pod\nspec: {containers: " + "[" * 5000 + "]" * 5000 + "}\n")
    _one_error(path)


@pytest.mark.timeout(60)
def test_many_documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "many.yaml"
    path.write_text("---\n" * 200_000)  # nothing wanted: one syntax pass
    assert read_path(str(path)).skipped
    from stopsignal.readers import yamlnodes

    monkeypatch.setattr(yamlnodes, "MAX_DOCUMENTS", 10)
    path.write_text("kind: Pod\nspec: {containers: [{name: a}]}\n---\n" * 20)
    result = read_path(str(path))
    assert len(result.containers) == 10
    assert result.errors and "documents" in result.errors[0].message
