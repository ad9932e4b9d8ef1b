"""The end-of-session clean-up removes what the session built and keeps what was there."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from image_cleanup import podman, present, remove_built

pytestmark = pytest.mark.podman


@pytest.fixture
def images(tmp_path: Path) -> Iterator[list[str]]:
    """Two throwaway images, the second built FROM the first."""
    tag = uuid.uuid4().hex[:8]
    base, child = (f"localhost/stopsignal-cleanup-test-{tag}-{name}:latest"
                   for name in ("base", "child"))
    # A layer of its own, so that the child is built on it (an image of metadata only has no
    # layer a child could share, and podman would then remove it whole).
    (tmp_path / "marker").write_text("base\n")
    (tmp_path / "Containerfile.base").write_text("FROM scratch\nCOPY marker /marker\n"
                                                 "LABEL io.stopsignal.test=1\n")
    (tmp_path / "Containerfile.child").write_text(f"FROM {base}\nSTOPSIGNAL SIGINT\n")
    for image, name in ((base, "base"), (child, "child")):
        built = podman("build", "-q", "-t", image, "-f", str(tmp_path / f"Containerfile.{name}"),
                       str(tmp_path))
        assert built.returncode == 0, built.stderr
    yield [child, base]
    for image in (child, base):
        podman("rmi", "-f", image)


def test_built_during_the_session_is_removed(images: list[str]) -> None:
    assert remove_built(images, before=set()) == []
    assert present(images) == set()


def test_present_before_is_kept(images: list[str]) -> None:
    _, base = images
    assert remove_built(images, before={base}) == []
    assert present(images) == {base}


def test_an_image_others_build_on_loses_only_its_name(images: list[str]) -> None:
    child, base = images
    assert remove_built([base], before=set()) == []  # podman untags it: the child needs it
    assert present(images) == {child}
    assert podman("image", "inspect", child).returncode == 0
