"""A small typed error hierarchy; every message is written for the user who reads it.

The CLI catches ``StopSignalError`` once, prints ``str(error)`` on one line and
exits with ``exit_code``. Nothing below the CLI prints or exits.
"""

from __future__ import annotations


class StopSignalError(Exception):
    """Base class: a problem the user can act on."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __str__(self) -> str:
        if self.path is None:
            return self.message
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class UsageError(StopSignalError):
    """Bad command-line input: an unknown engine, an invalid signal spelling."""


class ConfigError(StopSignalError):
    """An invalid configuration file or key."""


class InputError(StopSignalError):
    """An input file that cannot be read or parsed."""


class ProbeError(StopSignalError):
    """The probe could not run: podman missing or unusable, an image that does not exist."""


class FixVerificationError(StopSignalError):
    """A fix failed verification; nothing was written."""

    exit_code = 1
