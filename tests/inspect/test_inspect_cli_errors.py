"""Engines that cannot be asked, and bad usage: one line, exit 2, never a traceback."""

from __future__ import annotations

import subprocess
import sys

import pytest


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "stopsignal", "inspect", *args],
                          capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize(("args", "words"), [
    (["--all", "--on", "docker", "--docker-host", "unix:///nonexistent.sock"],
     "Docker is not reachable at unix:///nonexistent.sock"),
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
