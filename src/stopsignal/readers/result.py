"""What a reader returns: containers, image configs and errors, never an exception.

NamedTuples rather than dataclasses: one ``ReadResult`` is built per input file,
and these classes are on the start-up path of every lint (a frozen dataclass costs
about a millisecond to create at import time; see runtimes/types.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from stopsignal.model import Container, ImageConfig, SourceKind

UNKNOWN_FILE = "not a Kubernetes, compose, Containerfile or image config file"


class ReadError(NamedTuple):
    """A file, or a part of it, that could not be read; line and column are 1-based."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


class ReadResult(NamedTuple):
    """Everything one input file says.

    ``comments`` maps a 1-based line to the text of its comment (without ``#``,
    stripped): every comment of a Containerfile (parser directives included), and
    the ``# stopsignal: ...`` comments of YAML files (only those, so reading stays
    fast).
    """

    path: str
    containers: tuple[Container, ...] = ()
    errors: tuple[ReadError, ...] = ()
    kind: SourceKind | None = None
    skipped: str | None = None
    images: tuple[ImageConfig, ...] = ()
    comments: Mapping[int, str] = {}  # the default is shared: readers build their own dict
    notes: tuple[str, ...] = ()  # what could not be read the way it should (shown always)


class ReadFailure(Exception):
    """Raised inside a reader to abandon one file or document; turned into a ReadError."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
