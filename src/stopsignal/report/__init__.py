"""Reports: the same lint result as text, JSON, SARIF 2.1.0, GitHub annotations, GitLab Code
Quality or JUnit XML.

Each format is a module with ``render(result, *, verbose, color) -> str``; none prints.
``color`` (ANSI styles) only changes text; the machine formats ignore it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from collections.abc import Sequence

    from stopsignal.model import Finding
    from stopsignal.readers.result import ReadError


FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit")


class LintResult(Protocol):
    """What a report shows (``stopsignal.engine.LintResult`` has this shape)."""

    @property
    def findings(self) -> Sequence[Finding]: ...
    @property
    def errors(self) -> Sequence[ReadError]: ...
    @property
    def skipped(self) -> Sequence[tuple[str, str]]: ...
    @property
    def files(self) -> int: ...
    @property
    def containers(self) -> int: ...
    @property
    def suppressed(self) -> int: ...
    @property
    def notes(self) -> Sequence[tuple[str, str]]: ...


class Renderer(Protocol):
    def __call__(self, result: LintResult, *, verbose: bool = False,
                 color: bool = False) -> str: ...


def renderer(name: str) -> Renderer:
    """The ``render`` function of a format; formats are imported only when used."""
    if name not in FORMATS:
        raise ValueError(f"unknown format {name!r}")
    # __import__ rather than importlib.import_module: importing importlib costs start-up.
    module = __import__(f"stopsignal.report.{name}_report", fromlist=["render"])
    render: Renderer = module.render
    return render


__all__ = ["FORMATS", "LintResult", "Renderer", "renderer"]
