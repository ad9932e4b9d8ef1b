"""The shared vocabulary: where things are, what lint found, and fixes as data.

Frozen dataclasses, no I/O. Readers produce the container model, rules produce
``Finding``s that may carry a ``Fix``; the fix engine renders a Fix's ``Edit``s
onto YAML (round trip), Containerfile text, or JSON Patch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return {"info": 0, "warning": 1, "error": 2}[self.value]


class Applicability(StrEnum):
    """How safe a fix is to apply without review (ruff's model)."""

    SAFE = "safe"  # applied by default, also by the webhook
    UNSAFE = "unsafe"  # needs --unsafe-fixes: it changes behaviour beyond the finding
    DISPLAY_ONLY = "display-only"  # shown as a suggestion, never applied


@dataclass(frozen=True)
class Location:
    """A place in an input file; line and column are 1-based."""

    path: str
    line: int = 1
    column: int = 1
    # Where the node sits in a YAML/JSON document: document index, then keys and indices.
    document: int = 0
    yaml_path: tuple[str | int, ...] = ()


EditOp = Literal["set", "remove", "replace-lines", "insert-lines"]


@dataclass(frozen=True)
class Edit:
    """One change to one file.

    YAML/JSON documents: ``set`` writes ``value`` (plain JSON-like data) at
    ``yaml_path`` in document ``document``, creating missing mappings; ``remove``
    deletes the key. Containerfiles: ``replace-lines`` replaces lines
    ``start_line``..``end_line`` (1-based, inclusive) with ``text``;
    ``insert-lines`` inserts ``text`` before ``start_line``.
    """

    path: str
    op: EditOp
    document: int = 0
    yaml_path: tuple[str | int, ...] = ()
    value: object = None
    start_line: int = 0
    end_line: int = 0
    text: str = ""


@dataclass(frozen=True)
class Fix:
    title: str  # imperative: "Add a preStop hook that sends SIGRTMIN+3 to PID 1"
    edits: tuple[Edit, ...]
    applicability: Applicability = Applicability.SAFE


@dataclass(frozen=True)
class Finding:
    code: str  # STOP101
    rule: str  # systemd-stop-signal
    severity: Severity
    location: Location
    message: str
    object: str | None = None  # "Pod/stopsignal-systemd", "service web", "stage 0"
    container: str | None = None
    fix: Fix | None = None
    trail: tuple[str, ...] = field(default=())  # the engine trail, shown with -v

    def as_dict(self) -> dict[str, object]:
        """The JSON contract of ``stopsignal lint --format json`` (DESIGN.md)."""
        return {
            "code": self.code,
            "rule": self.rule,
            "severity": str(self.severity),
            "path": self.location.path,
            "line": self.location.line,
            "column": self.location.column,
            "object": self.object,
            "container": self.container,
            "message": self.message,
            "fixable": self.fix is not None,
        }
