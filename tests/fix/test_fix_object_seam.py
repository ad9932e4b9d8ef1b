"""The object-lint seam: fixing an object linted as data (``engine_object_linter``, what
the webhook and ``fix_object``'s default use) answers exactly as linting its JSON text."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stopsignal.fixing import LintOutput, fix_object
from stopsignal.fixing.bind import engine_object_linter, target_linter, target_object_linter
from stopsignal.fixing.objects import OBJECT_PATH, object_text
from stopsignal.model import Finding

from . import checks
from .test_fix_cases import _flags, _input
from .test_fix_objects import MANIFESTS, _targets


def _unplaced(findings: list[Finding] | tuple[Finding, ...]) -> list[Finding]:
    return [f._replace(location=f.location._replace(line=0, column=0), fix=None)
            for f in findings]


def _objects(case: str) -> list[dict[str, Any]]:
    documents = checks.load(_input(case).read_text(encoding="utf-8"))
    return [json.loads(json.dumps(document)) for document in documents
            if isinstance(document, dict)]


@pytest.mark.parametrize("case", MANIFESTS)
@pytest.mark.parametrize("unsafe", [False, True])
def test_object_lint_fixes_as_text_lint(case: str, unsafe: bool) -> None:
    targets = _targets(_flags(case))
    by_text, by_object = target_linter(targets), target_object_linter(targets)
    for obj in _objects(case):
        text_output = by_text(OBJECT_PATH, object_text(obj))
        object_output = by_object(obj)
        # The same findings, in the same order (JSON text order, then code).
        assert _unplaced(object_output.findings) == _unplaced(text_output.findings), case
        assert [f.fix for f in object_output.findings] == [f.fix for f in text_output.findings]
        assert object_output.errors == text_output.errors
        fixed_text = fix_object(obj, lint=by_text, unsafe=unsafe)
        fixed_object = fix_object(obj, object_lint=by_object, unsafe=unsafe)
        assert fixed_object[0] == fixed_text[0]
        assert fixed_object[2] == fixed_text[2]
        assert _unplaced(fixed_object[1]) == _unplaced(fixed_text[1])
        # fix_object's default lints the object as data, against the default targets.
        if not unsafe and "--engine" not in _flags(case):
            assert fix_object(obj)[2] == fixed_object[2]


def test_a_clean_object_costs_one_lint_and_no_text() -> None:
    from stopsignal.config import Config

    real = engine_object_linter(Config())
    seen: list[object] = []

    def counting(obj: dict[str, Any]) -> LintOutput:
        seen.append(obj)
        return real(obj)

    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "c", "image": "nginx", "command": ["nginx"]}]}}
    assert fix_object(pod, object_lint=counting) == (pod, [], [])
    assert seen == [pod]
