"""The library API: ``lint``, ``fix``, ``resolve`` and ``probe``, as the CLI runs them,
and ``ObjectChecker``, which lints and fixes objects given as data, as the webhook does.

Each function takes what its command takes on the command line, as Python values, and
returns a typed result; none prints or exits. Bad input (an unknown engine, an
unreadable config, a missing image) raises ``stopsignal.errors.StopSignalError``
(``UsageError`` or ``ConfigError``) with a one-line message; files that cannot be read
are reported in the result, as the CLI reports them. ``import stopsignal`` stays
cheap: this package is imported on first use of ``stopsignal.lint`` and the others,
and each function imports what it needs when it runs. One module per function, the
results in ``_results``, the arguments they share in ``_options``; everything public
is named here. See ``docs/api.md``.
"""

from __future__ import annotations

from stopsignal.api._fix import fix
from stopsignal.api._lint import lint
from stopsignal.api._objects import ObjectChecker
from stopsignal.api._probe import probe
from stopsignal.api._resolve import resolve
from stopsignal.api._results import (
    FixFailure,
    FixReport,
    LintReport,
    Note,
    ObjectFix,
    ObjectLint,
    ProbeReport,
    Skipped,
)

__all__ = ["FixFailure", "FixReport", "LintReport", "Note", "ObjectChecker", "ObjectFix",
           "ObjectLint", "ProbeReport", "Skipped", "fix", "lint", "probe", "resolve"]
