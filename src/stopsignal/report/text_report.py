"""Human output: ``path:line:col: CODE [rule] message``; ``-v`` adds the engine trail.

With ``color`` the same text carries ANSI styles (report.style), as ruff's does: the
path bold, the code coloured by severity, the rule name dimmed. Without it, not a
byte differs from the plain text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from stopsignal.model import Severity
from stopsignal.rules import READ_ERROR_CODE, READ_ERROR_NAME

if TYPE_CHECKING:
    from collections.abc import Callable

    from stopsignal.report import LintResult

_COLOURS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue"}


def _plain(text: str, **_: object) -> str:
    return text


def render(result: LintResult, *, verbose: bool = False, color: bool = False) -> str:
    style: Callable[..., str] = _plain
    if color:
        from stopsignal.report import style as ansi

        style = ansi.style
    lines: list[str] = []

    def line(path: str, row: int, column: int, code: str, rule: str, message: str,
             severity: Severity) -> str:
        return (f"{style(path, bold=True)}:{row}:{column}: "
                f"{style(code, fg=_COLOURS[severity], bold=True)} "
                f"{style(f'[{rule}]', dim=True)} {message}")

    for error in result.errors:
        lines.append(line(error.path, error.line, error.column, READ_ERROR_CODE,
                          READ_ERROR_NAME, error.message, Severity.ERROR))
    for finding in result.findings:
        where = finding.location
        lines.append(line(where.path, where.line, where.column, finding.code, finding.rule,
                          finding.message, finding.severity))
        if verbose:
            lines.extend(style(f"    {step}", dim=True) for step in finding.trail)
            if finding.fix is not None:
                lines.append(f"    fix ({finding.fix.applicability}): {finding.fix.title}")
    lines.extend(f"{path}: note: {what}" for path, what in result.notes)
    if verbose:
        lines.extend(f"{path}: skipped: {why}" for path, why in result.skipped)
    text = summary(result)
    if color:
        failing = any(f.severity is not Severity.INFO for f in result.findings) or result.errors
        text = style(text, fg="red" if failing else "green", bold=True)
    lines.append(text)
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
    if result.skipped:  # named with their reason by -v
        text += f"; {len(result.skipped)} skipped"
    if result.suppressed:
        text += f"; {result.suppressed} suppressed"
    fixable = sum(1 for finding in result.findings if finding.fix is not None)
    if fixable:
        text += f"; {fixable} fixable with `stopsignal fix`"
    return text + "."
