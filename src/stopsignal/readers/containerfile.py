"""Containerfiles and Dockerfiles -> one ImageConfig per stage."""

from __future__ import annotations

from stopsignal.model import SourceKind
from stopsignal.readers.result import ReadResult


def read(data: bytes, path: str) -> ReadResult:
    return ReadResult(path, kind=SourceKind.CONTAINERFILE)
