"""The seam between fix and lint: a ``TextLinter`` backed by the lint engine.

Fixing needs lint twice per pass (to find the fixes, and to check they worked),
on text that is not on disk yet; the engine's ``Linter`` keeps targets, rules and
known images across calls, so a whole run shares one.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING

from stopsignal.fix.apply import LintOutput, TextLinter
from stopsignal.runtimes import Target

if TYPE_CHECKING:
    from stopsignal.config import Config
    from stopsignal.engine import ImageBinding


def engine_linter(config: Config, *, images: Sequence[ImageBinding] = ()) -> TextLinter:
    from stopsignal.engine import Linter, LintResult
    from stopsignal.readers import read_text

    linter = Linter(config, images=images)

    def lint(path: str, text: str) -> LintOutput:
        result = read_text(text, path)
        for image in result.images:
            linter.add_image(image)
        into = LintResult()
        linter.lint_result(result, into)
        findings = sorted(into.findings, key=lambda f: (f.location.line, f.location.column,
                                                         f.code))
        return LintOutput(tuple(findings), tuple(str(error) for error in into.errors))

    return lint


def target_linter(targets: Sequence[Target]) -> TextLinter:
    """Lint against exactly these targets with every rule (the webhook's view); one
    engine per set of targets, reused across calls (admission requests)."""
    return _cached_linter(tuple(str(target) for target in targets))


@functools.lru_cache(maxsize=16)
def _cached_linter(engines: tuple[str, ...]) -> TextLinter:
    from stopsignal.config import Config

    return engine_linter(Config(engines=engines))
