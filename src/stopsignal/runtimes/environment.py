"""What one variable of PID 1's environment ends up as: the image's ENV, then the
container's own env over it.

Every engine builds the environment the same way: the image config's ``Env``,
then the container's variables, each replacing one of the same name (Docker's and
podman's ``--env``, compose ``environment``, the kubelet's ``env`` handed to the
CRI runtime, which appends it to the image's; containerd
internal/cri/server container_create, cri-o server/container_create). Of repeated
entries the last one wins, as in a Containerfile's successive ``ENV`` lines.

Engine marks are not part of this: most are files (/.dockerenv,
/run/.containerenv), not variables, and ``runtimes.marks.engine_mark`` says which
engine marks what. systemd reads a non-empty ``container`` variable, or any
engine mark, as "in a container" (runtimes/marks.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, NamedTuple

Source = Literal["container env", "image ENV", ""]


class EnvSetting(NamedTuple):
    """One variable as PID 1 gets it."""

    value: str | None  # None: not set (as far as ``known`` says)
    source: Source  # who set it; "" when nobody did
    known: bool = True  # False: an image, or a base layer, lint has not seen may set it

    @property
    def non_empty(self) -> bool | None:
        """Set to a non-empty value; None when only an image lint has not seen can tell."""
        if self.value is not None:
            return bool(self.value)
        return False if self.known else None


def env_setting(name: str, container_env: Iterable[tuple[str, str]],
                image_env: Iterable[tuple[str, str]] | None, *,
                image_complete: bool = True) -> EnvSetting:
    """What ``name`` is in PID 1's environment.

    ``image_env`` is None when the image's config is unknown; ``image_complete`` is
    False when it is known but a base image it builds on is not (that base's ENV
    would be inherited).
    """
    value: str | None = None
    for key, item in container_env:
        if key == name:
            value = item
    if value is not None:
        return EnvSetting(value, "container env")
    if image_env is None:
        return EnvSetting(None, "", known=False)
    for key, item in image_env:
        if key == name:
            value = item
    if value is not None:
        return EnvSetting(value, "image ENV")
    return EnvSetting(None, "", known=image_complete)


def split_items(items: Iterable[str]) -> tuple[tuple[str, str], ...]:
    """``KEY=VALUE`` items, as an image config's ``Env`` holds them, as (key, value) pairs."""
    return tuple((key, value) for key, _, value in (item.partition("=") for item in items))
