"""Removing the images a test session built (used by conftest.py and tested on its own)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def podman(*args: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.setdefault("CONTAINERS_CONF", str(REPO / "containers" / "containers.conf"))
    env["PATH"] = env.get("PATH", "") + ":/usr/sbin:/sbin"
    return subprocess.run(["podman", *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def present(images: Iterable[str]) -> set[str]:
    return {image for image in images if podman("image", "exists", image).returncode == 0}


def remove_built(images: Iterable[str], before: set[str]) -> list[str]:
    """Remove, in order, those of ``images`` not present ``before``; return those left.

    Without -f: an image that a container still uses stays (and is returned); one that another
    image is built FROM loses its name, its layers stay for the other image.
    """
    images = list(images)
    for image in images:
        if image not in before and image in present([image]):
            podman("rmi", image)
    return sorted(present(images) - before)
