"""Kustomizations and Helm charts named on the command line are linted as rendered."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BASE = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: example.org/systemd-web:1
          command: ["/sbin/init"]
"""
OVERLAY = """\
resources:
  - ../base
namePrefix: prod-
patches:
  - target: {kind: Deployment, name: web}
    patch: |-
      - op: add
        path: /spec/template/spec/containers/-
        value: {name: sidecar, image: example.org/s:1,
                command: ["sh", "-c", "while true; do sleep 5; done"]}
"""


def lint(cwd: Path, *args: str, path: str | None = None) -> tuple[int, dict[str, object]]:
    env = dict(os.environ)
    if path is not None:
        env["PATH"] = path
    done = subprocess.run(
        [sys.executable, "-m", "stopsignal", "lint", "--no-config", "--lookup-images", "none",
         "--engine", "openshift@4.9", "--format", "json", *args],
        capture_output=True, text=True, check=False, cwd=cwd, env=env, timeout=120)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "deploy.yaml").write_text(BASE)
    (tmp_path / "base" / "kustomization.yaml").write_text("resources:\n  - deploy.yaml\n")
    (tmp_path / "prod").mkdir()
    (tmp_path / "prod" / "kustomization.yaml").write_text(OVERLAY)
    return tmp_path


def where(report: dict[str, object]) -> list[tuple[str, str, int, str]]:
    return [(str(f["rule"]), str(f["path"]), int(f["line"]), str(f["object"]))
            for f in report["findings"]]  # type: ignore[attr-defined]


def test_a_kustomization_is_rendered_and_mapped_back(tree: Path) -> None:
    assert shutil.which("kubectl") or shutil.which("kustomize"), ".ci/run installs kubectl"
    code, report = lint(tree, "prod")
    assert code == 1
    assert where(report) == [
        # From the base file, where the container is written (the name got its prefix).
        ("systemd-stop-signal", "base/deploy.yaml", 11, "Deployment/prod-web"),
        # Only the overlay's patch creates this container: the kustomization is its place.
        ("shell-pid1", "prod/kustomization.yaml", 1, "Deployment/prod-web"),
    ]


def test_without_kubectl_or_kustomize_a_note_and_the_files(tree: Path) -> None:
    code, report = lint(tree, "prod", "base", path="/nonexistent")
    assert report["notes"] == [
        {"path": "prod", "message": "a kustomization, but neither kubectl nor kustomize is "
                                    "installed: its files are linted as written, without patches"},
        {"path": "base", "message": "a kustomization, but neither kubectl nor kustomize is "
                                    "installed: its files are linted as written, without patches"},
    ]
    # base's files are read as written: its Deployment is still checked.
    assert code == 1 and where(report) == [
        ("systemd-stop-signal", "base/deploy.yaml", 11, "Deployment/web")]


def test_a_kustomization_that_fails_to_render_is_an_error(tree: Path) -> None:
    (tree / "prod" / "kustomization.yaml").write_text("resources:\n  - ../missing\n")
    done = subprocess.run(
        [sys.executable, "-m", "stopsignal", "lint", "--no-config", "--lookup-images", "none",
         "prod"], capture_output=True, text=True, check=False, cwd=tree, timeout=120)
    assert done.returncode == 2
    assert done.stdout.startswith("prod/kustomization.yaml:1:1: ")
    assert "kubectl kustomize failed" in done.stdout or "kustomize build failed" in done.stdout


def test_a_helm_chart_without_helm_is_a_note(tmp_path: Path) -> None:
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: web\nversion: 0.1.0\n")
    (chart / "templates" / "deploy.yaml").write_text(BASE.replace("web:1", "{{ .Values.tag }}"))
    bin_dir = tmp_path / "bin"  # PATH without helm (kubectl does not render charts)
    bin_dir.mkdir()
    code, report = lint(tmp_path, "chart", path=str(bin_dir))
    assert code == 0 and report["findings"] == [] and report["errors"] == []
    assert report["notes"] == [{"path": "chart", "message": (
        "a Helm chart, but helm is not installed: its templates are not linted "
        "(helm template CHART | stopsignal lint -)")}]
