"""Readers: Kubernetes/OpenShift manifests, compose files, Containerfiles and image configs
turned into ``Container``s and ``ImageConfig``s with exact positions.

The engine calls ``iter_files`` to find inputs and ``read_path`` on each; a reader
never raises: every problem is a ``ReadError`` in the ``ReadResult``.
"""

from __future__ import annotations

from stopsignal.readers.files import iter_files
from stopsignal.readers.image_config import image_lookup, join_image
from stopsignal.readers.read import MAX_BYTES, read_path, read_text
from stopsignal.readers.result import UNKNOWN_FILE, ReadError, ReadResult

__all__ = [
    "MAX_BYTES",
    "UNKNOWN_FILE",
    "ReadError",
    "ReadResult",
    "image_lookup",
    "iter_files",
    "join_image",
    "read_path",
    "read_text",
]
