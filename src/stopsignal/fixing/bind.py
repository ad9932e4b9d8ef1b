"""The seams between fix and lint: a ``TextLinter`` (files) and an ``ObjectLinter``
(in-memory objects, the webhook's) backed by the lint engine.

Fixing needs lint twice per pass (to find the fixes, and to check they worked),
on text that is not on disk yet; the engine's ``Linter`` keeps targets, rules and
known images across calls, so a whole run shares one. An object is read as data
(``readers.read_object``): no text is rendered or parsed.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from stopsignal.fixing.apply import LintOutput, TextLinter
from stopsignal.fixing.objects import OBJECT_PATH, ObjectLinter
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


def engine_object_linter(config: Config, *, images: Sequence[ImageBinding] = (),
                         path: str = OBJECT_PATH) -> ObjectLinter:
    """Lint in-memory Kubernetes objects, reported under ``path``. Findings come in the
    order lint of the object's JSON text gives them (position, then code)."""
    from stopsignal.engine import Linter, LintResult
    from stopsignal.readers import read_object

    linter = Linter(config, images=images)

    def lint(obj: dict[str, Any]) -> LintOutput:
        result = read_object(obj, path)
        into = LintResult()
        linter.lint_result(result, into)
        findings = into.findings
        if len(findings) > 1:
            findings = sorted(findings, key=lambda f: (document_order(obj, f.location.yaml_path),
                                                       f.code))
        return LintOutput(tuple(findings), tuple(str(error) for error in into.errors))

    return lint


def document_order(obj: object, yaml_path: Sequence[str | int]) -> tuple[int, ...]:
    """Where ``yaml_path`` sits in the object's JSON text, as the ordinals of its steps
    (key order in each mapping, index in each list): sorting by it sorts by position."""
    ordinals: list[int] = []
    node = obj
    for step in yaml_path:
        if isinstance(node, dict):
            keys = list(node)
            ordinals.append(keys.index(step) if step in node else len(keys))
            node = node.get(step) if isinstance(step, str) else None
        elif isinstance(node, list) and isinstance(step, int):
            ordinals.append(step)
            node = node[step] if 0 <= step < len(node) else None
        else:
            break
    return tuple(ordinals)


def target_linter(targets: Sequence[Target]) -> TextLinter:
    """Lint against exactly these targets with every rule (the webhook's view); one
    engine per set of targets, reused across calls (admission requests)."""
    return _cached_linter(tuple(str(target) for target in targets))


def target_object_linter(targets: Sequence[Target]) -> ObjectLinter:
    """``target_linter`` for in-memory objects."""
    return _cached_object_linter(tuple(str(target) for target in targets))


@functools.lru_cache(maxsize=16)
def _cached_linter(engines: tuple[str, ...]) -> TextLinter:
    from stopsignal.config import Config

    return engine_linter(Config(engines=engines))


@functools.lru_cache(maxsize=16)
def _cached_object_linter(engines: tuple[str, ...]) -> ObjectLinter:
    from stopsignal.config import Config

    return engine_object_linter(Config(engines=engines))
