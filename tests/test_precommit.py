"""The pre-commit hooks of .pre-commit-hooks.yaml, installed by pre-commit itself (try-repo).

pre-commit builds the hooks' environment from this repository (pip install of the package and
its dependencies from the package index) in a private PRE_COMMIT_HOME, then runs them on a
throwaway git repository: lint finds, fix edits, a Helm chart's templates are left alone.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
POD = (REPO / "examples" / "seed" / "pod-stopsignal-systemd.yaml").read_text()
# Go template syntax: not YAML. Linting it would be an unreadable-input error (exit 2).
TEMPLATE = "{{- if .Values.enabled }}\n" + POD + "{{- end }}\n"


def test_the_manifest_declares_a_lint_and_a_fix_hook() -> None:
    hooks = {hook["id"]: hook for hook in yaml.safe_load((REPO / ".pre-commit-hooks.yaml")
                                                          .read_text())}
    assert set(hooks) == {"stopsignal-lint", "stopsignal-fix"}
    for hook, command in (("stopsignal-lint", "stopsignal lint"),
                          ("stopsignal-fix", "stopsignal fix")):
        assert hooks[hook]["entry"] == command and hooks[hook]["language"] == "python"
        assert hooks[hook]["exclude"] == "(^|/)templates/"


def git(project: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", *args],
                   cwd=project, check=True, capture_output=True, timeout=60)


def try_repo(project: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    """Every hook of the manifest, in its order, on every file of ``project``."""
    env = dict(os.environ, PRE_COMMIT_HOME=str(cache), PRE_COMMIT_COLOR="never")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(REPO),
                           "--all-files", "--verbose"], cwd=project, env=env,
                          capture_output=True, text=True, timeout=600, check=False)


@pytest.mark.timeout(900)
def test_try_repo_lint_then_fix(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "k8s").mkdir(parents=True)
    (project / "k8s" / "pod.yaml").write_text(POD)
    (project / "chart" / "templates").mkdir(parents=True)
    (project / "chart" / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
    (project / "chart" / "templates" / "pod.yaml").write_text(TEMPLATE)
    (project / "README.md").write_text("a project\n")
    git(project, "init", "-q")
    git(project, "add", ".")
    git(project, "commit", "-q", "-m", "a project")
    cache = tmp_path / "pre-commit-home"

    # lint fails on the finding, then fix repairs it.
    first = try_repo(project, cache)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "k8s/pod.yaml:19:7: STOP101 [systemd-stop-signal]" in first.stdout
    assert "templates" not in first.stdout  # excluded, so no unreadable-input error either
    assert "files were modified by this hook" in first.stdout  # fix's edit
    fixed = (project / "k8s" / "pod.yaml").read_text()
    assert "kill -s 37 1" in fixed and fixed != POD
    assert (project / "chart" / "templates" / "pod.yaml").read_text() == TEMPLATE

    again = try_repo(project, cache)
    assert again.returncode == 0, again.stdout + again.stderr
    assert again.stdout.count("Passed") == 2
