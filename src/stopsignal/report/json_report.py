"""The JSON contract of ``stopsignal lint --format json`` (DESIGN.md)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from stopsignal.rules import READ_ERROR_CODE

if TYPE_CHECKING:
    from stopsignal.report import LintResult


def as_dict(result: LintResult, *, verbose: bool = False) -> dict[str, object]:
    findings = []
    for finding in result.findings:
        entry = finding.as_dict()
        if verbose:
            entry["trail"] = list(finding.trail)
        findings.append(entry)
    document: dict[str, object] = {
        "findings": findings,
        "errors": [{"code": READ_ERROR_CODE, "path": error.path, "line": error.line,
                    "column": error.column, "message": error.message}
                   for error in result.errors],
    }
    notes = result.notes
    if notes:  # what lint could not know (an image lookup that failed), when there is any
        document["notes"] = [{"path": path, "message": message} for path, message in notes]
    return document


def render(result: LintResult, *, verbose: bool = False, color: bool = False) -> str:
    return json.dumps(as_dict(result, verbose=verbose), indent=2) + "\n"
