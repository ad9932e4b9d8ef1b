"""The fix engine's parts: splicing, JSON Patch, the object fixer for the webhook, and
verification refusing results it cannot trust."""

from __future__ import annotations

import copy
from pathlib import Path

import jsonpatch
import pytest

from cli_runner import invoke
from stopsignal.errors import FixVerificationError
from stopsignal.fixing import LintOutput, fix_object, fix_text
from stopsignal.fixing.jsonpatch import patch_for
from stopsignal.fixing.splice import splice
from stopsignal.model import Edit, Finding, Fix, Location, Severity
from stopsignal.runtimes import parse_targets

from . import checks

SEED_POD = {
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "stopsignal-systemd", "labels": {"app": "nginx"},
                 "annotations": {"example.com/owner~team": "platform"}},
    "spec": {"automountServiceAccountToken": False, "containers": [
        {"name": "nginx", "image": "quay.io/avisied0/demos:stopsignal-systemd",
         "imagePullPolicy": "Always", "command": ["/sbin/init"], "tty": True}]},
}


def test_splice_keeps_everything_the_edit_does_not_touch() -> None:
    original = "a: 1   # one\r\nlist:\r\n- x\r\n...\r\n"
    baseline = "a: 1   # one\nlist:\n  - x\n"
    edited = "a: 1   # one\nlist:\n  - x\nb: 2\n"
    expected = "a: 1   # one\r\nlist:\r\n- x\r\nb: 2\r\n...\r\n"
    assert splice(original, baseline, edited).text == expected


def test_splice_without_a_final_newline() -> None:
    assert splice("a: 1", "a: 1\n", "a: 2\n").text == "a: 2"


def test_json_patch_escapes_pointers_and_applies() -> None:
    fix = Fix("t", (Edit("p", "set", 0, ("metadata", "annotations", "stopsignal.io/fixed"), "1"),
                    Edit("p", "set", 0, ("spec", "containers", 0, "tty"), False)))
    ops = patch_for(SEED_POD, [fix])
    assert ops == [
        {"op": "add", "path": "/metadata/annotations/stopsignal.io~1fixed", "value": "1"},
        {"op": "replace", "path": "/spec/containers/0/tty", "value": False}]
    patched = jsonpatch.apply_patch(SEED_POD, ops)
    assert patched["metadata"]["annotations"]["stopsignal.io/fixed"] == "1"


def test_fix_object_for_the_webhook() -> None:
    before = copy.deepcopy(SEED_POD)
    fixed, findings, ops = fix_object(SEED_POD, targets=parse_targets(["openshift@4.9"]))
    assert before == SEED_POD  # the input is not modified
    assert [finding.rule for finding in findings] == ["systemd-stop-signal"]
    assert ops == [{"op": "add", "path": "/spec/containers/0/lifecycle",
                    "value": {"preStop": {"exec": {"command": [
                        "/bin/sh", "-c",
                        "kill -s 37 1; while kill -0 1; do sleep 1 || break; done"]}}}}]
    assert jsonpatch.apply_patch(SEED_POD, ops) == fixed
    assert checks.validate([fixed], "1.30") == []


def test_fix_object_leaves_a_good_object_alone() -> None:
    good = copy.deepcopy(SEED_POD)
    good["spec"]["containers"][0]["command"] = ["/usr/bin/tini", "--", "/app/server"]
    assert fix_object(good, targets=parse_targets(["openshift@4.9"])) == (good, [], [])


def _finding(fix: Fix) -> Finding:
    return Finding("STOP999", "test-rule", Severity.ERROR, Location("f.yaml", 1, 1),
                   "message", object="Pod/x", container="c", fix=fix)


def test_a_fix_that_does_not_resolve_its_finding_is_refused() -> None:
    fix = Fix("Set a", (Edit("f.yaml", "set", 0, ("a",), 2),))

    def stubborn(path: str, text: str) -> LintOutput:
        return LintOutput((_finding(fix),))  # still there, whatever the text

    with pytest.raises(FixVerificationError, match=r"changes nothing|still reports"):
        fix_text("f.yaml", "a: 1\n", stubborn)


def test_a_file_lint_cannot_read_is_never_edited() -> None:
    fix = Fix("Set a", (Edit("f.yaml", "set", 0, ("a",), 2),))

    def broken(path: str, text: str) -> LintOutput:
        return LintOutput((_finding(fix),), ("f.yaml:3:1: invalid YAML",))

    result = fix_text("f.yaml", "a: 1\n", broken)
    assert not result.changed


ALIASED = """\
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata: {name: vm}
    spec:
      containers:
        - name: vm
          image: registry.example.com/systemd:1
          command: ["/sbin/init"]
          lifecycle: &hooks
            postStart:
              exec: {command: ["/bin/true"]}
  - apiVersion: v1
    kind: Pod
    metadata: {name: app}
    spec:
      containers:
        - name: app
          image: registry.example.com/app:1
          command: ["/app"]
          lifecycle: *hooks
"""


def test_an_edit_that_an_alias_would_carry_elsewhere_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "pods.yaml"
    target.write_text(ALIASED)
    result = invoke(["fix", "--engine", "openshift@4.9", str(target)])
    assert result.exit_code == 1
    assert "would also change document 0 items[1].spec.containers[0].lifecycle" in result.stderr
    assert target.read_text() == ALIASED
