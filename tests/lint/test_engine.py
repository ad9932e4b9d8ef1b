"""The engine: image joining, compose builds, scripts from the build context."""

from __future__ import annotations

from pathlib import Path

import pytest

from stopsignal.config import Config
from stopsignal.engine import built_name, lint_paths, normalize_ref


@pytest.mark.parametrize(("path", "name"), [
    ("x/Containerfile.stopsignal-systemd", "stopsignal-systemd"),
    ("Dockerfile.web", "web"),
    ("api.Containerfile", "api"),
    ("Containerfile", None),
    ("Dockerfile", None),
])
def test_built_name(path: str, name: str | None) -> None:
    assert built_name(path) == name


def test_normalize_ref() -> None:
    assert normalize_ref("docker.io/library/nginx") == normalize_ref("nginx:latest") == \
        "nginx:latest"
    assert normalize_ref("localhost/stopsignal-systemd") == "stopsignal-systemd:latest"
    assert normalize_ref("quay.io/a/b:1@sha256:abc") == "quay.io/a/b:1"


def test_compose_build_joins_its_containerfile(tmp_path: Path) -> None:
    containerfile = tmp_path / "Containerfile"
    compose = tmp_path / "compose.yaml"
    compose.write_text(f"services:\n  vm:\n    build: {tmp_path}\n")
    containerfile.write_text("FROM fedora:40\nENTRYPOINT [\"/lib/systemd/systemd\"]\n")
    result = lint_paths([str(compose)], Config(engines=("docker",)))
    assert result.containers == 1
    assert [f.rule for f in result.findings] == ["systemd-stop-signal"]
    containerfile.write_text("FROM fedora:40\nSTOPSIGNAL SIGRTMIN+3\n"
                             "ENTRYPOINT [\"/lib/systemd/systemd\"]\n")
    assert lint_paths([str(compose)], Config(engines=("docker",))).findings == []


def test_entrypoint_script_from_the_build_context(tmp_path: Path) -> None:
    (tmp_path / "start.sh").write_text("#!/bin/sh\nprepare\n/usr/bin/server --port 80\n")
    containerfile = tmp_path / "Containerfile"
    containerfile.write_text("FROM debian:12\nCOPY start.sh /usr/local/bin/start.sh\n"
                             "ENTRYPOINT [\"/usr/local/bin/start.sh\"]\n")
    result = lint_paths([str(containerfile)], Config(select=("shell-pid1",)))
    assert [f.rule for f in result.findings] == ["shell-pid1"]
    assert "start.sh, which never execs" in result.findings[0].message
    (tmp_path / "start.sh").write_text("#!/bin/sh\nprepare\nexec /usr/bin/server --port 80\n")
    assert lint_paths([str(containerfile)], Config(select=("shell-pid1",))).findings == []


def test_a_rule_bug_costs_one_container_not_the_run(monkeypatch: pytest.MonkeyPatch,
                                                    tmp_path: Path) -> None:
    from stopsignal.rules import shell_pid1

    def broken(container: object, ctx: object) -> list[object]:
        raise RuntimeError("boom")

    monkeypatch.setattr("stopsignal.engine.RULES", (shell_pid1.RULE._replace(check=broken),))
    pod = tmp_path / "pod.yaml"
    pod.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  containers:\n"
                   "    - name: a\n      image: x\n      command: [\"sh\", \"-c\", \"a; b\"]\n")
    result = lint_paths([str(pod)], Config())
    assert result.findings == []
    assert "internal error in rule shell-pid1" in result.errors[0].message
