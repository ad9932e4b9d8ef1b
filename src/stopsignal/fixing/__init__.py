"""fix: apply the fixes lint attaches to findings, changing nothing else.

Fixes are data (``stopsignal.model.Fix``: edits and an applicability). This
package renders them onto YAML with ruamel.yaml's round trip (``yamledit``), onto
JSON in the file's own layout, onto Containerfiles as line splices
(``containerfile``), or as RFC 6902 JSON Patch on an in-memory object
(``objects``, the webhook's path: no text is rendered); ``apply`` runs the
fix-and-re-lint loop and verifies the result; ``atomic`` writes files.

Lint is passed in as a ``TextLinter`` (``(path, text) -> LintOutput``), or for
in-memory objects an ``ObjectLinter`` (``object -> LintOutput``), so this package
depends on the engine only through those seams; ``stopsignal.fixing.bind`` builds them
from the lint engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from stopsignal.fixing.apply import FileFix, LintOutput, TextLinter, applicable, fix_text
from stopsignal.fixing.objects import OBJECT_PATH, ObjectLinter, object_text
from stopsignal.model import Finding
from stopsignal.runtimes import Target

__all__ = [
    "OBJECT_PATH",
    "FileFix",
    "LintOutput",
    "ObjectLinter",
    "TextLinter",
    "applicable",
    "fix_object",
    "fix_text",
    "object_text",
]


def fix_object(obj: dict[str, Any], *, targets: Sequence[Target] | None = None,
               unsafe: bool = False, lint: TextLinter | None = None,
               object_lint: ObjectLinter | None = None,
               ) -> tuple[dict[str, Any], list[Finding], list[dict[str, Any]]]:
    """Fix one Kubernetes object: (fixed object, findings fixed, RFC 6902 patch ops).

    The same fixes, loop and verification promises as for files (``fix_text``), kept
    on the data instead of a text (``stopsignal.fixing.objects``), so a webhook applies
    what ``stopsignal fix`` would write. Lint runs against ``targets`` (default: the
    default targets) unless an ``object_lint`` (lints the object as data) or a ``lint``
    (lints its JSON text) is given. ``obj`` is not modified.
    Raises ``FixVerificationError`` when the fix cannot be trusted.
    """
    from stopsignal.fixing import objects

    if object_lint is None:
        if lint is not None:
            object_lint = objects.text_object_linter(lint)
        else:
            from stopsignal.fixing.bind import target_object_linter
            from stopsignal.runtimes import default_targets

            object_lint = target_object_linter(
                targets if targets is not None else default_targets())
    return objects.fix_object(obj, object_lint, unsafe=unsafe)
