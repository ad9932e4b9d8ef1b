"""End-to-end fixtures: real podman, the offline base image, and a leftover check."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
LABEL = "io.stopsignal.probe"
#: Tags this test run's containers, so that probes others run on the same machine at the
#: same time do not count as our leftovers.
RUN = f"pytest-{uuid.uuid4().hex[:8]}"
os.environ["STOPSIGNAL_PROBE_RUN"] = RUN
CONTAINERS_CONF = REPO / "containers" / "containers.conf"


def podman_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("CONTAINERS_CONF", str(CONTAINERS_CONF))
    env["PATH"] = env.get("PATH", "") + ":/usr/sbin:/sbin"
    return env


def podman(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["podman", *args], env=podman_env(), capture_output=True, text=True,
                          timeout=300, check=False)


def leftovers() -> list[str]:
    """Containers this test run's probes created that still exist."""
    found = podman("ps", "--all", "--filter", f"label={LABEL}.run={RUN}", "--format",
                   "{{.Names}}")
    return found.stdout.split()


def stopsignal(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    """Run the CLI as a user would (a separate process, so signals and exit codes are real)."""
    return subprocess.run([sys.executable, "-m", "stopsignal", *args], capture_output=True,
                          text=True, timeout=timeout, check=False, cwd=REPO)


def probe_json(*args: str) -> tuple[int, list[dict[str, Any]]]:
    done = stopsignal("probe", "--json", *args)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)["containers"]


@pytest.fixture(scope="session")
def images() -> None:
    """The base image (debootstrap, reused when present) and the seed images."""
    setup = subprocess.run(["bash", str(REPO / "scripts" / "setup-podman.sh")], env=podman_env(),
                           capture_output=True, text=True, timeout=900, check=False)
    assert setup.returncode == 0, setup.stderr
    built = stopsignal("demo", "--build-only", timeout=600)
    assert built.returncode == 0, built.stderr


@pytest.fixture(scope="session", autouse=True)
def no_leftover_containers(request: pytest.FixtureRequest) -> Iterator[None]:
    """After every end-to-end test, no container the probe created may remain."""
    yield
    if any(item.get_closest_marker("podman") for item in request.session.items):
        assert leftovers() == []
