"""Loading rule fixtures: tests/rules/fixtures/<rule-name>/fire-* and dont-fire-*.

A fixture may carry directives in comments (or, for JSON, in ``<file>.test``):

    # test-engines: openshift@4.9        targets (default: the default targets)
    # expect: 13:7 error                 a finding of the rule at line:column, with severity
    # expect: app/Containerfile:3:1 warning   the same in one file of a directory fixture
    # expect-assumed: text               a substring of an assumed fact of every finding

A directory fixture (``fire-NAME/``, a small repository) is linted whole; its
directives live in ``fire-NAME.test`` beside it.
    # expect-message: some text          a substring every finding's message contains
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


@dataclass
class Case:
    rule: str
    path: Path
    engines: tuple[str, ...] | None = None
    expect: list[tuple[str, int, int, str]] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    assumed: list[str] = field(default_factory=list)

    @property
    def fires(self) -> bool:
        return self.path.name.startswith("fire-")

    @property
    def id(self) -> str:
        return f"{self.rule}/{self.path.name}"


def _directives(path: Path) -> list[str]:
    sidecar = path.with_name(path.name + ".test")
    if not sidecar.exists() and path.is_dir():
        return []
    text = sidecar.read_text() if sidecar.exists() else path.read_text()
    return [line[1:].strip() for line in text.splitlines() if line.startswith("#")]


def load(path: Path) -> Case:
    case = Case(rule=path.parent.name, path=path)
    for line in _directives(path):
        key, _, value = line.partition(":")
        value = value.strip()
        if key == "test-engines":
            case.engines = tuple(value.split())
        elif key == "expect":
            where, severity = value.split()
            *file, line_text, column_text = where.split(":")
            case.expect.append(("".join(file), int(line_text), int(column_text), severity))
        elif key == "expect-message":
            case.messages.append(value)
        elif key == "expect-assumed":
            case.assumed.append(value)
    return case


def all_cases() -> list[Case]:
    return [load(path) for path in sorted(FIXTURES.glob("*/*"))
            if path.name.startswith(("fire-", "dont-fire-")) and path.suffix != ".test"]
