"""Engines that cannot be asked, and bad usage: one line, exit 2, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "stopsignal", "inspect", *args],
                          capture_output=True, text=True, timeout=60, check=False, env=env)


@pytest.mark.parametrize(("args", "words"), [
    # A unix socket is asked through the Engine API (the OS's reason) ...
    (["--all", "--on", "docker", "--docker-host", "unix:///nonexistent.sock"],
     "Docker is not reachable at unix:///nonexistent.sock (No such file or directory)"),
    # ... any other host through the docker CLI (its own words).
    (["--all", "--on", "docker", "--docker-host", "tcp://127.0.0.1:1"],
     "Docker is not reachable at tcp://127.0.0.1:1 (Cannot connect to the Docker daemon"),
    (["--node", "--cri-endpoint", "unix:///nonexistent.sock"],
     "the CRI runtime at unix:///nonexistent.sock did not answer"),
    ([], "name the containers to inspect"),
    (["a", "--all"], "not both"),
])
def test_one_line_exit_2(args: list[str], words: str) -> None:
    done = run(*args)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and words in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_a_docker_context_is_left_to_the_cli() -> None:
    """Only the CLI knows where a context points: with one chosen, the API is not asked."""
    env = {key: value for key, value in os.environ.items() if key != "DOCKER_HOST"}
    done = run("--all", "--on", "docker", env=env | {"DOCKER_CONTEXT": "ss-no-such-context"})
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert 'context "ss-no-such-context"' in done.stderr
