from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from image_cleanup import present, remove_built

REPO = Path(__file__).resolve().parents[1]

#: Images the suite builds under shared names, each listed after the images built FROM it
#: (removal order): the webhook image's debootstrapped Python base
#: (scripts/build-webhook-image.sh; the webhook images themselves have per-session names and
#: are removed by their test), and the demo's seed images (`stopsignal demo --build-only`),
#: which other tests use too. Those that were not there when the
#: session started are removed when it ends; STOPSIGNAL_KEEP_TEST_IMAGES=1 keeps them, to make
#: the next run faster. The offline base image localhost/debian-systemd:bookworm and the
#: images of scripts/setup-engines.sh are set-up, made before the tests, and are kept.
BUILT_BY_TESTS = (
    "localhost/stopsignal-python:bookworm",
    "localhost/stopsignal-demo-37:latest",
    "localhost/stopsignal-demo:latest",
    "localhost/stopsignal-systemd:latest",
)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session", autouse=True)
def remove_images_built_by_the_suite(request: pytest.FixtureRequest) -> Iterator[None]:
    """`make test` leaves no image behind that it built (see BUILT_BY_TESTS)."""
    uses_podman = any(item.get_closest_marker("podman") for item in request.session.items)
    if (not uses_podman or shutil.which("podman") is None
            or os.environ.get("STOPSIGNAL_KEEP_TEST_IMAGES") == "1"):
        yield
        return
    before = present(BUILT_BY_TESTS)
    yield
    left = remove_built(BUILT_BY_TESTS, before)
    assert not left, f"images the tests built are still there: {left}"
