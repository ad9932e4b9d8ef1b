"""SARIF 2.1.0: rule metadata from the catalogue, one result per finding, regions from locations.

Read errors are results of the pseudo-rule STOP900 (hadolint reports DL1000 the
same way), so code-scanning UIs show unreadable files next to findings.

Locations are URIs (SARIF 3.10): a relative path is a relative reference against
the base ``%SRCROOT%``, which ``originalUriBaseIds`` says is the working directory,
so code scanning places it in the checkout; an absolute path is a ``file://`` URI.
Both are percent-encoded: a ``#`` or a space in a file name would otherwise end or
break the URI.
"""

from __future__ import annotations

import json
import posixpath
from pathlib import Path
from typing import TYPE_CHECKING

from stopsignal import __version__
from stopsignal.model import Severity
from stopsignal.rules import READ_ERROR_CODE, READ_ERROR_NAME, RULES

if TYPE_CHECKING:
    from stopsignal.report import LintResult

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
HOME = "https://github.com/stopsignal/stopsignal"
#: Every catalogue rule has a generated page there (scripts/generate_docs.py; a test checks
#: the checked-in pages exist); the pseudo-rule STOP900 has none, so it gets no helpUri.
DOCS = HOME + "/blob/main/docs/rules/{name}.md"
SRCROOT = "%SRCROOT%"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _rules() -> list[dict[str, object]]:
    entries: list[dict[str, object]] = []
    for rule in RULES:
        entries.append({
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.doc.split("\n", 1)[0]},
            "help": {"text": rule.doc, "markdown": rule.doc},
            "helpUri": DOCS.format(name=rule.name),
            "defaultConfiguration": {"level": _LEVEL[rule.severity]},
            "properties": {"fix": str(rule.fix_availability)},
        })
    entries.append({
        "id": READ_ERROR_CODE,
        "name": READ_ERROR_NAME,
        "shortDescription": {"text": "an input file that cannot be read"},
        "defaultConfiguration": {"level": "error"},
    })
    return entries


def artifact_location(path: str) -> dict[str, str]:
    """A path as a SARIF artifactLocation: relative to %SRCROOT%, or a file:// URI."""
    from urllib.parse import quote

    posix = path.replace("\\", "/")
    if posix.startswith("/"):
        return {"uri": Path(posixpath.normpath(posix)).as_uri()}
    return {"uri": quote(posixpath.normpath(posix)), "uriBaseId": SRCROOT}


def _location(path: str, line: int, column: int) -> dict[str, object]:
    return {"physicalLocation": {
        "artifactLocation": artifact_location(path),
        "region": {"startLine": max(line, 1), "startColumn": max(column, 1)},
    }}


def as_dict(result: LintResult, *, verbose: bool = False) -> dict[str, object]:
    index = {rule.code: position for position, rule in enumerate(RULES)}
    results: list[dict[str, object]] = []
    for error in result.errors:
        results.append({"ruleId": READ_ERROR_CODE, "ruleIndex": len(RULES), "level": "error",
                        "message": {"text": error.message},
                        "locations": [_location(error.path, error.line, error.column)]})
    for finding in result.findings:
        where = finding.location
        entry: dict[str, object] = {
            "ruleId": finding.code,
            "level": _LEVEL[finding.severity],
            "message": {"text": finding.message},
            "locations": [_location(where.path, where.line, where.column)],
            "properties": {"object": finding.object, "container": finding.container,
                           "rule": finding.rule},
        }
        if finding.assumed:
            entry["properties"] = {**entry["properties"],  # type: ignore[dict-item]
                                   "assumed": list(finding.assumed)}
        if finding.code in index:
            entry["ruleIndex"] = index[finding.code]
        if verbose and finding.trail:
            entry["properties"] = {**entry["properties"],  # type: ignore[dict-item]
                                   "trail": list(finding.trail)}
        results.append(entry)
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "stopsignal", "version": __version__,
                                "informationUri": HOME, "rules": _rules()}},
            # The base of every relative URI: the directory the paths are relative to.
            "originalUriBaseIds": {SRCROOT: {"uri": Path.cwd().as_uri().rstrip("/") + "/"}},
            "results": results,
        }],
    }


def render(result: LintResult, *, verbose: bool = False, color: bool = False) -> str:
    return json.dumps(as_dict(result, verbose=verbose), indent=2) + "\n"
