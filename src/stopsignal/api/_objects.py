"""``ObjectChecker``: lint and fix Kubernetes objects given as data (the webhook's way in)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from stopsignal.api._options import configure, image_bindings
from stopsignal.api._results import ObjectFix, ObjectLint


class ObjectChecker:
    """Lint and fix Kubernetes objects given as data (what an admission webhook reviews).

    The configuration, rules and targets are resolved once, when the checker is made
    (the options are ``lint``'s), so that each object costs only its own work. An
    object is read as its JSON text would be, and ``fix`` applies, re-lints and
    verifies as ``stopsignal.fix`` does for a file, rendering the result as JSON Patch.
    """

    def __init__(self, *, engines: Sequence[str] | str = (),
                 add_engines: Sequence[str] | str = (), select: Sequence[str] | str = (),
                 ignore: Sequence[str] | str = (), image_configs: Sequence[str] = (),
                 config: str | None = None, no_config: bool = False,
                 unsafe: bool = False) -> None:
        from stopsignal.fixing.bind import engine_object_linter

        self.config = configure(engines, add_engines, select, ignore, config, no_config)
        bindings = image_bindings((), [*image_configs, *self.config.image_configs])
        self.unsafe = unsafe
        self._lint = engine_object_linter(self.config, images=bindings)

    def lint(self, obj: dict[str, Any]) -> ObjectLint:
        """Every finding on ``obj`` (suppression annotations apply, comments cannot)."""
        output = self._lint(obj)
        return ObjectLint(tuple(output.findings), tuple(output.errors))

    def fix(self, obj: dict[str, Any]) -> ObjectFix:
        """The safe fixes (and the unsafe ones if the checker was made ``unsafe``).

        Raises ``stopsignal.errors.FixVerificationError`` when the fixed object fails
        verification (it would not read, or lint still reports what was fixed).
        """
        from stopsignal.fixing import LintOutput
        from stopsignal.fixing.objects import fix_object

        first: list[LintOutput] = []
        last: list[LintOutput] = []

        def watched(current: dict[str, Any]) -> LintOutput:
            output = self._lint(current)
            if not first:
                first.append(output)
            last[:] = [output]
            return output

        fixed_object, fixed, ops = fix_object(obj, watched, unsafe=self.unsafe)
        return ObjectFix(fixed_object, tuple(ops), tuple(fixed), tuple(last[0].findings),
                         tuple(first[0].errors))
