"""Suppression comments and annotations."""

from __future__ import annotations

from pathlib import Path

import pytest

from stopsignal.config import Config
from stopsignal.engine import lint_paths

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: systemd
{annotations}spec:
  containers:
{before}    - name: nginx
      image: example/systemd
      command: ["/sbin/init"]{trailing}
"""


def lint(tmp_path: Path, *, no_ignore: bool = False, **parts: str) -> tuple[int, int]:
    values = {"annotations": "", "before": "", "trailing": ""} | parts
    path = tmp_path / "pod.yaml"
    path.write_text(POD.format(**values))
    result = lint_paths([str(path)], Config(engines=("openshift@4.9",), no_ignore=no_ignore))
    return len(result.findings), result.suppressed


def test_unsuppressed(tmp_path: Path) -> None:
    assert lint(tmp_path) == (1, 0)


def test_same_line_by_code(tmp_path: Path) -> None:
    assert lint(tmp_path, trailing="  # stopsignal: ignore=STOP101 -- tested by hand") == (0, 1)


def test_line_before_the_container_by_name(tmp_path: Path) -> None:
    before = "    # stopsignal: ignore=systemd-stop-signal -- a VM image, stopped by its agent\n"
    assert lint(tmp_path, before=before) == (0, 1)


def test_other_rule_does_not_suppress(tmp_path: Path) -> None:
    assert lint(tmp_path, trailing="  # stopsignal: ignore=shell-pid1") == (1, 0)


def test_file_level(tmp_path: Path) -> None:
    path = tmp_path / "pod.yaml"
    path.write_text("# stopsignal: ignore-file=STOP101 -- legacy\n" + POD.format(
        annotations="", before="", trailing=""))
    result = lint_paths([str(path)], Config(engines=("openshift@4.9",)))
    assert (len(result.findings), result.suppressed) == (0, 1)


def test_annotation(tmp_path: Path) -> None:
    annotations = "  annotations:\n    stopsignal.io/ignore: STOP201, systemd-stop-signal\n"
    assert lint(tmp_path, annotations=annotations) == (0, 1)


@pytest.mark.parametrize("value", ['"true"', "all", '"*"', "'True'", "STOP999, all"])
def test_annotation_ignoring_every_rule(tmp_path: Path, value: str) -> None:
    # The webhook documents `stopsignal.io/ignore: "true"` as a full opt-out: lint agrees.
    annotations = f"  annotations:\n    stopsignal.io/ignore: {value}\n"
    assert lint(tmp_path, annotations=annotations) == (0, 1)


@pytest.mark.parametrize("value", ['"false"', "STOP201", '""'])
def test_annotation_not_ignoring_this_rule(tmp_path: Path, value: str) -> None:
    annotations = f"  annotations:\n    stopsignal.io/ignore: {value}\n"
    assert lint(tmp_path, annotations=annotations) == (1, 0)


def test_no_ignore_is_strict(tmp_path: Path) -> None:
    assert lint(tmp_path, no_ignore=True, trailing="  # stopsignal: ignore=all") == (1, 0)


def test_containerfile_comment_before_the_instruction(tmp_path: Path) -> None:
    path = tmp_path / "Containerfile"
    body = "FROM python:3.12-slim\n{comment}CMD python -m app\n"
    path.write_text(body.format(comment=""))
    config = Config(select=("shell-pid1",))
    assert [f.rule for f in lint_paths([str(path)], config).findings] == ["shell-pid1"]
    path.write_text(body.format(comment="# stopsignal: ignore=STOP201 -- the app traps SIGTERM\n"))
    result = lint_paths([str(path)], config)
    assert (result.findings, result.suppressed) == ([], 1)


def test_compose_comment_on_the_service(tmp_path: Path) -> None:
    path = tmp_path / "compose.yaml"
    path.write_text("services:\n  # stopsignal: ignore=shell-pid1\n  web:\n    image: debian:12\n"
                    "    command: [\"sh\", \"-c\", \"while :; do work; done\"]\n")
    result = lint_paths([str(path)], Config(select=("shell-pid1",)))
    assert (result.findings, result.suppressed) == ([], 1)
