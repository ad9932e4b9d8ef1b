"""Human output: ``path:line:col: CODE [rule] message``; ``-v`` adds the engine trail."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stopsignal.model import Severity
from stopsignal.rules import READ_ERROR_CODE, READ_ERROR_NAME

if TYPE_CHECKING:
    from stopsignal.report import LintResult


def render(result: LintResult, *, verbose: bool = False) -> str:
    lines: list[str] = []
    for error in result.errors:
        lines.append(f"{error.path}:{error.line}:{error.column}: {READ_ERROR_CODE} "
                     f"[{READ_ERROR_NAME}] {error.message}")
    for finding in result.findings:
        where = finding.location
        lines.append(f"{where.path}:{where.line}:{where.column}: {finding.code} "
                     f"[{finding.rule}] {finding.message}")
        if verbose:
            lines.extend(f"    {step}" for step in finding.trail)
            if finding.fix is not None:
                lines.append(f"    fix ({finding.fix.applicability}): {finding.fix.title}")
    lines.extend(f"{path}: note: {what}" for path, what in getattr(result, "notes", ()))
    if verbose:
        lines.extend(f"{path}: skipped: {why}" for path, why in result.skipped)
    lines.append(summary(result))
    return "\n".join(lines) + "\n"


def summary(result: LintResult) -> str:
    counts = dict.fromkeys(Severity, 0)
    for finding in result.findings:
        counts[finding.severity] += 1
    parts = [f"{counts[s]} {s}{'s' if counts[s] != 1 else ''}"
             for s in (Severity.ERROR, Severity.WARNING, Severity.INFO) if counts[s]]
    found = ", ".join(parts) if parts else "no findings"
    text = (f"{found} in {result.containers} container{'s' if result.containers != 1 else ''}"
            f", {result.files} file{'s' if result.files != 1 else ''}")
    if result.errors:
        text += f"; {len(result.errors)} unreadable"
    if result.suppressed:
        text += f"; {result.suppressed} suppressed"
    fixable = sum(1 for finding in result.findings if finding.fix is not None)
    if fixable:
        text += f"; {fixable} fixable with `stopsignal fix`"
    return text + "."
