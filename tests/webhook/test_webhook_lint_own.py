"""The webhook's own Containerfile and deploy manifests pass `stopsignal lint`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from test_webhook_deploy import OVERLAYS, render
from webhook_support import REPO

from stopsignal.config import Config
from stopsignal.engine import lint_paths

CONTAINERFILE = REPO / "containers" / "webhook.Containerfile"
TARGETS = ["--engine", "docker", "--engine", "podman", "--engine", "kubernetes@1.30,containerd@1.7",
           "--engine", "kubernetes@1.30,cri-o@1.23", "--engine", "openshift@4.9"]


def lint_cli(*paths: Path) -> dict[str, object]:
    result = subprocess.run(
        [sys.executable, "-m", "stopsignal", "lint", "--format", "json", "--fail-on", "info",
         *TARGETS, *map(str, paths)], capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    report: dict[str, object] = json.loads(result.stdout)
    return report


def test_containerfile_passes_lint() -> None:
    result = lint_paths([str(CONTAINERFILE)], Config())
    assert result.containers == 1 and not result.errors
    assert lint_cli(CONTAINERFILE) == {"findings": [], "errors": []}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_rendered_manifests_pass_lint(overlay: str, tmp_path: Path) -> None:
    rendered = tmp_path / "rendered.yaml"
    rendered.write_text("---\n".join(json.dumps(doc) + "\n" for doc in render(overlay)))
    result = lint_paths([str(rendered)], Config())
    assert result.containers == 1 and not result.errors
    assert lint_cli(rendered)["findings"] == []
