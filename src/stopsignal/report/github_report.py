"""GitHub Actions workflow commands: ``::error file=..,line=..,col=..::message``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stopsignal.model import Severity
from stopsignal.rules import READ_ERROR_CODE, READ_ERROR_NAME

if TYPE_CHECKING:
    from stopsignal.report import LintResult

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(result: LintResult, *, verbose: bool = False, color: bool = False) -> str:
    lines = []
    for error in result.errors:
        lines.append(f"::error file={_property(error.path)},line={error.line},"
                     f"col={error.column},title={READ_ERROR_CODE} {READ_ERROR_NAME}"
                     f"::{_data(error.message)}")
    for finding in result.findings:
        where = finding.location
        message = finding.message
        if verbose and finding.trail:
            message += "\n" + "\n".join(finding.trail)
        lines.append(f"::{_LEVEL[finding.severity]} file={_property(where.path)},"
                     f"line={where.line},col={where.column},"
                     f"title={_property(f'{finding.code} {finding.rule}')}::{_data(message)}")
    return "".join(line + "\n" for line in lines)
