"""The object fixer (the webhook's path): fixes applied as data and JSON Patch, no text.

It must give the data ``stopsignal fix`` gives for the same object, keep the fix
engine's promises (only edited paths change, the fixed findings are gone, a second
pass is a no-op), and refuse what it cannot verify.
"""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonpatch
import pytest

from stopsignal.errors import FixVerificationError
from stopsignal.fixing import LintOutput, fix_object, object_text
from stopsignal.fixing.bind import target_linter
from stopsignal.model import Edit, Finding, Fix, Location, Severity
from stopsignal.runtimes import default_targets, parse_targets
from stopsignal.webhook.memo import IGNORED_METADATA

from . import checks
from .test_fix_cases import CASE_NAMES, _expected, _flags, _input, _is_manifest

MANIFESTS = [case for case in CASE_NAMES if _is_manifest(case)]


def _targets(flags: list[str]) -> list[Any]:
    engines = [flags[i + 1] for i, flag in enumerate(flags) if flag == "--engine"]
    return parse_targets(engines) if engines else default_targets()


@pytest.mark.parametrize("case", MANIFESTS)
def test_objects_get_the_data_the_file_fixer_writes(case: str) -> None:
    flags = _flags(case)
    lint = target_linter(_targets(flags))
    before = checks.load(_input(case).read_text(encoding="utf-8"))
    after = checks.load(_expected(case).decode("utf-8"))
    assert len(before) == len(after)
    for document, expected in zip(before, after, strict=True):
        if not isinstance(document, dict):
            continue
        original = copy.deepcopy(document)
        # Through JSON, as an admission request carries it (YAML aliases become copies).
        obj = json.loads(json.dumps(document))
        fixed, findings, ops = fix_object(obj, lint=lint, unsafe="--unsafe-fixes" in flags)
        assert document == original  # not modified
        assert fixed == json.loads(json.dumps(expected)), case
        assert jsonpatch.apply_patch(obj, ops) == fixed
        # The webhook's memo shares answers between objects that differ only in these.
        assert not [op for op in ops for field in IGNORED_METADATA
                    if op["path"].startswith(f"/metadata/{field}")]
        assert bool(findings) == bool(ops) == (fixed != obj)
        # Idempotent: the fixed object has nothing left to fix.
        assert fix_object(fixed, lint=lint, unsafe="--unsafe-fixes" in flags)[2] == []


def test_an_object_with_nothing_to_fix_costs_one_lint() -> None:
    calls: list[str] = []
    real = target_linter(default_targets())

    def counting(path: str, text: str) -> LintOutput:
        calls.append(text)
        return real(path, text)

    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    assert fix_object(pod, lint=counting) == (pod, [], [])
    assert calls == [object_text(pod)]


def _finding(fix: Fix, code: str = "STOP999") -> Finding:
    return Finding(code, "test-rule", Severity.ERROR, Location("admission-object.json", 1, 1),
                   "message", object="Pod/x", container="c", fix=fix)


def _set(path: tuple[str | int, ...], value: object) -> Fix:
    return Fix(f"set {path}", (Edit("admission-object.json", "set", 0, path, value),))


POD: dict[str, Any] = {"kind": "Pod", "metadata": {"name": "x"},
                       "spec": {"containers": [{"name": "c", "tty": True}]}}


def test_fixes_that_need_two_passes_give_one_patch() -> None:
    first = _set(("spec", "containers", 0, "tty"), False)
    second = _set(("metadata", "annotations", "a/b"), "1")

    def staged(path: str, text: str) -> LintOutput:
        obj = json.loads(text)
        if obj["spec"]["containers"][0]["tty"]:
            return LintOutput((_finding(first, "STOP1"),))
        if "annotations" not in obj["metadata"]:
            return LintOutput((_finding(second, "STOP2"),))
        return LintOutput(())

    fixed, findings, ops = fix_object(POD, lint=staged)
    assert [finding.code for finding in findings] == ["STOP1", "STOP2"]
    assert ops == [{"op": "add", "path": "/metadata/annotations", "value": {"a/b": "1"}},
                   {"op": "replace", "path": "/spec/containers/0/tty", "value": False}]
    assert jsonpatch.apply_patch(POD, ops) == fixed
    assert POD["spec"]["containers"][0]["tty"] is True


def test_a_fix_lint_still_reports_is_refused() -> None:
    fix = _set(("spec", "containers", 0, "tty"), False)
    with pytest.raises(FixVerificationError, match=r"did not settle|changes nothing"):
        fix_object(POD, lint=lambda path, text: LintOutput((_finding(fix),)))


def test_a_fix_that_changes_nothing_is_refused() -> None:
    fix = _set(("spec", "containers", 0, "tty"), True)
    with pytest.raises(FixVerificationError, match="changes nothing"):
        fix_object(POD, lint=lambda path, text: LintOutput((_finding(fix),)))


def test_a_fix_that_breaks_the_object_for_lint_is_refused() -> None:
    fix = _set(("spec", "containers", 0, "tty"), False)

    def fragile(path: str, text: str) -> LintOutput:
        if json.loads(text)["spec"]["containers"][0]["tty"]:
            return LintOutput((_finding(fix),))
        return LintOutput((), ("admission-object.json:1:1: unreadable",))

    with pytest.raises(FixVerificationError, match="no longer reads"):
        fix_object(POD, lint=fragile)


def test_an_edit_that_does_not_fit_the_object_is_refused() -> None:
    fix = _set(("spec", "containers", 5, "tty"), False)
    with pytest.raises(FixVerificationError, match="cannot apply"):
        fix_object(POD, lint=lambda path, text: LintOutput((_finding(fix),)))


def test_a_patch_that_would_not_apply_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from stopsignal.fixing import objects

    fix = _set(("spec", "containers", 0, "tty"), False)
    monkeypatch.setattr(objects, "diff", lambda before, after: [
        {"op": "replace", "path": "/spec/nothing/here", "value": 1}])
    with pytest.raises(FixVerificationError, match="does not apply"):
        fix_object(POD, lint=lambda path, text: LintOutput((_finding(fix),)))


def test_a_patch_that_changes_more_than_the_edits_is_refused(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from stopsignal.fixing import objects

    fix = _set(("spec", "containers", 0, "tty"), False)
    monkeypatch.setattr(objects, "diff", lambda before, after: [
        {"op": "replace", "path": "/spec/containers/0/tty", "value": False},
        {"op": "replace", "path": "/metadata/name", "value": "y"}])
    with pytest.raises(FixVerificationError, match=r"also change metadata\.name"):
        fix_object(POD, lint=lambda path, text: LintOutput((_finding(fix),)))


def test_lines_edits_are_not_applied_to_objects() -> None:
    fix = Fix("t", (Edit("admission-object.json", "insert-lines", start_line=1, text="x"),))
    with pytest.raises(FixVerificationError, match="not a structured fix"):
        fix_object(POD, lint=lambda path, text: LintOutput((_finding(fix),)))
