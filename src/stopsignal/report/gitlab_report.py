"""GitLab Code Quality: a JSON array of issues (``artifacts:reports:codequality``).

GitLab needs ``description``, ``check_name``, ``fingerprint``, ``severity`` and
``location.path`` / ``location.lines.begin``, with the path relative to the
repository root. The fingerprint leaves out the line, so a finding keeps its
identity when lines above it move (GitLab then shows it as neither fixed nor new);
identical findings in one file are told apart by their order, as ruff does.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
from typing import TYPE_CHECKING

from stopsignal.model import Severity
from stopsignal.rules import READ_ERROR_CODE, READ_ERROR_NAME

if TYPE_CHECKING:
    from stopsignal.report import LintResult

# GitLab's levels: info, minor, major, critical, blocker.
_SEVERITY = {Severity.ERROR: "major", Severity.WARNING: "minor", Severity.INFO: "info"}


def repository_path(path: str) -> str:
    """``path`` relative to the working directory (the repository root in a CI job)."""
    posix = path.replace("\\", "/")
    if posix.startswith("/"):
        relative = os.path.relpath(posix)
        if not relative.startswith(".."):
            return relative.replace(os.sep, "/")
    return posixpath.normpath(posix)


def as_list(result: LintResult, *, verbose: bool = False) -> list[dict[str, object]]:
    issues: list[dict[str, object]] = []
    seen: dict[str, int] = {}

    def add(code: str, severity: str, path: str, line: int, identity: str,
            description: str) -> None:
        where = repository_path(path)
        key = f"{code}\0{where}\0{identity}"
        seen[key] = seen.get(key, 0) + 1
        fingerprint = hashlib.md5(f"{key}\0{seen[key]}".encode(), usedforsecurity=False)
        issues.append({
            "description": description,
            "check_name": code,
            "fingerprint": fingerprint.hexdigest(),
            "severity": severity,
            "categories": ["Bug Risk"],
            "location": {"path": where, "lines": {"begin": max(line, 1)}},
            "type": "issue",
            "engine_name": "stopsignal",
        })

    for error in result.errors:
        add(READ_ERROR_CODE, "major", error.path, error.line, error.message,
            f"[{READ_ERROR_NAME}] {error.message}")
    for finding in result.findings:
        message = finding.message
        if verbose and finding.trail:
            message += "\n" + "\n".join(finding.trail)
        add(finding.code, _SEVERITY[finding.severity], finding.location.path,
            finding.location.line, f"{finding.object}\0{finding.container}\0{finding.message}",
            f"[{finding.rule}] {message}")
    return issues


def render(result: LintResult, *, verbose: bool = False, color: bool = False) -> str:
    return json.dumps(as_list(result, verbose=verbose), indent=2) + "\n"
