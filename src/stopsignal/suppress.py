"""Suppressions: ``# stopsignal: ignore=RULE[,RULE] -- reason`` comments and annotations.

Forms, in YAML and Containerfiles (a rule is named by code or name, any case;
``all`` matches every rule):

* ``# stopsignal: ignore=STOP101 -- reason`` on the line of the finding, or on
  the line before it; for a container, also on (or just above) the line where
  the container starts, which covers every finding about that container;
* ``# stopsignal: ignore-file=shell-pid1 -- reason`` anywhere in a file (by
  convention at the top) covers the whole file;
* the annotation ``stopsignal.io/ignore: RULE[,RULE]`` on a Kubernetes object
  covers its containers; ``"true"``, ``all`` or ``*`` as its value ignores every rule
  (the webhook documents ``stopsignal.io/ignore: "true"`` as a full opt-out).

The reason after ``--`` is for people; it is kept but not required. Pure: the
readers hand over the comments, the engine decides what a rule key means.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from stopsignal.model import Container, Finding

ANNOTATION = "stopsignal.io/ignore"
_DIRECTIVE = re.compile(
    r"stopsignal:\s*(?P<form>ignore-file|ignore)\s*=\s*(?P<rules>[A-Za-z0-9_,\s*+-]*?)"
    r"\s*(?:--\s*(?P<reason>.*))?$"
)


class Directive(NamedTuple):
    line: int
    rules: frozenset[str]  # lower-case codes or names; "all" for every rule
    file_level: bool
    reason: str | None


class Suppressions(NamedTuple):
    """The suppression comments of one file."""

    by_line: Mapping[int, frozenset[str]] = {}
    file_level: frozenset[str] = frozenset()
    directives: tuple[Directive, ...] = ()

    def any(self) -> bool:
        return bool(self.by_line or self.file_level)


NONE = Suppressions()


def split_rules(text: str) -> frozenset[str]:
    return frozenset(part.strip().lower() for part in re.split(r"[,\s]+", text) if part.strip())


def parse(comments: Mapping[int, str]) -> Suppressions:
    """Parse the ``stopsignal:`` directives among a file's comments (line -> text)."""
    if not comments:
        return NONE
    by_line: dict[int, frozenset[str]] = {}
    file_level: set[str] = set()
    directives: list[Directive] = []
    for line, text in comments.items():
        if "stopsignal" not in text:
            continue
        match = _DIRECTIVE.search(text.strip().lstrip("#").strip())
        if not match:
            continue
        rules = split_rules(match.group("rules"))
        if "*" in rules:
            rules = (rules - {"*"}) | {"all"}
        file_wide = match.group("form") == "ignore-file"
        directives.append(Directive(line, rules, file_wide, match.group("reason")))
        if file_wide:
            file_level |= rules
        else:
            by_line[line] = by_line.get(line, frozenset()) | rules
    return Suppressions(by_line, frozenset(file_level), tuple(directives))


_EVERY_RULE = frozenset({"true", "all", "*"})


def annotation_rules(container: Container) -> frozenset[str]:
    for key, value in container.annotations:
        if key == ANNOTATION:
            rules = split_rules(value)
            if not _EVERY_RULE.isdisjoint(rules):
                rules = (rules - _EVERY_RULE) | {"all"}
            return rules
    return frozenset()


def _matches(keys: Iterable[str], finding: Finding) -> bool:
    wanted = {finding.code.lower(), finding.rule.lower(), "all"}
    return any(key in wanted for key in keys)


def suppressed(finding: Finding, suppressions: Suppressions, *,
               container: Container | None = None) -> bool:
    """Whether a comment or annotation silences ``finding``."""
    if container is not None and _matches(annotation_rules(container), finding):
        return True
    if not suppressions.any():
        return False
    if _matches(suppressions.file_level, finding):
        return True
    lines = {finding.location.line, finding.location.line - 1}
    if container is not None and container.location.path == finding.location.path:
        lines |= {container.location.line, container.location.line - 1}
    return any(_matches(suppressions.by_line.get(line, ()), finding) for line in lines)
