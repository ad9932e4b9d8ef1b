"""End-to-end fixtures: real podman, the offline base image, and a leftover check."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import pytest
from e2e_helpers import REPO, leftovers, podman_env, stopsignal


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
