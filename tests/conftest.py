from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

#: Images the suite builds, each listed after the images built FROM it (removal order):
#: the webhook image and its debootstrapped Python base (scripts/build-webhook-image.sh), and
#: the demo's seed images (`stopsignal demo --build-only`). Those that were not there when the
#: session started are removed when it ends; STOPSIGNAL_KEEP_TEST_IMAGES=1 keeps them, to make
#: the next run faster. The offline base image localhost/debian-systemd:bookworm and the
#: images of scripts/setup-engines.sh are set-up, made before the tests, and are kept.
BUILT_BY_TESTS = (
    "localhost/stopsignal-webhook-e2e:latest",
    "localhost/stopsignal-webhook:latest",
    "localhost/stopsignal-python:bookworm",
    "localhost/stopsignal-demo-37:latest",
    "localhost/stopsignal-demo:latest",
    "localhost/stopsignal-systemd:latest",
)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


def _podman(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.setdefault("CONTAINERS_CONF", str(REPO / "containers" / "containers.conf"))
    return subprocess.run(["podman", *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def _present() -> set[str]:
    return {image for image in BUILT_BY_TESTS
            if _podman("image", "exists", image).returncode == 0}


@pytest.fixture(scope="session", autouse=True)
def remove_images_built_by_the_suite(request: pytest.FixtureRequest) -> Iterator[None]:
    """`make test` leaves no image behind that it built (see BUILT_BY_TESTS)."""
    uses_podman = any(item.get_closest_marker("podman") for item in request.session.items)
    if (not uses_podman or shutil.which("podman") is None
            or os.environ.get("STOPSIGNAL_KEEP_TEST_IMAGES") == "1"):
        yield
        return
    before = _present()
    yield
    built = [image for image in BUILT_BY_TESTS if image not in before]
    for image in built:
        if image in _present():
            _podman("rmi", image)  # not -f: an image a container still uses stays
    left = sorted(_present() - before)
    assert not left, f"images the tests built are still there: {left}"
