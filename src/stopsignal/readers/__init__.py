"""Readers: Kubernetes/OpenShift manifests, compose files, Containerfiles and image configs
turned into ``Container``s and ``ImageConfig``s with exact positions; in-memory
Kubernetes objects (``read_object``) into the same ``Container``s, without positions.

The engine calls ``iter_files`` to find inputs and ``read_path`` on each; a reader
never raises: every problem is a ``ReadError`` in the ``ReadResult``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stopsignal.readers.files import iter_files
from stopsignal.readers.read import MAX_BYTES, read_path, read_text
from stopsignal.readers.result import UNKNOWN_FILE, ReadError, ReadResult

if TYPE_CHECKING:
    from stopsignal.readers.image_config import image_lookup, join_image
    from stopsignal.readers.objects import read_object


def __getattr__(name: str) -> object:
    # image_config (json, tarfile, subprocess) is imported only when an image is looked up:
    # one-file lint start-up does not pay for it.
    if name in ("image_lookup", "join_image"):
        from stopsignal.readers import image_config

        return getattr(image_config, name)
    if name == "read_object":  # in-memory objects (the webhook): not on lint's start-up path
        from stopsignal.readers import objects

        return objects.read_object
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "MAX_BYTES",
    "UNKNOWN_FILE",
    "ReadError",
    "ReadResult",
    "image_lookup",
    "iter_files",
    "join_image",
    "read_object",
    "read_path",
    "read_text",
]
