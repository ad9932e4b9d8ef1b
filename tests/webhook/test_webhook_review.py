"""The admission protocol of ``review``: what the webhook itself decides.

The seams are stubbed here on purpose: these tests are about uid echo, opt-outs,
operations, immutability and never blocking a pod for our error, not about rules
(test_webhook_workloads.py runs the real engines).
"""

from __future__ import annotations

import base64
import json
from typing import Any

import jsonpatch
import pytest
from webhook_support import admission_review, decode_patch, stub_config, stub_finding

from stopsignal.model import Severity
from stopsignal.webhook.review import (
    MAX_WARNINGS,
    POD_TEMPLATE_PATHS,
    BadReview,
    decide,
    review,
)

ADD_LABEL = [{"op": "add", "path": "/metadata/labels", "value": {"fixed": "yes"}}]


def pod(annotations: dict[str, str] | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": "web"}
    if annotations is not None:
        metadata["annotations"] = annotations
    return {"apiVersion": "v1", "kind": "Pod", "metadata": metadata,
            "spec": {"containers": [{"name": "web", "image": "systemd"}]}}


def deployment(template_annotations: dict[str, str] | None = None) -> dict[str, Any]:
    template: dict[str, Any] = {"metadata": {}, "spec": pod()["spec"]}
    if template_annotations is not None:
        template["metadata"]["annotations"] = template_annotations
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
            "spec": {"template": template}}


def test_patch_is_base64_json_patch_and_uid_is_echoed() -> None:
    config = stub_config(ADD_LABEL, [stub_finding()])
    answer = review(admission_review(pod(), uid="abc-123"), config)
    assert answer["apiVersion"] == "admission.k8s.io/v1"
    assert answer["kind"] == "AdmissionReview"
    response = answer["response"]
    assert response["uid"] == "abc-123"
    assert response["allowed"] is True
    assert response["patchType"] == "JSONPatch"
    assert json.loads(base64.b64decode(response["patch"])) == ADD_LABEL
    assert response["auditAnnotations"] == {"fixed-rules": "systemd-stop-signal"}
    assert any("fixed" in w and "STOP101" in w for w in response["warnings"])
    patched = jsonpatch.apply_patch(pod(), decode_patch(answer))
    assert patched["metadata"]["labels"] == {"fixed": "yes"}


def test_nothing_to_fix_means_no_patch() -> None:
    response = review(admission_review(pod()), stub_config())["response"]
    assert response == {"uid": "uid-1", "allowed": True}


@pytest.mark.parametrize("body", [
    [], "text", 3, None,
    {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"},
    {"request": None},
    {"request": "x"},
    {"request": {"operation": "CREATE"}},  # no uid
    {"request": {"uid": 7}},
    {"apiVersion": "admission.k8s.io/v2", "request": {"uid": "u"}},
])
def test_not_a_review_is_a_bad_request(body: object) -> None:
    with pytest.raises(BadReview):
        review(body, stub_config())


def test_v1beta1_is_answered_in_its_own_version() -> None:
    body = admission_review(pod())
    body["apiVersion"] = "admission.k8s.io/v1beta1"
    assert review(body, stub_config(ADD_LABEL))["apiVersion"] == "admission.k8s.io/v1beta1"


@pytest.mark.parametrize("operation", ["DELETE", "CONNECT", None])
def test_only_create_and_update_are_reviewed(operation: str | None) -> None:
    outcome = decide(admission_review(pod(), operation=operation), stub_config(ADD_LABEL),
                     "mutate")
    assert outcome.skipped
    assert "patch" not in outcome.review["response"]
    assert outcome.review["response"]["allowed"] is True


def test_subresources_are_not_patched() -> None:
    body = admission_review(pod(), subResource="ephemeralcontainers")
    assert "patch" not in review(body, stub_config(ADD_LABEL))["response"]


@pytest.mark.parametrize("obj", [None, "pod", 17, ["a"]])
def test_an_unreadable_object_is_allowed_with_a_warning(obj: object) -> None:
    body = admission_review({"kind": "Pod"})
    body["request"]["object"] = obj
    response = review(body, stub_config(ADD_LABEL))["response"]
    assert response["allowed"] is True
    assert "patch" not in response
    assert response["warnings"] and "cannot read" in response["warnings"][0]


@pytest.mark.parametrize("mode", ["mutate", "validate"])
def test_an_engine_failure_never_blocks(mode: str) -> None:
    config = stub_config(fail=RecursionError("too deep"))
    outcome = decide(admission_review(pod()), config, mode)  # type: ignore[arg-type]
    response = outcome.review["response"]
    assert response["allowed"] is True
    assert "patch" not in response
    assert "could not review" in response["warnings"][0]
    assert outcome.error and "RecursionError" in outcome.error


def test_a_patch_that_does_not_apply_is_never_sent() -> None:
    broken = [{"op": "replace", "path": "/spec/nothing/here", "value": 1}]
    outcome = decide(admission_review(pod()), stub_config(broken, [stub_finding()]), "mutate")
    assert "patch" not in outcome.review["response"]
    assert outcome.review["response"]["allowed"] is True
    assert outcome.error


def test_the_shared_fixer_checks_its_own_patches() -> None:
    # patch_checked: the engine's fixer applied its ops already (before memoizing them),
    # so the review does not apply them again on every memo hit.
    import dataclasses

    from stopsignal.webhook.server import review_config

    assert review_config(["openshift@4.9"]).patch_checked
    broken = [{"op": "replace", "path": "/spec/nothing/here", "value": 1}]
    trusting = dataclasses.replace(stub_config(broken, [stub_finding()]), patch_checked=True)
    outcome = decide(admission_review(pod()), trusting, "mutate")
    assert "patch" in outcome.review["response"]  # trusted, as configured


@pytest.mark.parametrize("key", ["stopsignal.io/ignore", "stopsignal.io/skip"])
@pytest.mark.parametrize("value", ["true", "True", "all", "*"])
def test_objects_opt_out_by_annotation(key: str, value: str) -> None:
    outcome = decide(admission_review(pod({key: value})), stub_config(ADD_LABEL), "mutate")
    assert outcome.skipped == "opt-out annotation"
    assert "patch" not in outcome.review["response"]


def test_a_pod_template_annotation_opts_the_workload_out() -> None:
    body = admission_review(deployment({"stopsignal.io/ignore": "true"}))
    assert decide(body, stub_config(ADD_LABEL), "mutate").skipped == "opt-out annotation"


def test_ignore_listing_rules_is_left_to_the_engine() -> None:
    # "stopsignal.io/ignore: systemd-stop-signal" is a suppression the engine honours.
    body = admission_review(pod({"stopsignal.io/ignore": "systemd-stop-signal"}))
    assert "patch" in review(body, stub_config(ADD_LABEL, [stub_finding()]))["response"]


@pytest.mark.parametrize("kind", ["Pod", "Job"])
def test_immutable_pod_specs_are_not_patched_on_update(kind: str) -> None:
    obj = pod() if kind == "Pod" else {**deployment(), "kind": "Job", "apiVersion": "batch/v1"}
    body = admission_review(obj, operation="UPDATE", old=obj)
    response = review(body, stub_config(ADD_LABEL, [stub_finding()]))["response"]
    assert "patch" not in response
    assert response["allowed"] is True
    assert "immutable" in response["warnings"][0]


def test_workload_templates_are_patched_on_update() -> None:
    body = admission_review(deployment(), operation="UPDATE", old=deployment())
    assert "patch" in review(body, stub_config(ADD_LABEL, [stub_finding()]))["response"]


def test_kinds_without_pods_are_skipped() -> None:
    body = admission_review({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}})
    outcome = decide(body, stub_config(ADD_LABEL), "mutate")
    assert outcome.skipped == "kind ConfigMap"


def test_every_workload_kind_is_reviewed() -> None:
    assert {"Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob",
            "DeploymentConfig", "ReplicationController", "PodTemplate"} <= set(POD_TEMPLATE_PATHS)


def test_dry_run_gets_the_same_answer() -> None:
    wet = review(admission_review(pod()), stub_config(ADD_LABEL, [stub_finding()]))
    dry_body = admission_review(pod(), dryRun=True)
    outcome = decide(dry_body, stub_config(ADD_LABEL, [stub_finding()]), "mutate")
    assert outcome.dry_run is True
    assert outcome.review == wet


def test_validate_warns_and_allows_by_default() -> None:
    findings = [stub_finding(), stub_finding("shell-pid1", Severity.WARNING, "side")]
    response = review(admission_review(pod()), stub_config(findings=findings),
                      "validate")["response"]
    assert response["allowed"] is True
    assert len(response["warnings"]) == 2
    assert "patch" not in response


def test_validate_deny_mode_refuses_errors_only() -> None:
    errors = stub_config(findings=[stub_finding()], deny=True)
    response = review(admission_review(pod()), errors, "validate")["response"]
    assert response["allowed"] is False
    assert response["status"]["code"] == 403
    assert "systemd-stop-signal" in response["status"]["message"]
    warnings_only = stub_config(findings=[stub_finding(severity=Severity.WARNING)], deny=True)
    assert review(admission_review(pod()), warnings_only, "validate")["response"]["allowed"]


def test_warnings_are_capped_and_clipped() -> None:
    many = [stub_finding(container="c" * 400) for _ in range(MAX_WARNINGS + 5)]
    warnings = review(admission_review(pod()), stub_config(findings=many),
                      "validate")["response"]["warnings"]
    assert len(warnings) == MAX_WARNINGS
    assert all(len(w) <= 256 for w in warnings)
    assert "6 more" in warnings[-1]
